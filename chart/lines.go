package chart

import (
	"bytes"
	"math"
	"time"

	gochart "github.com/wcharczuk/go-chart/v2"
)

// Point is one value of a series at a time (a day or week).
type Point struct {
	At    time.Time
	Value float64
}

// Series is one line, named in the legend (e.g. 新增 / 移除).
type Series struct {
	Name   string
	Points []Point
}

// LinesData is a line chart over time: a title and up to MaxItems series.
// Width and Height are pixels (DefaultWidth×DefaultHeight when zero). Now
// is when the chart is drawn: dates in another year show the year (zero:
// only when the dates cross a new year).
type LinesData struct {
	Title         string
	Series        []Series
	Width, Height int
	Now           time.Time
}

// Lines draws a line chart as PNG, dates (MM-DD, with the year when it is
// not obvious) on the x axis, counts on the left.
func (r *Renderer) Lines(d LinesData) ([]byte, error) {
	var series []gochart.Series
	lo, hi, top := math.Inf(1), math.Inf(-1), 1.0
	var first, last time.Time
	shown := d.Series[:min(len(d.Series), MaxItems)]
	names := make([]string, len(shown))
	for i, s := range shown {
		names[i] = s.Name
	}
	names = r.labels(names, 10, 0, nil)
	for i, s := range shown {
		if len(s.Points) == 0 {
			continue
		}
		ts := gochart.TimeSeries{Name: names[i], YAxis: gochart.YAxisSecondary} // the left axis
		for _, p := range s.Points {
			x := float64(p.At.UnixNano())
			if x < lo {
				first = p.At
			}
			if x > hi {
				last = p.At
			}
			lo, hi, top = math.Min(lo, x), math.Max(hi, x), math.Max(top, p.Value)
			ts.XValues = append(ts.XValues, p.At)
			ts.YValues = append(ts.YValues, p.Value)
		}
		series = append(series, ts)
	}
	if len(series) == 0 {
		return nil, ErrNoData
	}
	if lo == hi { // one day only: widen so the axis has a range
		first, last = first.AddDate(0, 0, -1), last.AddDate(0, 0, 1)
		lo, hi = float64(first.UnixNano()), float64(last.UnixNano())
	}
	ticks, yMax := countTicks(top)
	w, h := size(d.Width, d.Height)
	c := gochart.Chart{
		Title:      r.plain(d.Title),
		TitleStyle: gochart.Style{FontSize: 14},
		Font:       r.font,
		Width:      w,
		Height:     h,
		Background: gochart.Style{Padding: gochart.Box{Top: 40, Left: 10, Right: 20, Bottom: 10}},
		XAxis: gochart.XAxis{
			Style: gochart.Style{FontSize: 10},
			Range: &gochart.ContinuousRange{Min: lo, Max: hi},
			Ticks: dayTicks(first, last, d.Now),
		},
		// The series use the secondary (left) axis; go-chart v2.1.2 takes
		// that axis' range from the primary axis' ticks, so the hidden
		// primary gets the same ticks.
		YAxis: gochart.YAxis{Style: gochart.Style{Hidden: true}, Range: &gochart.ContinuousRange{Min: 0, Max: yMax}, Ticks: ticks},
		YAxisSecondary: gochart.YAxis{
			Style: gochart.Style{FontSize: 10},
			Range: &gochart.ContinuousRange{Min: 0, Max: yMax},
			Ticks: ticks,
		},
		Series: series,
	}
	legend := gochart.Legend(&c, gochart.Style{FontSize: 10})
	c.Elements = []gochart.Renderable{func(r gochart.Renderer, cb gochart.Box, s gochart.Style) {
		cb.Left += 10 // off the value axis on the left
		legend(r, cb, s)
	}}
	return pngBytes(func(buf *bytes.Buffer) error { return c.Render(gochart.PNG, buf) })
}
