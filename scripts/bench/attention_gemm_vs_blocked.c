// Attention forward and backward for one batch: one OpenBLAS sgemm call per product per (sample, head), against
// CKernels' register-blocked loop (ck_attention_forward / ck_attention_backward), per kernel path and shape.
// Prints the best of 30 calls each and the largest difference between the two. Build and run from the
// repository root (OpenBLAS from Debian's libopenblas-dev):
//
//   for f in Sources/CKernels/*.c; do clang -O3 -ISources/CKernels/include -c $f -o /tmp/$(basename $f).o; done
//   clang -O2 -ISources/CKernels/include $(pkg-config --cflags openblas) scripts/bench/attention_gemm_vs_blocked.c \
//       /tmp/dispatch.c.o /tmp/kernels_*.o $(pkg-config --libs openblas) -lm -o /tmp/attention-bench
//   /tmp/attention-bench
#include "CKernels.h"
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(){struct timespec t; clock_gettime(CLOCK_MONOTONIC,&t); return t.tv_sec+t.tv_nsec*1e-9;}
static int path = 2;
void gemm_fwd(const float*qkv,int B,int T,int D,int H,float*p,float*out){
  int hd=D/H; float sc=1/sqrtf(hd);
  for(int n=0;n<B;n++)for(int h=0;h<H;h++){const float*q=qkv+n*T*3*D+h*hd,*k=q+D,*v=q+2*D; float*ph=p+(n*H+h)*T*T;
    cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,T,T,hd,sc,q,3*D,k,3*D,0,ph,T);
    ck_softmax_rows(path,ph,T,T,T);
    cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,T,hd,T,1,ph,T,v,3*D,0,out+n*T*D+h*hd,D);}
}
void gemm_bwd(const float*qkv,const float*p,const float*dy,int B,int T,int D,int H,float*dqkv,float*ds){
  int hd=D/H; float sc=1/sqrtf(hd);
  for(int n=0;n<B;n++)for(int h=0;h<H;h++){const float*q=qkv+n*T*3*D+h*hd,*k=q+D,*v=q+2*D; float*dq=dqkv+n*T*3*D+h*hd,*dk=dq+D,*dv=dq+2*D;
    const float*ph=p+(n*H+h)*T*T,*dyh=dy+n*T*D+h*hd;
    cblas_sgemm(CblasRowMajor,CblasTrans,CblasNoTrans,T,hd,T,1,ph,T,dyh,D,0,dv,3*D);
    cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasTrans,T,T,hd,1,dyh,D,v,3*D,0,ds,T);
    ck_softmax_backward_rows(path,ph,ds,T,T,T);
    cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,T,hd,T,sc,ds,T,k,3*D,0,dq,3*D);
    cblas_sgemm(CblasRowMajor,CblasTrans,CblasNoTrans,T,hd,T,sc,ds,T,q,3*D,0,dk,3*D);}
}
void blk_fwd(const float*qkv,int B,int T,int D,int H,float*p,float*out,float*scr){
  int hd=D/H; float sc=1/sqrtf(hd);
  for(int n=0;n<B;n++)for(int h=0;h<H;h++){const float*q=qkv+n*T*3*D+h*hd;
    ck_attention_forward(path,q,q+D,q+2*D,3*D,T,hd,sc,p+(n*H+h)*T*T,out+n*T*D+h*hd,D,scr);}
}
void blk_bwd(const float*qkv,const float*p,const float*dy,int B,int T,int D,int H,float*dqkv,float*scr){
  int hd=D/H; float sc=1/sqrtf(hd);
  for(int n=0;n<B;n++)for(int h=0;h<H;h++){const float*q=qkv+n*T*3*D+h*hd; float*dq=dqkv+n*T*3*D+h*hd;
    ck_attention_backward(path,q,q+D,q+2*D,3*D,p+(n*H+h)*T*T,dy+n*T*D+h*hd,D,T,hd,sc,dq,dq+D,dq+2*D,scr);}
}
int main(int argc,char**argv){
  openblas_set_num_threads(1);
  int shapes[][3]={{17,64,4},{17,96,4},{50,64,4},{50,96,4},{65,64,4},{65,96,4},{17,64,1},{33,48,3}};
  int B=64;
  for(int pth=2;pth>=0;pth--){ path=pth;
  for(int s=0;s<8;s++){int T=shapes[s][0],D=shapes[s][1],H=shapes[s][2];
    int nq=B*T*3*D; float*qkv=malloc(4*nq),*p1=malloc(4*B*H*T*T),*p2=malloc(4*B*H*T*T),*o1=malloc(4*B*T*D),*o2=malloc(4*B*T*D),*dy=malloc(4*B*T*D),*d1=malloc(4*nq),*d2=malloc(4*nq),*ds=malloc(4*T*T);
    float*scr=malloc(4*ck_attention_scratch(path,T,D/H));
    srand(1); for(int i=0;i<nq;i++) qkv[i]=2.0f*rand()/2147483648.0f-1; for(int i=0;i<B*T*D;i++) dy[i]=2.0f*rand()/2147483648.0f-1;
    gemm_fwd(qkv,B,T,D,H,p1,o1); blk_fwd(qkv,B,T,D,H,p2,o2,scr);
    gemm_bwd(qkv,p1,dy,B,T,D,H,d1,ds); blk_bwd(qkv,p2,dy,B,T,D,H,d2,scr);
    double e1=0,e2=0; for(int i=0;i<B*T*D;i++) e1=fmax(e1,fabs(o1[i]-o2[i])); for(int i=0;i<nq;i++) e2=fmax(e2,fabs(d1[i]-d2[i]));
    int reps=30; double tg=1e9,tb=1e9,tgb=1e9,tbb=1e9,t0;
    for(int r=0;r<reps;r++){
    t0=now(); gemm_fwd(qkv,B,T,D,H,p1,o1); tg=fmin(tg,now()-t0);
    t0=now(); blk_fwd(qkv,B,T,D,H,p2,o2,scr); tb=fmin(tb,now()-t0);
    t0=now(); gemm_bwd(qkv,p1,dy,B,T,D,H,d1,ds); tgb=fmin(tgb,now()-t0);
    t0=now(); blk_bwd(qkv,p2,dy,B,T,D,H,d2,scr); tbb=fmin(tbb,now()-t0);}
    printf("path %d T=%d D=%d H=%d B=%d: fwd sgemm %.3f ms blocked %.3f ms | bwd sgemm %.3f ms blocked %.3f ms | diff %.2g %.2g\n",path,T,D,H,B,tg*1e3,tb*1e3,tgb*1e3,tbb*1e3,e1,e2);
  }}
}
