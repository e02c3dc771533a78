package commands

import (
	"github.com/tagbot/tagbot/chart"
)

// ChartReply is a text reply with a chart beside it: draw runs when charts
// are available (Options.Charts) and its PNG becomes the reply's Image,
// named name (must end in .png). Without charts, or when drawing fails
// (logged), the reply is the text alone, which must stand on its own.
// 带图表的回复；没有字体或绘制失败时只发文字。
func (r *Router) ChartReply(text, name string, draw func(*chart.Renderer) ([]byte, error)) Reply {
	reply := Reply{Text: text}
	if r.charts == nil || draw == nil {
		return reply
	}
	png, err := draw(r.charts)
	if err != nil {
		r.log.Warn("chart not drawn, sending the text alone", "chart", name, "err", err)
		return reply
	}
	reply.Image = &Attachment{Name: name, Data: png}
	return reply
}
