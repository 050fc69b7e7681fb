# Re-render: run `gnuplot confidence-histogram.gp` in this folder; it reads confidence-histogram.dat and writes confidence-histogram.png.
set terminal pngcairo size 900,480 font 'DejaVu Sans,11' noenhanced
set output 'confidence-histogram.png'
set title 'Confidence of predictions (test set)' font ',13'
set datafile missing '?'
set xlabel 'confidence (probability of the predicted class)'
set ylabel 'predictions (log scale)'
set logscale y
set yrange [0.7:20961]
set xrange [0:1]
set xtics 0,0.1,1
set grid ytics lc rgb '#dddddd'
set style fill solid 0.8 border -1
set key top left box opaque
plot 'confidence-histogram.dat' using (($1+$2)/2 - 0.0105):3:(0.0200) with boxes lc rgb '#2ca02c' title 'correct (9958)', \
     '' using (($1+$2)/2 + 0.0105):4:(0.0200) with boxes lc rgb '#d62728' title 'wrong (42)'
