package stats

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/tagbot/tagbot/chart"
	"github.com/tagbot/tagbot/internal/display"
)

// Chart is the chart data of a Result, ready for package chart: bars for
// the overview's distribution, the team, the rules' confirm rates and the
// channels' customers, lines for a trend, a heat map for a cross
// analysis. Exactly one field is set.
type Chart struct {
	Bars    *chart.BarsData
	Lines   *chart.LinesData
	Heatmap *chart.HeatmapData
}

// ChartOf returns the chart of res; ok is false when its kind has none or
// there is nothing to draw (no tag has customers, no change in the window).
func ChartOf(res Result) (c Chart, ok bool) {
	switch {
	case res.Overview != nil:
		return overviewChart(res.Overview, res.Mine)
	case res.Cross != nil:
		return crossChart(res.Cross, res.Mine), true
	case res.Trend != nil:
		return trendChart(res.Trend, res.At)
	case res.Team != nil && len(res.Team.People) > 1:
		d := &chart.BarsData{Title: "各员工标签变更数"}
		for _, p := range res.Team.People[:min(len(res.Team.People), chart.MaxItems)] {
			d.Bars = append(d.Bars, chart.Bar{Label: display.Name(p.UserID), Value: float64(p.Changes)})
		}
		return Chart{Bars: d}, true
	case res.Rules != nil:
		return rulesChart(res.Rules, res.Mine)
	case res.Channels != nil:
		return channelsChart(res.Channels, res.Mine)
	}
	return Chart{}, false
}

// Draw renders the chart as PNG.
func (c Chart) Draw(r *chart.Renderer) ([]byte, error) {
	switch {
	case c.Bars != nil:
		return r.Bars(*c.Bars)
	case c.Lines != nil:
		return r.Lines(*c.Lines)
	case c.Heatmap != nil:
		return r.Heatmap(*c.Heatmap)
	}
	return nil, chart.ErrNoData
}

// overviewChart is a bar per tag with customers, most first (at most
// chart.MaxItems).
func overviewChart(ov *Overview, mine bool) (Chart, bool) {
	var all []TagCount
	for _, g := range ov.Groups {
		for _, tc := range g.Tags {
			if tc.Customers > 0 {
				all = append(all, tc)
			}
		}
	}
	if len(all) == 0 {
		return Chart{}, false
	}
	slices.SortStableFunc(all, func(a, b TagCount) int { return cmp.Compare(b.Customers, a.Customers) })
	d := &chart.BarsData{Title: fmt.Sprintf("各标签客户数（%s %d 位客户）", scopeWord(mine), ov.Customers)}
	for _, tc := range all[:min(len(all), chart.MaxItems)] {
		d.Bars = append(d.Bars, chart.Bar{Label: display.Name(tc.Tag.Name), Value: float64(tc.Customers)})
	}
	return Chart{Bars: d}, true
}

// crossChart is the overlap matrix as a heat map: customers having both
// tags, with the lift beside each count off the diagonal.
func crossChart(c *Cross, mine bool) Chart {
	d := &chart.HeatmapData{Title: fmt.Sprintf("标签重叠（%s %d 位客户；括号内为提升度）", scopeWord(mine), c.Customers)}
	for i, t := range c.Tags {
		name := display.Name(t.Name)
		d.Rows, d.Cols = append(d.Rows, name), append(d.Cols, name)
		vals := make([]float64, len(c.Tags))
		cells := make([]string, len(c.Tags))
		for j := range c.Tags {
			vals[j] = float64(c.Counts[i][j])
			cells[j] = fmt.Sprint(c.Counts[i][j])
			switch {
			case i == j:
			case c.HasLift(i, j):
				cells[j] += fmt.Sprintf(" (%.2f)", c.Lift(i, j))
			default:
				cells[j] += " (—)" // a tag without customers: no lift
			}
		}
		d.Values, d.Cells = append(d.Values, vals), append(d.Cells, cells)
	}
	return Chart{Heatmap: d}
}

// trendChart is two lines, adds and removes, per day or week; at is the
// answer's time (dates outside its year show the year).
func trendChart(tr *Trend, at time.Time) (Chart, bool) {
	adds := chart.Series{Name: "新增"}
	removes := chart.Series{Name: "移除"}
	moved := false
	for _, p := range tr.Points {
		adds.Points = append(adds.Points, chart.Point{At: p.Start, Value: float64(p.Adds)})
		removes.Points = append(removes.Points, chart.Point{At: p.Start, Value: float64(p.Removes)})
		moved = moved || p.Adds > 0 || p.Removes > 0
	}
	if !moved {
		return Chart{}, false
	}
	unit := "每天"
	if tr.Weekly {
		unit = "每周"
	}
	return Chart{Lines: &chart.LinesData{Title: fmt.Sprintf("「%s」%s新增与移除的客户", display.Name(tr.Tag.Name), unit),
		Series: []chart.Series{adds, removes}, Now: at}}, true
}

// rulesChart is each rule's confirm rate in percent, in the text's order
// (most suggestions first); a rule with nothing decided has no rate and
// no bar, and with no rate at all there is no chart.
func rulesChart(rs *Rules, mine bool) (Chart, bool) {
	title := "各规则建议确认率"
	if mine {
		title = "你收到的各规则建议确认率"
	}
	d := &chart.BarsData{Title: title, Percent: true}
	for _, r := range rs.Rules {
		if r.Decided() > 0 && len(d.Bars) < chart.MaxItems {
			d.Bars = append(d.Bars, chart.Bar{Label: display.Name(r.Rule), Value: 100 * r.ConfirmRate()})
		}
	}
	return Chart{Bars: d}, len(d.Bars) > 0
}

// channelsChart is the customers each channel QR code brought, most
// first; none when no channel brought any. The title gives no total: a
// customer who scanned two codes counts under both.
func channelsChart(cs *Channels, mine bool) (Chart, bool) {
	rows := slices.Clone(cs.Rows)
	slices.SortStableFunc(rows, func(a, b ChannelRow) int { return cmp.Compare(b.Customers, a.Customers) })
	if len(rows) == 0 || rows[0].Customers == 0 {
		return Chart{}, false
	}
	title := "各渠道二维码带来的客户数"
	if mine {
		title += "（你跟进的）"
	}
	d := &chart.BarsData{Title: title}
	for _, r := range rows[:min(len(rows), chart.MaxItems)] {
		d.Bars = append(d.Bars, chart.Bar{Label: display.Name(r.Name), Value: float64(r.Customers)})
	}
	return Chart{Bars: d}, true
}
