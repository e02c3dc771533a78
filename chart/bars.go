package chart

import (
	"bytes"
	"fmt"
	"math"
	"strconv"

	gochart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// Bar is one bar: a label (e.g. a tag name) and its value.
type Bar struct {
	Label string
	Value float64
}

// BarsData is a bar chart: a title and up to MaxItems bars, in order.
// Width and Height are pixels (DefaultWidth×DefaultHeight when zero).
// Percent says the values are percentages: the axis runs to 100%.
type BarsData struct {
	Title         string
	Bars          []Bar
	Width, Height int
	Percent       bool
}

// bar layout in pixels and points.
const (
	barPad      = 16  // left, right and bottom margins
	barTop      = 60  // top of the plot: below the title
	barMaxW     = 60  // widest bar
	barLabelMax = 110 // longest slanted label
	barFont     = 10  // labels and axis
)

// slant is the angle of labels too wide for their bar: 45° up to the right.
const slant = -math.Pi / 4

var (
	barColor  = drawing.Color{R: 0x42, G: 0x85, B: 0xf4, A: 255}
	gridColor = drawing.Color{R: 0xe4, G: 0xe4, B: 0xe4, A: 255}
	axisColor = drawing.Color{R: 0x99, G: 0x99, B: 0x99, A: 255}
	textColor = drawing.Color{R: 0x33, G: 0x33, B: 0x33, A: 255}
)

// Bars draws a bar chart as PNG: the value axis on the left, every bar
// labelled below it (layoutBars), each bar's value written above it when
// all fit.
func (r *Renderer) Bars(d BarsData) ([]byte, error) {
	if len(d.Bars) == 0 {
		return nil, ErrNoData
	}
	bars := d.Bars[:min(len(d.Bars), MaxItems)]
	w, h := size(d.Width, d.Height)
	cv, err := r.canvas(w, h, d.Title)
	if err != nil {
		return nil, err
	}
	top := 1.0
	names := make([]string, len(bars))
	for i, b := range bars {
		top = math.Max(top, b.Value)
		names[i] = b.Label
	}
	ticks, yMax := valueTicks(top, d.Percent)
	cv.SetFontSize(barFont)
	cv.SetFontColor(textColor)
	measure := func(s string) int { return cv.MeasureText(s).Width() }
	axisW := 0
	for _, t := range ticks {
		axisW = max(axisW, measure(t.Label))
	}
	th := cv.MeasureText("客").Height()
	l := r.layoutBars(cv, names, w, h, barPad+axisW+6)
	plotH := float64(l.plotB - barTop)
	yOf := func(v float64) int { return l.plotB - int(math.Round(v/yMax*plotH)) }

	for _, t := range ticks { // grid and axis numbers
		y := yOf(t.Value)
		if t.Value > 0 {
			fillRect(cv, l.plotL, y, l.plotR-l.plotL, 1, gridColor)
		}
		cv.Text(t.Label, l.plotL-6-measure(t.Label), y+th/2-1)
	}
	bw := min(barMaxW, max(2, int(l.slot*0.7)))
	values := make([]string, len(bars))
	fits := true
	for i, b := range bars {
		values[i] = formatValue(b.Value, d.Percent)
		fits = fits && measure(values[i]) <= int(l.slot)-2
	}
	for i, b := range bars {
		cx := float64(l.plotL) + l.slot*(float64(i)+0.5)
		if y := yOf(b.Value); y < l.plotB {
			fillRect(cv, int(cx)-bw/2, y, bw, l.plotB-y, barColor)
		}
		if fits {
			cv.Text(values[i], int(cx)-measure(values[i])/2, yOf(b.Value)-4)
		}
		l.draw(cv, i, cx)
	}
	fillRect(cv, l.plotL, l.plotB, l.plotR-l.plotL, 1, axisColor)
	return pngBytes(func(buf *bytes.Buffer) error { return cv.Save(buf) })
}

// barLayout is where a bar chart's plot and labels go.
type barLayout struct {
	plotL, plotR, plotB int     // the plot's left, right and bottom (the axis)
	slot                float64 // width per bar
	labels              []string
	slanted             bool    // labels at 45°, ending under their bar
	font                float64 // the labels' size
	lh                  int     // the labels' height
}

// layoutBars fits the labels of the bars: cut (in the middle, as labels
// does) to 8 runes, and kept level when they all fit their bar's width.
// Otherwise they are slanted at 45°, cut to barLabelMax pixels, in
// smaller type when the bars are too narrow for slanted lines not to
// touch, and the plot moves right until the first ones start barPad
// inside the image: so none is lost, touches the edge or runs into
// another. plotL is the plot's left
// edge before that. cv's font size is barFont on return.
func (r *Renderer) layoutBars(cv gochart.Renderer, names []string, w, h, plotL int) barLayout {
	measure := func(s string) int { return cv.MeasureText(s).Width() }
	l := barLayout{plotL: plotL, plotR: w - barPad, font: barFont, lh: cv.MeasureText("客").Height()}
	l.slot = float64(l.plotR-l.plotL) / float64(len(names))
	l.labels = r.labels(names, 8, int(l.slot)-4, measure)
	l.slanted = fmt.Sprint(l.labels) != fmt.Sprint(r.labels(names, 8, 0, nil))
	l.plotB = h - barPad - l.lh - 6
	if !l.slanted {
		return l
	}
	if gap := l.slot * 0.7072; gap < float64(l.lh+2) { // slanted lines this close would touch
		l.font = max(6, barFont*gap/float64(l.lh+2))
		cv.SetFontSize(l.font)
		l.lh = cv.MeasureText("客").Height()
	}
	room := int(float64(h-barTop-barPad-80)/0.7072) - l.lh // keep 80 px of plot
	l.labels = r.labels(names, 8, max(2*l.lh, min(barLabelMax, room)), measure)
	longest := 0
	for _, s := range l.labels {
		longest = max(longest, measure(s))
	}
	l.plotB = h - barPad - 8 - int(0.7072*float64(longest+l.lh))
	for range 3 {
		lo := w // the leftmost ink: a glyph's top left corner, up and left of the baseline's start
		for i, s := range l.labels {
			x, _ := l.slantStart(float64(l.plotL)+l.slot*(float64(i)+0.5), measure(s))
			lo = min(lo, x-int(math.Ceil(0.7072*float64(l.lh))))
		}
		if lo >= barPad {
			break
		}
		l.plotL += barPad - lo
		l.slot = float64(l.plotR-l.plotL) / float64(len(names))
	}
	cv.SetFontSize(barFont)
	return l
}

// draw writes label i centred under cx, or slanted to end there: its top
// right corner just below the axis, its middle line pointing at the
// bar's centre. cv's font size is barFont again after.
func (l barLayout) draw(cv gochart.Renderer, i int, cx float64) {
	cv.SetFontSize(l.font)
	defer cv.SetFontSize(barFont)
	lw := cv.MeasureText(l.labels[i]).Width()
	if !l.slanted {
		cv.Text(l.labels[i], int(cx)-lw/2, l.plotB+6+l.lh)
		return
	}
	x, y := l.slantStart(cx, lw)
	cv.SetTextRotation(slant)
	cv.Text(l.labels[i], x, y)
	cv.ClearTextRotation()
}

// slantStart is where a slanted label lw pixels long starts its baseline
// so that it ends under cx, just below the axis.
func (l barLayout) slantStart(cx float64, lw int) (x, y int) {
	a := float64(l.lh)
	ex, ey := cx+0.3536*a, float64(l.plotB)+4+0.7072*a
	return int(ex - 0.7072*float64(lw)), int(ey + 0.7072*float64(lw))
}

// valueTicks are the value axis' ticks and top: counts (countTicks), or
// 0–100% in steps of 20 for percentages.
func valueTicks(top float64, percent bool) ([]gochart.Tick, float64) {
	if !percent || top > 100 {
		return countTicks(top)
	}
	var ticks []gochart.Tick
	for v := 0.0; v <= 100; v += 20 {
		ticks = append(ticks, gochart.Tick{Value: v, Label: formatValue(v, true)})
	}
	return ticks, 100
}

// formatValue is a bar's value as written: a whole number, a percentage
// rounded to whole percent, or one decimal.
func formatValue(v float64, percent bool) string {
	switch {
	case percent:
		return fmt.Sprintf("%.0f%%", v)
	case v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
