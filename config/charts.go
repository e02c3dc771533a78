package config

// DefaultChartFont is WenQuanYi Micro Hei as Debian's fonts-wqy-microhei
// installs it (charts.font). 图表用的中文字体默认路径。
const DefaultChartFont = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

// Charts configures the PNG charts sent in chat (package chart).
type Charts struct {
	// Font is a TrueType font or collection with Chinese glyphs; empty
	// turns charts off. A file missing at start turns them off too, with
	// one log line; replies then carry their text alone.
	Font string
}
