# Re-render: run `gnuplot confusion-matrix.gp` in this folder; it reads confusion-matrix.dat and writes confusion-matrix.png.
set terminal pngcairo size 820,760 font 'DejaVu Sans,11' noenhanced
set output 'confusion-matrix.png'
set title 'Confusion matrix (test set)' font ',13'
set xlabel 'predicted class'
set ylabel 'true class'
set xrange [-0.5:9.5]
set yrange [9.5:-0.5]
set xtics 0,1,9 scale 0
set ytics 0,1,9 scale 0
set size ratio 1
set cbrange [0:3.053463]
set cbtics ('0' 0, '1' 0.301030, '10' 1.041393, '100' 2.004321, '1000' 3.000434, '1130' 3.053463)
set cblabel 'count (log scale)'
set palette defined (0 '#ffffff', 0.001 '#ffe98a', 0.3 '#fdae61', 0.65 '#e34a33', 1 '#7f0000')
unset key
plot 'confusion-matrix.dat' using 1:2:4 with image, \
     '' using 1:2:(($3 > 0 && $4 <= 1.679404) ? sprintf('%d', $3) : '') with labels font ',10' tc rgb 'black', \
     '' using 1:2:($4 > 1.679404 ? sprintf('%d', $3) : '') with labels font ',10' tc rgb 'white'
