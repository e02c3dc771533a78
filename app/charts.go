package app

import (
	"log/slog"

	"github.com/tagbot/tagbot/chart"
)

// loadCharts loads the CJK font charts are drawn with. Without it charts
// are off, said once here, and replies carry their text summaries alone
// (never charts with a box for every Chinese character).
func loadCharts(log *slog.Logger) *chart.Renderer {
	r, err := chart.LoadFont(chart.DefaultFontPath)
	if err != nil {
		log.Warn("charts off: CJK font missing, replies stay text only (apt-get install fonts-wqy-microhei)",
			"path", chart.DefaultFontPath, "err", err)
		return nil
	}
	return r
}
