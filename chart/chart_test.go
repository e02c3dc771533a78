package chart

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"os"
	"testing"
	"time"

	gochart "github.com/wcharczuk/go-chart/v2"
)

// testRenderer loads the system CJK font. Without it the test is skipped,
// unless TAGBOT_REQUIRE_FONT is set (.ci/run sets it after installing the
// font), when it fails.
func testRenderer(t *testing.T) *Renderer {
	t.Helper()
	r, err := LoadFont(DefaultFontPath)
	if err != nil {
		if os.Getenv("TAGBOT_REQUIRE_FONT") != "" {
			t.Fatalf("CJK font required: %v (apt-get install fonts-wqy-microhei)", err)
		}
		t.Skipf("no CJK font (%v): apt-get install fonts-wqy-microhei", err)
	}
	return r
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	return img
}

func TestChartsDecodeWithSize(t *testing.T) {
	r := testRenderer(t)
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		draw func() ([]byte, error)
		w, h int
	}{
		{"bars", func() ([]byte, error) {
			return r.Bars(BarsData{Title: "各标签客户数", Bars: []Bar{{"高意向", 12}, {"中意向", 7}, {"VIP", 3}}})
		}, DefaultWidth, DefaultHeight},
		{"bars all zero", func() ([]byte, error) {
			return r.Bars(BarsData{Title: "空", Bars: []Bar{{"高意向", 0}}, Width: 400, Height: 300})
		}, 400, 300},
		{"lines", func() ([]byte, error) {
			return r.Lines(LinesData{Title: "高意向趋势", Series: []Series{
				{"新增", []Point{{day, 3}, {day.AddDate(0, 0, 1), 5}, {day.AddDate(0, 0, 2), 1}}},
				{"移除", []Point{{day, 0}, {day.AddDate(0, 0, 1), 2}, {day.AddDate(0, 0, 2), 4}}},
			}, Width: 640, Height: 360})
		}, 640, 360},
		{"lines one day", func() ([]byte, error) {
			return r.Lines(LinesData{Title: "一天", Series: []Series{{"新增", []Point{{day, 2}}}}})
		}, DefaultWidth, DefaultHeight},
		{"heatmap", func() ([]byte, error) {
			return r.Heatmap(HeatmapData{Title: "标签重叠", Rows: []string{"健身爱好者", "咖啡成瘾者"},
				Cols: []string{"健身爱好者", "咖啡成瘾者"}, Values: [][]float64{{10, 4}, {4, 8}}, Width: 500, Height: 500})
		}, 500, 500},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := c.draw()
			if err != nil {
				t.Fatalf("draw: %v", err)
			}
			got := decode(t, b).Bounds().Size()
			if got.X != c.w || got.Y != c.h {
				t.Errorf("size = %dx%d, want %dx%d", got.X, got.Y, c.w, c.h)
			}
		})
	}
}

func TestNoData(t *testing.T) {
	r := testRenderer(t)
	if _, err := r.Bars(BarsData{Title: "x"}); !errors.Is(err, ErrNoData) {
		t.Errorf("Bars with no bars: err = %v, want ErrNoData", err)
	}
	if _, err := r.Lines(LinesData{Title: "x", Series: []Series{{Name: "a"}}}); !errors.Is(err, ErrNoData) {
		t.Errorf("Lines with empty series: err = %v, want ErrNoData", err)
	}
	if _, err := r.Heatmap(HeatmapData{Title: "x"}); !errors.Is(err, ErrNoData) {
		t.Errorf("Heatmap with no rows: err = %v, want ErrNoData", err)
	}
}

func TestFontWithoutCJKRefused(t *testing.T) {
	if _, err := LoadFont("/nonexistent/font.ttc"); !errors.Is(err, ErrNoFont) {
		t.Errorf("missing file: err = %v, want ErrNoFont", err)
	}
	if _, err := ParseFont([]byte("not a font")); !errors.Is(err, ErrNoFont) {
		t.Errorf("garbage: err = %v, want ErrNoFont", err)
	}
}

// titleArea returns the top rows of a rendered chart, where only the
// title is drawn, and how many of its pixels are not white.
func titleArea(t *testing.T, b []byte) (pix []uint32, ink int) {
	t.Helper()
	img := decode(t, b)
	for y := 0; y < 36; y++ {
		for x := 0; x < img.Bounds().Dx(); x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			pix = append(pix, r>>8<<16|g>>8<<8|bl>>8)
			if r>>8 < 200 || g>>8 < 200 || bl>>8 < 200 {
				ink++
			}
		}
	}
	return pix, ink
}

// TestChineseLabelsDrawn proves the title's Chinese characters are drawn as
// glyphs: two titles of the same length that differ only in one character
// must give different pixels. A font without CJK glyphs draws the same
// missing-glyph box for both, which the second half checks the test would
// notice.
func TestChineseLabelsDrawn(t *testing.T) {
	fonts := map[string]*Renderer{"wqy": testRenderer(t)}
	roboto, err := gochart.GetDefaultFont()
	if err != nil {
		t.Fatal(err)
	}
	fonts["roboto"] = &Renderer{font: roboto}
	differs := map[string]bool{}
	for name, r := range fonts {
		var areas [][]uint32
		for _, title := range []string{"高意向客户", "低意向客户"} {
			b, err := r.Bars(BarsData{Title: title, Bars: []Bar{{"甲", 1}}, Width: 400, Height: 240})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			pix, ink := titleArea(t, b)
			if ink < 20 {
				t.Fatalf("%s %q: %d ink pixels in the title area, want some", name, title, ink)
			}
			areas = append(areas, pix)
		}
		differs[name] = !equalPix(areas[0], areas[1])
	}
	if !differs["wqy"] {
		t.Errorf("with WenQuanYi, 高意向客户 and 低意向客户 render the same title pixels: glyphs not drawn")
	}
	if differs["roboto"] {
		t.Errorf("with Roboto (no CJK), the titles differ: the check could not tell tofu from glyphs")
	}
}

func equalPix(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
