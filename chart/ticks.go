package chart

import (
	"math"
	"strconv"
	"time"

	gochart "github.com/wcharczuk/go-chart/v2"
)

// countTicks are y-axis ticks for counts: whole numbers from 0 past top,
// at most about 8 of them, so labels never repeat (go-chart's own ticks
// fall between integers).
func countTicks(top float64) (ticks []gochart.Tick, max float64) {
	step := niceStep(top)
	max = math.Ceil(top/step) * step
	if max < top*1.05 {
		max += step
	}
	for i := 0; float64(i)*step <= max; i++ {
		v := float64(i) * step
		ticks = append(ticks, gochart.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	return ticks, max
}

// niceStep is the smallest of 1, 2, 5 × 10^n that cuts top into at most 8.
func niceStep(top float64) float64 {
	for mag := 1.0; mag < 1e15; mag *= 10 {
		for _, s := range []float64{1, 2, 5} {
			if top/(s*mag) <= 8 {
				return s * mag
			}
		}
	}
	return 1e15
}

// dayTicks are x-axis ticks at whole days (every few days when the range
// is long), labelled MM-DD, from lo to hi inclusive. The last tick is
// always hi: go-chart stretches the axis to its ticks, so a range ending
// on an earlier tick would draw hi's point outside the plot. The regular
// tick before hi, always less than a step before it, gives way to it, so
// no two labels are closer than a step (01-07 beside 01-08). The year is shown (YYYY-MM-DD on the first tick and on the first
// tick of each new year) when the range crosses a year or lies in a year
// other than now's (zero now: only a crossing counts).
func dayTicks(lo, hi, now time.Time) []gochart.Tick {
	days := int(hi.Sub(lo).Hours()/24) + 1
	every := max(1, (days+9)/10)
	var at []time.Time
	for d := lo; !d.After(hi); d = d.AddDate(0, 0, every) {
		at = append(at, d)
	}
	if len(at) == 0 {
		return nil
	}
	if last := at[len(at)-1]; last.Before(hi) {
		if len(at) > 1 { // the next regular tick would be after hi
			at = at[:len(at)-1]
		}
		at = append(at, hi)
	}
	years := lo.Year() != hi.Year() || (!now.IsZero() && lo.Year() != now.In(lo.Location()).Year())
	ticks := make([]gochart.Tick, len(at))
	for i, d := range at {
		layout := "01-02"
		if years && (i == 0 || d.Year() != at[i-1].Year()) {
			layout = "2006-01-02"
		}
		ticks[i] = gochart.Tick{Value: float64(d.UnixNano()), Label: d.Format(layout)}
	}
	return ticks
}
