// Package chart draws the PNG charts tagbot sends in chat: bars for
// distributions, lines for trends and a heat map for overlaps, with a title
// and Chinese labels. 图表：柱状图、折线图、热力图，输出 PNG。
//
// It is pure Go (github.com/wcharczuk/go-chart/v2 and its freetype
// rasteriser, no cgo). Chinese needs a CJK font: LoadFont reads
// WenQuanYi Micro Hei from the system (Debian's fonts-wqy-microhei,
// DefaultFontPath); without one there is no Renderer, and callers send the
// text summary alone rather than charts with boxes for every character.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/golang/freetype/truetype"
	gochart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// DefaultFontPath is where Debian's fonts-wqy-microhei puts WenQuanYi Micro
// Hei (a TrueType collection; its first face, the proportional one, is used).
const DefaultFontPath = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

// Default chart size in pixels.
const (
	DefaultWidth  = 800
	DefaultHeight = 480
)

// MaxItems caps bars, series and heat-map rows so a chart stays legible.
const MaxItems = 30

// ErrNoFont means the CJK font could not be loaded: no charts, text only.
var ErrNoFont = errors.New("chart: CJK font not available")

// ErrNoData means there is nothing to draw.
var ErrNoData = errors.New("chart: no data")

// probe is text the font must have glyphs for to be accepted.
const probe = "客户标签高意向数量趋势"

// Renderer draws charts with one loaded font. It is safe for concurrent
// use: every chart gets its own canvas.
type Renderer struct {
	font *truetype.Font
}

// LoadFont reads a TrueType font or collection (the first face) from path
// and checks that it has Chinese glyphs. A missing or unusable file wraps
// ErrNoFont.
func LoadFont(path string) (*Renderer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoFont, err)
	}
	return ParseFont(data)
}

// ParseFont is LoadFont on font bytes already read.
func ParseFont(data []byte) (*Renderer, error) {
	f, err := truetype.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoFont, err)
	}
	for _, r := range probe {
		if f.Index(r) == 0 {
			return nil, fmt.Errorf("%w: no glyph for %q", ErrNoFont, r)
		}
	}
	return &Renderer{font: f}, nil
}

// size returns w×h with the defaults for zero values.
func size(w, h int) (int, int) {
	if w <= 0 {
		w = DefaultWidth
	}
	if h <= 0 {
		h = DefaultHeight
	}
	return w, h
}

// titleH is the height of the title band at the top of a canvas.
const titleH = 40

// canvas is a white w×h raster canvas with the font set and the title
// drawn centred at the top (14 pt, black), for the charts tagbot draws
// itself (go-chart has no heat map, and its bar chart cannot fit labels).
func (r *Renderer) canvas(w, h int, title string) (gochart.Renderer, error) {
	cv, err := gochart.PNG(w, h)
	if err != nil {
		return nil, fmt.Errorf("chart: canvas: %w", err)
	}
	fillRect(cv, 0, 0, w, h, drawing.ColorWhite)
	cv.SetFont(r.font)
	cv.SetFontColor(drawing.ColorBlack)
	cv.SetFontSize(14)
	title = r.plain(title)
	tb := cv.MeasureText(title)
	cv.Text(title, (w-tb.Width())/2, 10+tb.Height())
	return cv, nil
}

// pngBytes renders with r into a buffer.
func pngBytes(render func(w *bytes.Buffer) error) ([]byte, error) {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return nil, fmt.Errorf("chart: render: %w", err)
	}
	return buf.Bytes(), nil
}
