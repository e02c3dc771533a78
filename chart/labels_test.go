package chart

import (
	"testing"
	"unicode/utf8"

	gochart "github.com/wcharczuk/go-chart/v2"
)

func TestPlainMarkers(t *testing.T) {
	r := testRenderer(t)
	for _, tc := range []struct{ name, in, want string }{
		{"display escape", "展会⟨U+202E⟩客户", "展会<U+202E>客户"},
		{"raw bidi override", "展会\u202e客户", "展会<U+202E>客户"},
		{"zero width", "李\u200b华", "李<U+200B>华"},
		{"line break", "a\nb", "a b"},
		{"plain Chinese untouched", "高意向 VIP", "高意向 VIP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.plain(tc.in); got != tc.want {
				t.Errorf("plain(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestLabelsDistinct(t *testing.T) {
	r := testRenderer(t)
	for _, tc := range []struct {
		name string
		in   []string
		n    int
		want []string
	}{
		{"alike start, cut in the middle keeps the ends", []string{"健身爱好者俱乐部会员甲", "健身爱好者俱乐部会员乙"}, 8,
			[]string{"健身爱好…会员甲", "健身爱好…会员乙"}},
		{"alike but for the middle: numbered", []string{"健身爱好者A俱乐部会员", "健身爱好者B俱乐部会员"}, 8,
			[]string{"健身爱好…部会员", "健身爱…会员#2"}},
		{"short names untouched", []string{"高意向", "VIP"}, 8, []string{"高意向", "VIP"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := r.labels(tc.in, tc.n, 0, nil)
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("label %d = %q, want %q", i, got[i], tc.want[i])
				}
				if utf8.RuneCountInString(got[i]) > tc.n {
					t.Errorf("label %d %q is longer than %d runes", i, got[i], tc.n)
				}
			}
		})
	}
}

// TestHeatmapRowLabelsInside: a long row label is cut to the label column's
// pixel width, so no ink reaches the left margin of the image.
func TestHeatmapRowLabelsInside(t *testing.T) {
	r := testRenderer(t)
	rows := []string{"盖盖盖盖盖盖盖盖盖盖", "ＷＷＷＷＷＷＷＷＷ"}
	b, err := r.Heatmap(HeatmapData{Title: "重叠", Rows: rows, Cols: rows, Values: [][]float64{{3, 1}, {1, 2}}, Width: 500, Height: 400})
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)
	for y := heatTitleH; y < img.Bounds().Dy(); y++ {
		for x := 0; x < heatPadding/2; x++ {
			if cr, cg, cb, _ := img.At(x, y).RGBA(); cr>>8 < 200 || cg>>8 < 200 || cb>>8 < 200 {
				t.Fatalf("ink at (%d, %d): a row label starts off the left edge", x, y)
			}
		}
	}
	cv, _ := gochart.PNG(10, 10)
	cv.SetFont(r.font)
	cv.SetFontSize(10)
	labels := r.labels(rows, 8, heatLabelW-6-heatPadding, func(s string) int { return cv.MeasureText(s).Width() })
	if labels[0] == labels[1] {
		t.Errorf("two rows share the label %q", labels[0])
	}
}
