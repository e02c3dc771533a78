package app

import (
	"log/slog"

	"github.com/tagbot/tagbot/chart"
)

// loadCharts loads the CJK font charts are drawn with (charts.font).
// Without it charts are off, said once here, and replies carry their text
// summaries alone (never charts with a box for every Chinese character).
func loadCharts(path string, log *slog.Logger) *chart.Renderer {
	if path == "" {
		log.Info("charts off: charts.font is empty")
		return nil
	}
	r, err := chart.LoadFont(path)
	if err != nil {
		log.Warn("charts off: CJK font missing, replies stay text only (apt-get install fonts-wqy-microhei)",
			"path", path, "err", err)
		return nil
	}
	return r
}
