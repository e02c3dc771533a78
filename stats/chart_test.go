package stats

import (
	"bytes"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

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
	// a tag without customers has no lift: the cell says —, not 0.00
	c, _ = ChartOf(Result{Kind: KindCross, Cross: &Cross{Tags: testLibrary.Tags[:2], Customers: 5, Counts: [][]int{{2, 0}, {0, 0}}}})
	if got := c.Heatmap.Cells; !cmp.Equal(got, [][]string{{"2", "0 (—)"}, {"0 (—)", "0"}}) {
		t.Errorf("heat map cells with an empty tag = %q, want the lift shown as —", got)
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
	if !c.Lines.Now.IsZero() {
		t.Errorf("trend chart clock %v, want zero for a result without At", c.Lines.Now)
	}
	at := f.clk.Now()
	if c, _ = ChartOf(Result{Kind: KindTrend, Trend: tr, At: at}); !c.Lines.Now.Equal(at) {
		t.Errorf("trend chart clock %v, want the result's %v (dates of another year show it)", c.Lines.Now, at)
	}
	if _, ok := ChartOf(Result{Kind: KindChannels}); ok {
		t.Error("channels without channels has a chart, want none")
	}
}

// TestChartTitleScope: an employee's chart titles count "你跟进的" customers,
// as the text does; a manager's count "共".
func TestChartTitleScope(t *testing.T) {
	f := seed(t)
	for _, mine := range []bool{false, true} {
		word := "共"
		if mine {
			word = "你跟进的"
		}
		for _, q := range []Query{{Kind: KindOverview}, {Kind: KindCross, Tags: testLibrary.Tags[:2]}} {
			sc := Scope{}
			if mine {
				sc.Follower = "zs"
			}
			res, err := f.s.Run(q, sc)
			if err != nil {
				t.Fatal(err)
			}
			if res.Mine != mine {
				t.Errorf("%s: Result.Mine = %v for scope %+v, want %v", q.Kind, res.Mine, sc, mine)
			}
			c, ok := ChartOf(res)
			if !ok {
				t.Fatalf("%s: no chart", q.Kind)
			}
			title := ""
			if c.Bars != nil {
				title = c.Bars.Title
			} else {
				title = c.Heatmap.Title
			}
			if !strings.Contains(title, word) || (mine && strings.Contains(title, "共")) {
				t.Errorf("%s mine=%v: title %q, want %q", q.Kind, mine, title, word)
			}
		}
	}
}

// TestChartRulesAndChannels: /stats rules draws each rule's confirm rate
// (rules with nothing decided have none and are left out), /stats
// channels the customers per channel, most first.
func TestChartRulesAndChannels(t *testing.T) {
	rules := &Rules{Rules: []RuleCount{
		{Rule: "价格", Confirmed: 1, Rejected: 1, Expired: 1, Pending: 1},
		{Rule: "夜间", Pending: 2},
		{Rule: "新客", Confirmed: 3},
	}}
	c, ok := ChartOf(Result{Kind: KindRules, Rules: rules})
	if !ok || c.Bars == nil || !c.Bars.Percent {
		t.Fatalf("rules chart: ok %v, %+v; want percent bars", ok, c.Bars)
	}
	want := []chart.Bar{{Label: "价格", Value: 100.0 / 3}, {Label: "新客", Value: 100}}
	if d := cmp.Diff(want, c.Bars.Bars, cmpopts.EquateApprox(0, 1e-9)); d != "" {
		t.Errorf("rules bars differ (-want +got):\n%s", d)
	}
	if _, ok := ChartOf(Result{Kind: KindRules, Rules: &Rules{Rules: []RuleCount{{Rule: "夜间", Pending: 2}}}}); ok {
		t.Error("rules with nothing decided have a chart, want none")
	}
	chs := &Channels{Rows: []ChannelRow{{Name: "展会", Customers: 3}, {Name: "官网", Customers: 0}, {Name: "门店", Customers: 5}}}
	c, ok = ChartOf(Result{Kind: KindChannels, Channels: chs})
	if !ok || c.Bars == nil {
		t.Fatalf("channels chart: ok %v; want bars", ok)
	}
	want = []chart.Bar{{Label: "门店", Value: 5}, {Label: "展会", Value: 3}, {Label: "官网", Value: 0}}
	if d := cmp.Diff(want, c.Bars.Bars); d != "" {
		t.Errorf("channel bars differ (-want +got):\n%s", d)
	}
	if c, _ := ChartOf(Result{Kind: KindChannels, Channels: chs, Mine: true}); !strings.Contains(c.Bars.Title, "你跟进的") {
		t.Errorf("an employee's channels title %q, want 你跟进的", c.Bars.Title)
	}
	if _, ok := ChartOf(Result{Kind: KindChannels, Channels: &Channels{Rows: []ChannelRow{{Name: "官网"}}}}); ok {
		t.Error("channels without customers have a chart, want none")
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
