package nl

import (
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
)

// The /stats questions (issue 10) answer from the same code as the
// command: "how many" of one tag is its count and trend (/stats tag:A),
// of two or more tags their overlap (/stats tag:A tag:B), 趋势 a trend,
// and what one employee changed their per-person statistics. "Which"
// customers stays /find (countFind), which lists them.

// howMany marks a question asking for a number rather than a list.
var howMany = []string{"多少", "几个", "几位", "几家", "几人", "几名", "数量", "人数", "客户数", "总数", "数目"}

// trendWords ask how a tag moved.
var trendWords = []string{"趋势", "走势", "变化", "增减", "涨跌"}

// personWords ask how many changes someone made.
var personWords = []string{"打了多少", "改了多少", "加了多少", "删了多少", "去掉了多少", "做了多少", "操作了多少", "打了几个", "改了几个", "加了几个", "删了几个", "变更数", "的统计", "的变更统计"}

// teamWords name the whole team.
var teamWords = []string{"团队", "大家", "每个人", "所有人", "各位同事", "每位同事", "每个员工", "所有员工", "全员"}

// overviewWords ask for the customers per tag.
var overviewWords = []string{"标签统计", "统计一下标签", "统计标签", "各标签", "每个标签", "各个标签", "标签分布", "标签概况", "统计"}

// statsNoise is cut to find the tag of a trend question.
var statsNoise = []string{"趋势图", "趋势", "走势", "变化", "增减", "涨跌", "怎么样", "如何", "看看", "看一下", "查一下", "的", "标签", "客户"}

// statsIntent: 高意向这个月的趋势 → /stats trend tag:高意向 since:这个月;
// lisi这周打了多少标签 → /stats @lisi since:这周; 团队这周改了多少标签 →
// /stats team; 标签统计 → /stats.
func statsIntent(rq *request) (Result, bool) {
	s := rq.s
	switch {
	case hasAny(s, personWords...):
		if hasAny(s, changeWords...) { // 这周高意向增加了多少: a tag's trend (增加了多少 holds 加了多少)
			if r, ok := countFind(rq); ok && r.Kind == Run && r.Cmd.Name == "stats" {
				return r, true
			}
		}
		return statsPerson(rq)
	case hasAny(s, trendWords...):
		return statsTrend(rq)
	case hasAny(s, overviewWords...) && strings.Trim(cut(s, append(overviewWords, "看看", "看一下", "查一下", "给我", "的", "一下", "客户数", "客户")...), ",") == "":
		return run(false, "stats"), true
	}
	return Result{}, false
}

// statsPerson: lisi这周打了多少标签, 我今天改了多少标签, 大家这周打了多少标签.
func statsPerson(rq *request) (Result, bool) {
	who := rq.s
	for _, w := range personWords {
		if i := strings.Index(who, w); i >= 0 {
			who = who[:i]
			break
		}
	}
	who = trimAll(who, []string{"看看", "查一下", "统计一下"}, []string{"一共", "总共", "都", "的"})
	switch {
	case hasAny(who, teamWords...):
		return run(false, "stats", append([]commands.Token{word("team")}, rq.timeFilters()...)...), true
	case who == "我" || who == "我自己":
		return run(false, "stats", append([]commands.Token{mention(rq.names.Me())}, rq.timeFilters()...)...), true
	case isUserID(who):
		return run(false, "stats", append([]commands.Token{mention(who)}, rq.timeFilters()...)...), true
	}
	asMember := func(uid string) Result {
		return run(false, "stats", append([]commands.Token{mention(uid)}, rq.timeFilters()...)...)
	}
	asCustomer := func() Result {
		return run(false, "history", append([]commands.Token{word(who)}, rq.timeFilters()...)...)
	}
	if r, ok := rq.member(who, asMember, asCustomer); who != "" && ok {
		return r, true
	}
	switch {
	case who != "" && rq.names.Customer(who):
		return ask("「" + display.Name(who) + "」是客户。看同事改了多少标签请写同事的名字或企业微信 userid，例如：lisi这周打了多少标签；看大家的：团队这周改了多少标签。"), true
	}
	return ask("您想看哪位同事改了多少标签？请写同事的名字或企业微信 userid，例如：lisi这周打了多少标签、我今天改了多少标签。"), true
}

// statsTrend: 高意向这个月的趋势, 看看VIP最近的变化.
func statsTrend(rq *request) (Result, bool) {
	s := trimAll(cut(rq.s, statsNoise...), []string{"最近", "近期"}, []string{"最近", "近期"})
	if s != "" && rq.names.Customer(s) { // 张三的标签变化: the customer's history
		return run(false, "history", append([]commands.Token{word(s)}, rq.timeFilters()...)...), true
	}
	tags, q := rq.readTagList(s)
	switch {
	case q != "":
		return ask(q), true
	case len(tags) != 1:
		return ask("您想看哪个标签的趋势？例如：高意向这个月的趋势。"), true
	}
	args := append([]commands.Token{word("trend"), filter("tag", tags[0])}, rq.timeFilters()...)
	return run(false, "stats", args...), true
}

// tagCount is the answer to "how many customers have these tags":
// /stats tag:A (count and trend) or /stats tag:A tag:B (overlap).
func tagCount(tags []string) Result {
	args := make([]commands.Token, len(tags))
	for i, t := range tags {
		args[i] = filter("tag", t)
	}
	return run(false, "stats", args...)
}
