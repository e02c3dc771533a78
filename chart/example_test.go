package chart_test

import (
	"fmt"
	"time"

	"github.com/tagbot/tagbot/chart"
)

// A bar chart of customers per tag, a trend and an overlap heat map; each
// call returns PNG bytes to send as an image (commands.Reply.Image).
func Example() {
	r, err := chart.LoadFont(chart.DefaultFontPath)
	if err != nil {
		fmt.Println("no charts, text only:", err) // errors.Is(err, chart.ErrNoFont)
		return
	}
	bars, _ := r.Bars(chart.BarsData{Title: "各标签客户数", Bars: []chart.Bar{{Label: "高意向", Value: 12}, {Label: "VIP", Value: 3}}})
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.Local)
	trend, _ := r.Lines(chart.LinesData{Title: "高意向 每日变化", Series: []chart.Series{
		{Name: "新增", Points: []chart.Point{{At: day, Value: 3}, {At: day.AddDate(0, 0, 1), Value: 5}}},
	}})
	heat, _ := r.Heatmap(chart.HeatmapData{Title: "标签重叠", Rows: []string{"高意向", "VIP"}, Cols: []string{"高意向", "VIP"},
		Values: [][]float64{{12, 2}, {2, 3}}})
	fmt.Println(len(bars) > 0, len(trend) > 0, len(heat) > 0)
}
