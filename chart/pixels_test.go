package chart

import (
	"fmt"
	"image"
	"image/draw"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Pixel checks that do not depend on exact glyph shapes: they count dark
// (text) pixels in the box where a label belongs, or compare two renders
// that differ in one label only.

// lum is the 0–255 luminance of the pixel at (x, y).
func lum(img image.Image, x, y int) int {
	r, g, b, _ := img.At(x, y).RGBA()
	return int((299*(r>>8) + 587*(g>>8) + 114*(b>>8)) / 1000)
}

// saturated is a coloured pixel (a bar), not white, grey or black text.
func saturated(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	hi := max(r, g, b) >> 8
	lo := min(r, g, b) >> 8
	return hi-lo > 60
}

// inkIn counts dark pixels (luminance < 110) and light ones (> 220) in
// the rectangle r.
func inkIn(img image.Image, r image.Rectangle) (dark, light int) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			switch l := lum(img, x, y); {
			case l < 110:
				dark++
			case l > 220:
				light++
			}
		}
	}
	return dark, light
}

// keepPNG writes b under TAGBOT_CHART_DIR, when set, to look at.
func keepPNG(t *testing.T, name string, b []byte) {
	t.Helper()
	if dir := os.Getenv("TAGBOT_CHART_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHeatmapLabelsDark: every row and column label is dark ink on a
// light background, also when the cell drawn just before it is dark (its
// number is white). Row i's label lies left of the cells, in row i's band.
func TestHeatmapLabelsDark(t *testing.T) {
	r := testRenderer(t)
	six := []string{"健身爱好者", "咖啡成瘾者", "深夜咨询", "周末活跃", "高意向", "华东区客户"}
	dark6 := make([][]float64, 6)
	for i := range dark6 {
		dark6[i] = []float64{1, 2, 3, 4, 5, 6} // the last cell of every row is the darkest
		for j := range dark6[i] {
			dark6[i][j] += float64(i)
		}
	}
	for _, tc := range []struct {
		name   string
		labels []string
		values [][]float64
	}{
		{"2x2", []string{"健身爱好者", "咖啡成瘾者"}, [][]float64{{10, 8}, {8, 9}}},
		{"6x6", six, dark6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := r.Heatmap(HeatmapData{Title: "标签重叠", Rows: tc.labels, Cols: tc.labels, Values: tc.values})
			if err != nil {
				t.Fatal(err)
			}
			keepPNG(t, "heatmap-"+tc.name+".png", b)
			img := decode(t, b)
			n := len(tc.labels)
			x0, y0 := heatLabelW, heatTitleH+heatLabelH
			cw := (DefaultWidth - x0 - heatPadding) / n
			ch := (DefaultHeight - y0 - heatPadding) / n
			for i, label := range tc.labels {
				box := image.Rect(heatPadding, y0+i*ch, x0-2, y0+(i+1)*ch)
				dark, light := inkIn(img, box)
				if dark < 30 || light < box.Dx()*box.Dy()/2 {
					t.Errorf("row %d %s: %d dark and %d light pixels of %d in its label box, want ≥30 dark on a light background",
						i, label, dark, light, box.Dx()*box.Dy())
				}
				box = image.Rect(x0+i*cw, heatTitleH, x0+(i+1)*cw, y0-1)
				if dark, light := inkIn(img, box); dark < 30 || light < box.Dx()*box.Dy()/2 {
					t.Errorf("column %d %s: %d dark and %d light pixels in its label box, want ≥30 dark on light", i, label, dark, light)
				}
			}
		})
	}
}

// barColumns finds the bars of a bar chart: the baseline is the lowest
// row with a coloured pixel, and the bars are the runs, at least 4 pixels
// wide, of not-white pixels two rows above it, as [left, right) x ranges.
func barColumns(img image.Image) (cols [][2]int, base int) {
	bounds := img.Bounds()
	base = -1
	for y := bounds.Max.Y - 1; y >= 0 && base < 0; y-- {
		for x := 0; x < bounds.Max.X; x++ {
			if saturated(img, x, y) {
				base = y
				break
			}
		}
	}
	y := base - 2
	for x := 0; x < bounds.Max.X; x++ {
		start := x
		for x < bounds.Max.X && lum(img, x, y) < 235 {
			x++
		}
		if x-start >= 4 {
			cols = append(cols, [2]int{start, x})
		}
	}
	return cols, base
}

// cjkLabels are n distinct labels of k Chinese characters, all the same
// width in the font.
func cjkLabels(n, k int) []string {
	pool := []rune("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地玄黄宇宙洪荒日月盈昃")
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for j := 0; j < k; j++ {
			b.WriteRune(pool[(i+j*7)%len(pool)])
		}
		out[i] = b.String()
	}
	return out
}

// TestBarLabelsEveryBar: with 3, 12 and 30 bars of five-character Chinese
// labels, each probed bar's label (probed: ends and a middle pair) is
// drawn below the bars, inside the image and off its edges by the chart's
// margin (barPad), under or next to its own bar, and no two labels
// overlap. A label's ink is found by drawing the chart again with only that label changed (to
// the same characters, the middle ones swapped, so it has the same ink
// width): the pixels that differ are where it is.
func TestBarLabelsEveryBar(t *testing.T) {
	r := testRenderer(t)
	for _, n := range []int{3, 12, 30} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			labels := cjkLabels(n, 5)
			bars := make([]Bar, n)
			for i := range bars {
				bars[i] = Bar{Label: labels[i], Value: float64(n + 5 - i)}
			}
			b, err := r.Bars(BarsData{Title: "各标签客户数", Bars: bars})
			if err != nil {
				t.Fatal(err)
			}
			keepPNG(t, fmt.Sprintf("bars-%d.png", n), b)
			img := decode(t, b)
			cols, base := barColumns(img)
			if len(cols) != n {
				t.Fatalf("found %d bars, want %d", len(cols), n)
			}
			want := rgba(img)
			owner := make([]int, len(want.Pix)/4) // per pixel: 1 + the last label whose change changed it
			for _, i := range probed(n) {
				other := append([]Bar(nil), bars...)
				other[i].Label = swapMiddle(labels[i])
				b2, err := r.Bars(BarsData{Title: "各标签客户数", Bars: other})
				if err != nil {
					t.Fatal(err)
				}
				got := rgba(decode(t, b2))
				changed, overlap := 0, map[int]int{}
				box := image.Rectangle{Min: image.Pt(1<<30, 1<<30)}
				for p := 0; p < len(owner); p++ {
					if [4]uint8(want.Pix[4*p:]) == [4]uint8(got.Pix[4*p:]) {
						continue
					}
					x, y := p%DefaultWidth, p/DefaultWidth
					changed++
					box = box.Union(image.Rect(x, y, x+1, y+1))
					if owner[p] != 0 {
						overlap[owner[p]-1]++
					}
					owner[p] = i + 1
				}
				switch {
				case changed < 60:
					t.Errorf("bar %d %s: %d pixels change with its label, want its glyphs drawn", i, labels[i], changed)
				case box.Min.Y <= base:
					t.Errorf("bar %d %s: label ink at y=%d, above the baseline %d", i, labels[i], box.Min.Y, base)
				case box.Min.X < barPad || box.Max.X > DefaultWidth-barPad || box.Max.Y >= DefaultHeight:
					t.Errorf("bar %d %s: label ink %v within %d px of the edge of the %dx%d image (cut off or touching)", i, labels[i], box, barPad, DefaultWidth, DefaultHeight)
				case box.Max.X <= cols[i][0] || box.Min.X >= cols[i][1]+(cols[i][1]-cols[i][0]):
					t.Errorf("bar %d %s: label ink %v is not under its bar %v", i, labels[i], box, cols[i])
				}
				for j, shared := range overlap {
					if shared > 2 {
						t.Errorf("labels %d and %d overlap in %d pixels", j, i, shared)
					}
				}
			}
		})
	}
}

// probed are the bars of n whose labels TestBarLabelsEveryBar redraws
// (a redraw each, the test's whole cost): all of a few, else both ends
// and a neighbouring pair in the middle, so overlaps of neighbours show.
func probed(n int) []int {
	if n <= 4 {
		return []int{0, 1, 2, 3}[:n]
	}
	return []int{0, 1, n/2 - 1, n / 2, n - 2, n - 1}
}

// rgba is img as an *image.RGBA of DefaultWidth×DefaultHeight at (0, 0).
func rgba(img image.Image) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, DefaultWidth, DefaultHeight))
	draw.Draw(out, out.Rect, img, img.Bounds().Min, draw.Src)
	return out
}

// swapMiddle is s with its second and second-last runes swapped.
func swapMiddle(s string) string {
	rs := []rune(s)
	rs[1], rs[len(rs)-2] = rs[len(rs)-2], rs[1]
	return string(rs)
}

// TestBarsYAxisLeft: the y axis' numbers are left of the bars, and
// nothing is drawn right of the last bar.
func TestBarsYAxisLeft(t *testing.T) {
	r := testRenderer(t)
	b, err := r.Bars(BarsData{Title: "各标签客户数", Bars: []Bar{{"高意向", 120}, {"中意向", 70}, {"VIP", 30}}})
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)
	cols, base := barColumns(img)
	if len(cols) != 3 {
		t.Fatalf("found %d bars, want 3", len(cols))
	}
	if dark, _ := inkIn(img, image.Rect(0, heatTitleH, cols[0][0], base+1)); dark < 30 {
		t.Errorf("%d dark pixels left of the first bar, want the y axis' numbers", dark)
	}
	if dark, _ := inkIn(img, image.Rect(cols[2][1]+1, heatTitleH, DefaultWidth, base-1)); dark > 0 {
		t.Errorf("%d dark pixels right of the last bar, want none (the y axis is on the left)", dark)
	}
}

// TestBarLabelsLeftMargin: the first slanted label, reaching furthest
// left, keeps the chart's margin (barPad) from the image's left edge, as
// the value axis' numbers do: with 14 and 15 bars of long labels cut in
// the middle ("2024…户N") the plot moves right far enough.
func TestBarLabelsLeftMargin(t *testing.T) {
	r := testRenderer(t)
	for _, tc := range []struct {
		name string
		n    int
	}{{"健身爱好者", 14}, {"2024年春季展会新客户", 15}} {
		bars := make([]Bar, tc.n)
		for i := range bars {
			bars[i] = Bar{Label: fmt.Sprintf("%s%d", tc.name, i+1), Value: float64(tc.n + 5 - i)}
		}
		b, err := r.Bars(BarsData{Title: "各标签客户数", Bars: bars})
		if err != nil {
			t.Fatal(err)
		}
		img := decode(t, b)
		_, base := barColumns(img)
		left := DefaultWidth // leftmost ink under the axis and its "0"
		for y := base + 8; y < DefaultHeight; y++ {
			for x := 0; x < left; x++ {
				if lum(img, x, y) < 235 {
					left = x
				}
			}
		}
		if left < barPad {
			t.Errorf("%d bars %s…: the first label's ink starts at x=%d, want ≥ %d (the chart's margin)", tc.n, tc.name, left, barPad)
		}
	}
}
