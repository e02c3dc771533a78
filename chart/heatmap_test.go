package chart

import (
	"image"
	"testing"
)

// TestHeatmapCellBaseline: the numbers of a row sit on one baseline, the
// diagonal's bare count ("8") as the others' count with a lift beside it
// ("8 (8.88)", whose brackets reach lower): the bottom of the first "8"'s
// ink is at the same height in every cell of the row.
func TestHeatmapCellBaseline(t *testing.T) {
	r := testRenderer(t)
	labels := []string{"健身爱好者", "咖啡成瘾者", "深夜咨询"}
	values := [][]float64{{1, 1, 1}, {1, 1, 1}, {1, 1, 10}} // rows 0 and 1 light: black numbers
	cells := [][]string{{"8", "8 (8.88)", "8 (—)"}, {"8 (8.88)", "8", "8 (8.88)"}, {"8", "8", "8"}}
	b, err := r.Heatmap(HeatmapData{Title: "标签重叠", Rows: labels, Cols: labels, Values: values, Cells: cells})
	if err != nil {
		t.Fatal(err)
	}
	keepPNG(t, "heatmap-baseline.png", b)
	img := decode(t, b)
	x0, y0 := heatLabelW, heatTitleH+heatLabelH
	cw := (DefaultWidth - x0 - heatPadding) / 3
	ch := (DefaultHeight - y0 - heatPadding) / 3
	for i := 0; i < 2; i++ {
		var bottoms []int
		for j := 0; j < 3; j++ {
			cell := image.Rect(x0+j*cw+3, y0+i*ch+3, x0+(j+1)*cw-3, y0+(i+1)*ch-3)
			bottoms = append(bottoms, firstGlyphBottom(img, cell))
		}
		for j := 1; j < 3; j++ {
			if bottoms[j] != bottoms[0] {
				t.Errorf("row %d: the number of cell %d (%q) ends at y=%d, of cell 0 (%q) at y=%d; want one baseline",
					i, j, cells[i][j], bottoms[j], cells[i][0], bottoms[0])
			}
		}
	}
}

// firstGlyphBottom is the lowest row of dark ink in the 4 columns from the
// leftmost dark pixel in r: the bottom of the first glyph drawn there.
func firstGlyphBottom(img image.Image, r image.Rectangle) int {
	left := -1
	for x := r.Min.X; x < r.Max.X && left < 0; x++ {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			if lum(img, x, y) < 110 {
				left = x
				break
			}
		}
	}
	bottom := -1
	for x := left; left >= 0 && x < left+4; x++ {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			if lum(img, x, y) < 110 {
				bottom = max(bottom, y)
			}
		}
	}
	return bottom
}
