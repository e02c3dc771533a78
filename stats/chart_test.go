package stats

import (
	"bytes"
	"image/png"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/chart"
	"github.com/tagbot/tagbot/store"
)

func TestChartOf(t *testing.T) {
	f := seed(t)
	ov, err := f.s.Overview(Scope{})
	if err != nil {
		t.Fatal(err)
	}
	c, ok := ChartOf(Result{Kind: KindOverview, Overview: ov})
	if !ok || c.Bars == nil {
		t.Fatalf("overview chart: ok %v, bars %v; want bars", ok, c.Bars)
	}
	wantBars := []chart.Bar{{Label: "高意向", Value: 4}, {Label: "健身", Value: 3}, {Label: "咖啡", Value: 3}, {Label: "VIP", Value: 1}}
	if d := cmp.Diff(wantBars, c.Bars.Bars); d != "" {
		t.Errorf("overview bars differ (-want +got):\n%s", d)
	}
	cr, err := f.s.Cross([]store.Tag{testLibrary.Tags[2], testLibrary.Tags[3]}, 1, Scope{})
	if err != nil {
		t.Fatal(err)
	}
	c, ok = ChartOf(Result{Kind: KindCross, Cross: cr})
	if !ok || c.Heatmap == nil {
		t.Fatalf("cross chart: ok %v; want a heat map", ok)
	}
	want := chart.HeatmapData{Title: c.Heatmap.Title, Rows: []string{"健身", "咖啡"}, Cols: []string{"健身", "咖啡"},
		Values: [][]float64{{3, 2}, {2, 3}}, Cells: [][]string{{"3", "2 (1.33)"}, {"2 (1.33)", "3"}}}
	if d := cmp.Diff(want, *c.Heatmap); d != "" {
		t.Errorf("heat map differs (-want +got):\n%s", d)
	}
	tr, err := f.s.Trend(testLibrary.Tags[0], f.clk.Now().AddDate(0, 0, -25), f.clk.Now(), Scope{})
	if err != nil {
		t.Fatal(err)
	}
	c, ok = ChartOf(Result{Kind: KindTrend, Trend: tr})
	if !ok || c.Lines == nil || len(c.Lines.Series) != 2 {
		t.Fatalf("trend chart: ok %v, lines %+v; want two series", ok, c.Lines)
	}
	sum := func(s chart.Series) (n float64) {
		for _, p := range s.Points {
			n += p.Value
		}
		return n
	}
	if got := [2]float64{sum(c.Lines.Series[0]), sum(c.Lines.Series[1])}; got != [2]float64{5, 1} {
		t.Errorf("trend series sums (adds, removes) = %v, want [5 1]", got)
	}
	if _, ok := ChartOf(Result{Kind: KindChannels}); ok {
		t.Error("channels has a chart, want none")
	}
}

// TestChartDraws draws each chart with the CJK font (skipped without it,
// unless TAGBOT_REQUIRE_FONT is set) and checks the PNG decodes.
func TestChartDraws(t *testing.T) {
	r, err := chart.LoadFont(chart.DefaultFontPath)
	if err != nil {
		if os.Getenv("TAGBOT_REQUIRE_FONT") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	f := seed(t)
	for _, q := range []Query{{Kind: KindOverview}, {Kind: KindCross, Tags: testLibrary.Tags[:3]}, {Kind: KindTrend, Tags: testLibrary.Tags[:1]}, {Kind: KindTeam}} {
		t.Run(string(q.Kind), func(t *testing.T) {
			res, err := f.s.Run(q, Scope{})
			if err != nil {
				t.Fatal(err)
			}
			c, ok := ChartOf(res)
			if !ok {
				t.Fatal("no chart")
			}
			b, err := c.Draw(r)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if got := img.Bounds().Size(); got.X != chart.DefaultWidth || got.Y != chart.DefaultHeight {
				t.Errorf("size %v, want %dx%d", got, chart.DefaultWidth, chart.DefaultHeight)
			}
		})
	}
}
