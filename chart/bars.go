package chart

import (
	"bytes"
	"math"

	gochart "github.com/wcharczuk/go-chart/v2"
)

// Bar is one bar: a label (e.g. a tag name) and its value.
type Bar struct {
	Label string
	Value float64
}

// BarsData is a bar chart: a title and up to MaxItems bars, in order.
// Width and Height are pixels (DefaultWidth×DefaultHeight when zero).
type BarsData struct {
	Title         string
	Bars          []Bar
	Width, Height int
}

// Bars draws a bar chart as PNG.
func (r *Renderer) Bars(d BarsData) ([]byte, error) {
	if len(d.Bars) == 0 {
		return nil, ErrNoData
	}
	bars := d.Bars[:min(len(d.Bars), MaxItems)]
	w, h := size(d.Width, d.Height)
	top := 1.0
	values := make([]gochart.Value, len(bars))
	names := make([]string, len(bars))
	for i, b := range bars {
		names[i] = b.Label
	}
	names = r.labels(names, 8, 0, nil)
	for i, b := range bars {
		values[i] = gochart.Value{Label: names[i], Value: b.Value}
		top = math.Max(top, b.Value)
	}
	ticks, yMax := countTicks(top)
	spacing := max(4, w/(len(bars)*6))
	c := gochart.BarChart{
		Title:      r.plain(d.Title),
		TitleStyle: gochart.Style{FontSize: 14},
		Font:       r.font,
		Width:      w,
		Height:     h,
		Background: gochart.Style{Padding: gochart.Box{Top: 40, Left: 10, Right: 10, Bottom: 30}},
		BarWidth:   max(6, (w-120)/len(bars)-spacing),
		BarSpacing: spacing,
		XAxis:      gochart.Style{FontSize: 10},
		YAxis: gochart.YAxis{
			Style: gochart.Style{FontSize: 10},
			Range: &gochart.ContinuousRange{Min: 0, Max: yMax},
			Ticks: ticks,
		},
		Bars: values,
	}
	return pngBytes(func(buf *bytes.Buffer) error { return c.Render(gochart.PNG, buf) })
}
