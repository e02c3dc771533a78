package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tagbot/tagbot/stats"
	"github.com/tagbot/tagbot/store"
)

// StatsRunner answers a parsed statistics query within a scope;
// *stats.Stats implements it. 统计。
type StatsRunner interface {
	Run(q stats.Query, sc stats.Scope) (stats.Result, error)
}

// statsWords are the words after /stats that pick a kind.
var statsWords = map[string]stats.Kind{
	"trend": stats.KindTrend, "趋势": stats.KindTrend,
	"team": stats.KindTeam, "团队": stats.KindTeam,
	"rules": stats.KindRules, "规则": stats.KindRules,
	"channels": stats.KindChannels, "渠道": stats.KindChannels,
}

// statsScope is the Viewer policy as the stats package takes it:
// managers and admins count every relationship, employees their own, and
// change-sets touching only groups hidden from the viewer are not counted.
func statsScope(v Viewer) stats.Scope {
	var sc stats.Scope
	if !v.SeesAll() {
		sc.Follower = v.User
	}
	if v.HidesAny() { // group visibility (sight.go)
		sc.HideChange = func(cs *store.ChangeSet) bool { _, shown := v.ShowChange(*cs); return !shown }
	}
	return sc
}

// runStats is /stats [tag:A tag:B …] | trend tag:A [since:] [until:] |
// @userid | team | rules | channels: parse, check who may see it, run it
// in the Viewer's scope, render.
func (r *Router) runStats(_ context.Context, req *Request) ([]Reply, error) {
	q, err := r.parseStats(req)
	if err != nil {
		return nil, err
	}
	v := req.Viewer()
	switch {
	case q.Kind == stats.KindTeam && !v.SeesAll():
		return nil, userErr(CodeDenied, "团队统计只有主管和管理员能看。看你自己的：/stats @%s", req.UserID)
	case q.Kind == stats.KindPerson && !v.SeesAll() && q.UserID != req.UserID:
		return nil, userErr(CodeDenied, "你只能看自己的变更统计：/stats @%s", req.UserID)
	}
	q.Asker = req.UserID
	res, err := r.stats.Run(q, statsScope(v))
	var before *stats.HistoryError
	if errors.As(err, &before) {
		return nil, r.beforeHistoryErr(req, before)
	}
	if errors.Is(err, stats.ErrQuery) {
		return nil, userErr(CodeUsage, "这个统计做不了。用法：%s", req.Spec.Usage)
	}
	var unknown *stats.UnknownEmployeeError
	if errors.As(err, &unknown) {
		return nil, unknownEmployeeErr(unknown)
	}
	if err != nil {
		return nil, fmt.Errorf("stats %s: %w", q.Kind, err)
	}
	if res.Overview != nil && v.HidesAny() { // counts of groups the user may not see are left out
		ov := *res.Overview // a copy: the stats package may share its result
		ov.Groups = slices.DeleteFunc(slices.Clone(ov.Groups), func(g stats.GroupCounts) bool { return !v.SeesGroup(g.Group) })
		res.Overview = &ov
	}
	if res.Channels != nil && v.HidesAny() { // as /qr: the channel's tags of hidden groups are left out
		ch := *res.Channels
		ch.Rows = slices.Clone(ch.Rows)
		for i := range ch.Rows {
			ch.Rows[i].Tags = v.VisibleRefs(ch.Rows[i].Tags)
		}
		res.Channels = &ch
	}
	text := stats.Render(res, r.loc, !v.SeesAll())
	if res.Cross != nil {
		text += "\n" + r.crossList(req, res.Cross)
	}
	return []Reply{{Text: text, Image: r.statsChart(res)}}, nil
}

// unknownEmployeeErr says there is no employee with that userid and
// what to send instead: the close userid, or /stats team.
func unknownEmployeeErr(e *stats.UnknownEmployeeError) error {
	if e.Suggest != "" {
		return userErr(CodeNotFound, "没有 userid 为 %s 的员工。是不是：/stats @%s", dn(e.UserID), dn(e.Suggest))
	}
	return userErr(CodeNotFound, "没有 userid 为 %s 的员工（@ 后面写企业微信 userid，不是姓名）。看所有员工：/stats team", dn(e.UserID))
}

// statsChart draws the chart of res, or returns nil (no renderer, no
// chart for the kind, or drawing failed: the text alone still answers).
func (r *Router) statsChart(res stats.Result) *Attachment {
	if r.charts == nil {
		return nil
	}
	c, ok := stats.ChartOf(res)
	if !ok {
		return nil
	}
	png, err := c.Draw(r.charts)
	if err != nil {
		r.log.Warn("stats chart not drawn", "kind", res.Kind, "err", err)
		return nil
	}
	return &Attachment{Name: "stats-" + string(res.Kind) + ".png", Data: png, Fallback: "（图表未能发送，上面的文字就是统计结果）"}
}

// parseStats reads the arguments of /stats into a query; a since:,
// until: or page: the statistic does not take is refused (statsargs.go).
func (r *Router) parseStats(req *Request) (stats.Query, error) {
	q, err := r.readStats(req)
	if err != nil {
		return q, err
	}
	return q, statsOptions(req, q)
}

// readStats reads the arguments of /stats into a query.
func (r *Router) readStats(req *Request) (stats.Query, error) {
	q := stats.Query{Kind: stats.KindOverview, Page: 1}
	var tagNames []string
	for _, t := range req.Cmd.Args {
		switch {
		case t.Kind == Word && statsWords[strings.ToLower(t.Value)] != "" && q.Kind == stats.KindOverview:
			q.Kind = statsWords[strings.ToLower(t.Value)]
		case t.Kind == Mention && q.Kind == stats.KindOverview:
			q.Kind, q.UserID = stats.KindPerson, t.Value
		case t.Kind == Filter && t.Key == "tag":
			tagNames = append(tagNames, t.Value)
		case t.Kind == Filter && (t.Key == "since" || t.Key == "until"):
			span, err := ParseTime(t.Value, req.Now, r.loc)
			if err != nil {
				return q, err
			}
			if t.Key == "since" {
				q.Since = span.From
			} else {
				q.Until = span.To
			}
		case t.Kind == Filter && t.Key == "page":
			n, err := strconv.Atoi(t.Value)
			if err != nil || n < 1 || n > 10000 {
				return q, userErr(CodeUsage, "page: 后面写页码，例如 page:2。")
			}
			q.Page = n
		default:
			return q, userErr(CodeUsage, "看不懂「%s」。用法：%s", clip(t.format(false)), req.Spec.Usage)
		}
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return q, userErr(CodeBadTime, "since 晚于 until，请检查时间：since 是开始，until 是结束，例如 /stats trend tag:高意向 since:上个月 until:昨天。")
	}
	return r.statsTags(req, q, tagNames)
}

// statsTags resolves the tag names and settles the kind: one tag is its
// trend, 2–6 a cross analysis.
func (r *Router) statsTags(req *Request, q stats.Query, names []string) (stats.Query, error) {
	if len(names) > 0 {
		tags, err := r.lib.seenBy(req.Viewer()).resolveAll(names)
		if err != nil {
			return q, err
		}
		if err := req.Viewer().checkSeen(tags); err != nil {
			return q, err
		}
		q.Tags = tags
	}
	switch {
	case q.Kind == stats.KindOverview && len(names) == 1:
		q.Kind = stats.KindTrend
	case q.Kind == stats.KindOverview && len(names) > 1:
		q.Kind = stats.KindCross
	}
	switch {
	case q.Kind == stats.KindTrend && len(names) != 1:
		return q, userErr(CodeUsage, "趋势只看一个标签，例如 /stats trend tag:高意向 since:上个月")
	case q.Kind == stats.KindCross && len(names) > stats.MaxCrossTags:
		return q, userErr(CodeUsage, "交叉分析最多 %d 个标签，请少写几个。", stats.MaxCrossTags)
	case q.Kind != stats.KindTrend && q.Kind != stats.KindCross && len(names) > 0:
		return q, userErr(CodeUsage, "这个统计不带标签。用法：%s", req.Spec.Usage)
	}
	for i, t := range q.Tags {
		for _, u := range q.Tags[:i] {
			if u.ID == t.ID {
				return q, userErr(CodeUsage, "标签「%s」写了两次。", dn(t.Name))
			}
		}
	}
	return q, nil
}

// crossList is the numbered page of customers having every tag of a
// cross analysis, picked from with #N like /find's list.
func (r *Router) crossList(req *Request, c *stats.Cross) string {
	if c.All == 0 {
		return "可以少写几个标签再看。"
	}
	if len(c.Page) == 0 {
		return fmt.Sprintf("只有 %d 页，没有第 %d 页。看最后一页：%s", c.Pages(), c.PageNo, withPage(req.Cmd, "stats", c.Pages()))
	}
	lines := []string{fmt.Sprintf("第 %d/%d 页：", c.PageNo, c.Pages())}
	for i, id := range c.Page {
		name := dn(id)
		if cust, err := r.st.Customer(id); err == nil {
			name = r.cust.describe(cust, req.Viewer())
		}
		lines = append(lines, fmt.Sprintf("%d. %s", i+1, name))
	}
	r.sess.remember(req, c.Page, nil, 0)
	lines = append(lines, "用编号指定客户，例如 /tags #1")
	if c.PageNo < c.Pages() {
		lines = append(lines, "下一页："+withPage(req.Cmd, "stats", c.PageNo+1))
	}
	return strings.Join(lines, "\n")
}
