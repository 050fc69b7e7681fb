# Re-render: run `gnuplot per-class-accuracy.gp` in this folder; it reads per-class-accuracy.dat and writes per-class-accuracy.png.
set terminal pngcairo size 900,480 font 'DejaVu Sans,11' noenhanced
set output 'per-class-accuracy.png'
set title 'Accuracy per class (test set); dashed line: overall 99.58%' font ',13'
set xlabel 'class'
set ylabel 'accuracy (%)'
set xrange [-0.6:9.6]
set yrange [98.0:100.20]
set xtics 0,1,9 scale 0
set grid ytics lc rgb '#dddddd'
set style fill solid 0.85 border lc rgb '#2b4f7a'
set style textbox opaque noborder
set boxwidth 0.7
unset key
overall = 99.5800
plot 'per-class-accuracy.dat' using 1:2 with boxes lc rgb '#4a7fb5', \
     overall with lines dt 2 lw 2 lc rgb '#d62728', \
     'per-class-accuracy.dat' using 1:2:(sprintf('%.2f', $2)) with labels boxed offset 0,0.8 font ',10'
