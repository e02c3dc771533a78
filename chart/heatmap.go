package chart

import (
	"bytes"
	"fmt"
	"math"

	gochart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// HeatmapData is a square matrix of values between labelled rows and
// columns (e.g. the overlap of tags), drawn as coloured cells: the larger
// the value, the darker. Cells shows a text in each cell (Values formatted
// when nil). Width and Height are pixels (DefaultWidth×DefaultHeight when
// zero).
type HeatmapData struct {
	Title         string
	Rows, Cols    []string
	Values        [][]float64 // Values[row][col]
	Cells         [][]string  // optional text per cell
	Width, Height int
}

// heat layout in pixels.
const (
	heatTitleH  = titleH
	heatLabelW  = 110
	heatLabelH  = 30
	heatPadding = 10
)

// Heatmap draws a heat map as PNG with go-chart's raster renderer (go-chart
// has no heat map of its own).
func (r *Renderer) Heatmap(d HeatmapData) ([]byte, error) {
	rows, cols := min(len(d.Rows), MaxItems), min(len(d.Cols), MaxItems)
	if rows == 0 || cols == 0 || len(d.Values) < rows {
		return nil, ErrNoData
	}
	w, h := size(d.Width, d.Height)
	cv, err := r.canvas(w, h, d.Title)
	if err != nil {
		return nil, err
	}

	top := 0.0
	for i := 0; i < rows; i++ {
		for j := 0; j < cols && j < len(d.Values[i]); j++ {
			top = math.Max(top, d.Values[i][j])
		}
	}
	x0, y0 := heatLabelW, heatTitleH+heatLabelH
	cw := (w - x0 - heatPadding) / cols
	ch := (h - y0 - heatPadding) / rows
	cv.SetFontSize(10)
	measure := func(s string) int { return cv.MeasureText(s).Width() }
	colLabels := r.labels(d.Cols[:cols], 6, cw-4, measure)
	rowLabels := r.labels(d.Rows[:rows], 8, x0-6-heatPadding, measure)
	// Every cell's text sits on one baseline per row, set by a digit's
	// height: measuring each text would lower those with brackets.
	digitH := cv.MeasureText("0").Height()
	for j := 0; j < cols; j++ {
		label := colLabels[j]
		b := cv.MeasureText(label)
		cv.Text(label, x0+j*cw+(cw-b.Width())/2, y0-8)
	}
	for i := 0; i < rows; i++ {
		label := rowLabels[i]
		cv.SetFontColor(drawing.ColorBlack) // the previous row's last cell may have left white
		b := cv.MeasureText(label)
		cv.Text(label, x0-b.Width()-6, y0+i*ch+(ch+b.Height())/2)
		for j := 0; j < cols; j++ {
			v := 0.0
			if j < len(d.Values[i]) {
				v = d.Values[i][j]
			}
			share := 0.0
			if top > 0 {
				share = math.Max(0, v/top)
			}
			fillRect(cv, x0+j*cw+1, y0+i*ch+1, cw-2, ch-2, heat(share))
			text := cellText(d, i, j, v)
			if share > 0.55 {
				cv.SetFontColor(drawing.ColorWhite)
			} else {
				cv.SetFontColor(drawing.ColorBlack)
			}
			cv.Text(text, x0+j*cw+(cw-measure(text))/2, y0+i*ch+(ch+digitH)/2)
		}
	}
	return pngBytes(func(buf *bytes.Buffer) error { return cv.Save(buf) })
}

// cellText is the text of cell (i, j): from Cells, or the value.
func cellText(d HeatmapData, i, j int, v float64) string {
	if i < len(d.Cells) && j < len(d.Cells[i]) {
		return d.Cells[i][j]
	}
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// heat is the colour of a share in [0,1]: from pale to deep blue.
func heat(share float64) drawing.Color {
	mix := func(a, b uint8) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*share) }
	return drawing.Color{R: mix(235, 8), G: mix(243, 48), B: mix(251, 107), A: 255}
}

// fillRect fills a w×h rectangle at (x, y).
func fillRect(cv gochart.Renderer, x, y, w, h int, c drawing.Color) {
	cv.SetFillColor(c)
	cv.SetStrokeColor(c)
	cv.SetStrokeWidth(0)
	cv.MoveTo(x, y)
	cv.LineTo(x+w, y)
	cv.LineTo(x+w, y+h)
	cv.LineTo(x, y+h)
	cv.Close()
	cv.Fill()
}
