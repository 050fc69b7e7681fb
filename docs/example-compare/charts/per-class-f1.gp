# Re-render: run `gnuplot per-class-f1.gp` in this folder; it reads per-class-f1.dat and writes per-class-f1.png.
set terminal pngcairo size 1000,480 font 'DejaVu Sans,11' noenhanced
set output 'per-class-f1.png'
set title 'F1 per class (test set)' font ',13'
set xlabel 'class'
set ylabel 'F1 (%)'
set xrange [-0.6:9.6]
set yrange [98.0:100.24]
set xtics 0,1,9 scale 0
set grid ytics lc rgb '#dddddd'
set style fill solid 0.85 border -1
set boxwidth 0.36
set key top left box opaque horizontal reverse Left width 1
plot 'per-class-f1.dat' using ($1-0.19):2 with boxes lc rgb '#1f77b4' title 'CNN', \
     '' using ($1+0.19):3 with boxes lc rgb '#ff7f0e' title 'ViT'
