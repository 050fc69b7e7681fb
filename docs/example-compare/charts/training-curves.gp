# Re-render: run `gnuplot training-curves.gp` in this folder; it reads training-curves.dat and writes training-curves.png.
set terminal pngcairo size 1200,480 font 'DejaVu Sans,11' noenhanced
set output 'training-curves.png'
set datafile missing '?'
set multiplot layout 1,2 title 'Training history: CNN and ViT' font ',13'
set grid lc rgb '#dddddd'
set key top right box opaque
set xlabel 'epoch'
set xtics 2
set xrange [0.7:24.3]
set title 'Loss (cross-entropy)'
set ylabel 'loss'
set logscale y
plot 'training-curves.dat' index 0 using 1:4 with linespoints lw 2 pt 7 ps 0.8 lc rgb '#1f77b4' title 'CNN validation', \
     '' index 0 using 1:2 with lines lw 2 dt 2 lc rgb '#1f77b4' title 'CNN training', \
     '' index 1 using 1:4 with linespoints lw 2 pt 7 ps 0.8 lc rgb '#ff7f0e' title 'ViT validation', \
     '' index 1 using 1:2 with lines lw 2 dt 2 lc rgb '#ff7f0e' title 'ViT training'
unset logscale y
set key bottom right box opaque
set title 'Accuracy'
set ylabel 'accuracy (%)'
set format y '%.1f'
set yrange [93.0:100]
plot 'training-curves.dat' index 0 using 1:($5*100) with linespoints lw 2 pt 7 ps 0.8 lc rgb '#1f77b4' title 'CNN validation', \
     '' index 0 using 1:($3*100) with lines lw 2 dt 2 lc rgb '#1f77b4' title 'CNN training', \
     '' index 1 using 1:($5*100) with linespoints lw 2 pt 7 ps 0.8 lc rgb '#ff7f0e' title 'ViT validation', \
     '' index 1 using 1:($3*100) with lines lw 2 dt 2 lc rgb '#ff7f0e' title 'ViT training'
unset multiplot
