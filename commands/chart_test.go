package commands

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"testing"

	"github.com/tagbot/tagbot/chart"
)

func TestChartReply(t *testing.T) {
	r, err := chart.LoadFont(chart.DefaultFontPath)
	if err != nil {
		if os.Getenv("TAGBOT_REQUIRE_FONT") != "" {
			t.Fatalf("CJK font required: %v", err)
		}
		t.Skipf("no CJK font: %v", err)
	}
	bars := func(c *chart.Renderer) ([]byte, error) {
		return c.Bars(chart.BarsData{Title: "各标签客户数", Bars: []chart.Bar{{Label: "高意向", Value: 2}}, Width: 300, Height: 200})
	}
	failing := func(*chart.Renderer) ([]byte, error) { return nil, errors.New("boom") }
	tests := []struct {
		name      string
		charts    *chart.Renderer
		draw      func(*chart.Renderer) ([]byte, error)
		wantImage bool
	}{
		{"drawn", r, bars, true},
		{"no font", nil, bars, false},
		{"draw fails", r, failing, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.r.charts = tt.charts
			got := e.r.ChartReply("高意向 2 人", "stats.png", tt.draw)
			if got.Text != "高意向 2 人" || (got.Image != nil) != tt.wantImage {
				t.Fatalf("reply text %q, image %v; want the text and image %v", got.Text, got.Image != nil, tt.wantImage)
			}
			if tt.wantImage {
				if _, err := png.Decode(bytes.NewReader(got.Image.Data)); err != nil || got.Image.Name != "stats.png" {
					t.Fatalf("image %q: %v", got.Image.Name, err)
				}
			}
		})
	}
}
