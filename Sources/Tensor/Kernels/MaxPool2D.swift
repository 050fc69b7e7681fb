import CKernels

/// Max pooling over NCHW planes (no padding, floor rounding, as PyTorch's `MaxPool2d` defaults).
public enum MaxPool2D {
    /// Output positions along one axis: 0 when the window does not fit at all (PyTorch's floor rounding; Swift's
    /// `/` truncates toward zero, which would give 1 for an input one smaller than the window).
    public static func outputSize(_ size: Int, kernel: Int, stride: Int) -> Int {
        size < kernel ? 0 : (size - kernel) / stride + 1
    }

    /// The pooled batch and, per output element, the flat in-plane index of the maximum (first one on ties)
    /// that the backward pass routes the gradient to.
    public static func forward(_ input: Tensor, kernel: Int, stride: Int, threads: Int)
        -> (output: Tensor, argmax: [Int32])
    {
        precondition(input.rank == 4, "maxpool2d expects NCHW input, got \(input.shape)")
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let oh = outputSize(h, kernel: kernel, stride: stride), ow = outputSize(w, kernel: kernel, stride: stride)
        precondition(oh > 0 && ow > 0, "maxpool2d window \(kernel) does not fit input \(input.shape)")
        let planes = n * c
        let shards = Parallel.shards(count: planes, parts: threads)
        let path = KernelPath.current.code
        var argmax = [Int32](repeating: 0, count: planes * oh * ow)
        let output = Tensor(shape: [n, c, oh, ow]) { out in
            let y = SharedPointer(out.baseAddress!)
            argmax.withUnsafeMutableBufferPointer { aBuf in
                input.scalars.withUnsafeBufferPointer { inBuf in
                    let a = SharedPointer(aBuf.baseAddress!)
                    let x = SharedReadPointer(inBuf.baseAddress!)
                    Parallel.run(shards.count) { s in
                        for p in shards[s] {
                            let src = x[p * h * w]
                            let dst = y[p * oh * ow], idx = a[p * oh * ow]
                            if kernel == 2 && stride == 2 {
                                ck_maxpool2x2(path, src, w, oh, ow, dst, idx)
                                continue
                            }
                            for oy in 0..<oh {
                                for ox in 0..<ow {
                                    var best = -Float.infinity
                                    var bestIndex = (oy * stride) * w + ox * stride
                                    for ki in 0..<kernel {
                                        let row = (oy * stride + ki) * w + ox * stride
                                        for kj in 0..<kernel where src[row + kj] > best || src[row + kj].isNaN {
                                            best = src[row + kj]
                                            bestIndex = row + kj
                                            if best.isNaN { break }
                                        }
                                    }
                                    dst[oy * ow + ox] = best
                                    idx[oy * ow + ox] = Int32(bestIndex)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (output, argmax)
    }

    /// Routes each output gradient to the input element that won the forward pass.
    public static func backward(outputGradient: Tensor, argmax: [Int32], inputShape: [Int], threads: Int) -> Tensor {
        let planes = inputShape[0] * inputShape[1]
        let inPlane = inputShape[2] * inputShape[3]
        let outPlane = outputGradient.count / max(planes, 1)
        precondition(argmax.count == outputGradient.count)
        let shards = Parallel.shards(count: planes, parts: threads)
        let path = KernelPath.current.code
        var dx = [Float](repeating: 0, count: planes * inPlane)
        dx.withUnsafeMutableBufferPointer { dxBuf in
            argmax.withUnsafeBufferPointer { aBuf in
                outputGradient.scalars.withUnsafeBufferPointer { dyBuf in
                    let d = SharedPointer(dxBuf.baseAddress!)
                    let a = SharedReadPointer(aBuf.baseAddress!)
                    let dy = SharedReadPointer(dyBuf.baseAddress!)
                    Parallel.run(shards.count) { s in
                        for p in shards[s] {
                            let dst = d[p * inPlane], src = dy[p * outPlane], idx = a[p * outPlane]
                            ck_maxpool_backward(path, src, idx, outPlane, dst)
                        }
                    }
                }
            }
        }
        return Tensor(shape: inputShape, scalars: dx)
    }
}
