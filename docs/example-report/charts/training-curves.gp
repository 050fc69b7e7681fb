# Re-render: run `gnuplot training-curves.gp` in this folder; it reads training-curves.dat and writes training-curves.png.
set terminal pngcairo size 1200,460 font 'DejaVu Sans,11' noenhanced
set output 'training-curves.png'
set datafile missing '?'
set multiplot layout 1,2 title 'Training history' font ',13'
set grid lc rgb '#dddddd'
set key top right box opaque
set xlabel 'epoch'
set xtics
set xrange [0.7:24.3]
set title 'Loss (cross-entropy)'
set ylabel 'loss'
plot 'training-curves.dat' using 1:2 with linespoints lw 2 ps 0.9 pt 7 lc rgb '#1f77b4' title 'training', '' using 1:4 with linespoints lw 2 ps 0.9 pt 5 lc rgb '#d62728' title 'validation'
set key bottom right box opaque
set title 'Accuracy'
set ylabel 'accuracy (%)'
set format y '%.1f'
plot 'training-curves.dat' using 1:($3*100) with linespoints lw 2 ps 0.9 pt 7 lc rgb '#1f77b4' title 'training', '' using 1:($5*100) with linespoints lw 2 ps 0.9 pt 5 lc rgb '#d62728' title 'validation'
unset multiplot
