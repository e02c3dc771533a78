package commands

import (
	"slices"
	"strings"

	"github.com/tagbot/tagbot/stats"
)

// statsOptions refuses a since:, until: or page: that the statistic of q
// does not take, saying so and what to send, rather than answering as if
// it were not there. Times apply to trend, @userid and team (rules: since:
// only); page: to the customers of a cross analysis.
func statsOptions(req *Request, q stats.Query) error {
	var times []string
	page := false
	for _, t := range req.Cmd.Args {
		switch {
		case t.Kind == Filter && (t.Key == "since" || t.Key == "until"):
			times = append(times, t.format(false))
		case t.Kind == Filter && t.Key == "page":
			page = true
		}
	}
	if page && q.Kind != stats.KindCross {
		return userErr(CodeUsage, "page: 只用于交叉分析列出的客户（/stats tag:A tag:B page:2），这个统计不分页。去掉 page: 再发：%s", statsWith(req.Cmd, "page"))
	}
	if len(times) == 0 {
		return nil
	}
	switch q.Kind {
	case stats.KindOverview:
		return userErr(CodeUsage, "标签总览不分时间段（表里已有近 7 天和近 30 天的变化）。看一个标签这段时间的变化：/stats trend tag:标签名 %s", strings.Join(times, " "))
	case stats.KindCross:
		return userErr(CodeUsage, "交叉分析按现在的标签计算，不带 since:/until:。去掉时间再发：%s", statsWith(req.Cmd, "since", "until"))
	case stats.KindChannels:
		return userErr(CodeUsage, "渠道统计是累计的，不带 since:/until:。发送：%s", statsWith(req.Cmd, "since", "until"))
	case stats.KindRules:
		if !q.Until.IsZero() {
			example := statsWith(req.Cmd, "until")
			if q.Since.IsZero() {
				example += " since:上个月"
			}
			return userErr(CodeUsage, "规则统计只用 since:（从何时起），不带 until:。例如：%s", example)
		}
	}
	return nil
}

// beforeHistoryErr answers a window that ends before the first full sync:
// where history starts, and the same statistic from then on.
func (r *Router) beforeHistoryErr(req *Request, e *stats.HistoryError) error {
	from := e.From.In(r.loc)
	next := statsWith(req.Cmd, "since", "until") + " since:" + from.Format("2006-01-02")
	return userErr(CodeBadTime, "这段时间在记录开始之前：历史从 %s 首次同步开始，更早的变化没有记录。看之后的：%s", from.Format("01-02"), next)
}

// statsWith is the /stats command without its filters named in drop.
func statsWith(cmd Command, drop ...string) string {
	next := cmd.clone()
	next.Name = "stats"
	next.Args = slices.DeleteFunc(next.Args, func(t Token) bool { return t.Kind == Filter && slices.Contains(drop, t.Key) })
	return next.Display()
}
