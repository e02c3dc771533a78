package commands

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// historyPageSize is how many ledger lines /history shows per page.
const historyPageSize = 10

// runHistory is /history [<客户> | @userid | tag:标签] [since:] [until:]
// [page:N | before:id], or /history cs:id for one change-set in full with
// its hashes. Without a subject it shows the user's own changes.
// Refused attempts are included. Employees see their own relationships
// and their own actions only (Viewer.ScopeHistory). tag:X covers every tag
// ever called X (a tag deleted and restored has a new id), merged newest
// first.
func (r *Router) runHistory(_ context.Context, req *Request) ([]Reply, error) {
	a, err := r.parseHistory(req)
	if err != nil {
		return nil, err
	}
	if a.detail != 0 {
		return r.historyDetail(req, a.detail)
	}
	if refusal, err := r.scopeHistory(req, &a); refusal != "" || err != nil {
		return textReply(refusal), err
	}
	pg, err := r.led.page(a.q, a.tagIDs, a.page, historyPageSize, req.Viewer())
	if err != nil {
		return nil, err
	}
	return textReply(r.renderHistory(req, a, pg)), nil
}

// textReply is one text reply, or none for "".
func textReply(text string) []Reply {
	if text == "" {
		return nil
	}
	return []Reply{{Text: text}}
}

// historyArgs is a parsed /history: the ledger query, the page, and what
// the reply's title says.
type historyArgs struct {
	q       store.Query
	tagIDs  []string // tag:X, every tag ever called X
	page    int
	custIdx int      // the argument naming a customer, -1 if none
	subject []string // parts of the title, e.g. "王小明", "自 11-01 00:00"
	timed   bool     // since: or until: given
	own     bool     // no subject: the user's own changes
	detail  store.ID // cs:N, one change-set in full (historydetail.go)
}

// parseHistory reads the arguments of /history.
func (r *Router) parseHistory(req *Request) (historyArgs, error) {
	a := historyArgs{q: store.Query{IncludeDenied: true}, page: 1, custIdx: -1}
	for i, t := range req.Cmd.Args {
		var err error
		switch {
		case t.Kind == Filter:
			err = r.historyFilter(req, t, &a)
		case t.Kind == Mention && a.q.Actor == "":
			a.q.Actor = t.Value
			a.subject = append(a.subject, clip(t.Value)+" 做的变更")
		case (t.Kind == Word || t.Kind == Pick) && a.custIdx < 0:
			a.custIdx = i
		default:
			err = historyUsage(req, t)
		}
		if err != nil {
			return historyArgs{}, err
		}
	}
	if a.detail != 0 && len(req.Cmd.Args) > 1 {
		return historyArgs{}, userErr(CodeUsage, "cs: 查看一条变更，不和其它条件一起用。例如 /history cs:#%d", a.detail)
	}
	if !a.q.Since.IsZero() && !a.q.Until.IsZero() && !a.q.Since.Before(a.q.Until) { // until is exclusive
		return historyArgs{}, userErr(CodeBadTime, "since 晚于 until，请检查时间：since 是开始，until 是结束，例如 /history since:上周 until:昨天。")
	}
	return a, nil
}

// historyUsage refuses an argument /history does not understand.
func historyUsage(req *Request, t Token) error {
	return userErr(CodeUsage, "看不懂「%s」（客户名里有空格请加引号）。用法：%s", clip(t.format(false)), req.Spec.Usage)
}

// historyFilter reads one key:value argument of /history into a.
func (r *Router) historyFilter(req *Request, t Token, a *historyArgs) error {
	switch {
	case t.Key == "since" || t.Key == "until":
		span, err := ParseTime(t.Value, req.Now, r.loc)
		if err != nil {
			return err
		}
		a.timed = true
		if t.Key == "since" {
			a.q.Since = span.From
			a.subject = append(a.subject, "自 "+r.tf.at(span.From))
		} else {
			a.q.Until = span.To
			a.subject = append(a.subject, "到 "+r.tf.until(span))
		}
	case t.Key == "tag" && a.tagIDs == nil:
		tags, err := r.lib.seenBy(req.Viewer()).everNamed(t.Value)
		if err != nil {
			return err
		}
		if err := req.Viewer().checkSeen(tags); err != nil {
			return err
		}
		label := "标签「" + dn(tags[0].Name) + "」"
		for _, tag := range tags {
			a.tagIDs = append(a.tagIDs, tag.ID)
			if tag.Deleted {
				label = "标签「" + dn(tags[0].Name) + "」（含已删除的同名标签）"
			}
		}
		a.subject = append(a.subject, label)
	case t.Key == "page":
		n, err := strconv.Atoi(t.Value)
		if err != nil || n < 1 || n > 1000 {
			return userErr(CodeUsage, "page: 后面写页码，例如 page:2。")
		}
		a.page = n
	case t.Key == "before":
		id, err := store.ParseID(t.Value)
		if err != nil {
			return userErr(CodeUsage, "before: 后面写变更号，例如 before:#120。")
		}
		a.q.Before = id
	case t.Key == "cs" && a.detail == 0:
		id, err := store.ParseID(t.Value)
		if err != nil {
			return userErr(CodeUsage, "cs: 后面写变更号，例如 /history cs:#120。")
		}
		a.detail = id
	default:
		return historyUsage(req, t)
	}
	return nil
}

// scopeHistory resolves the customer named and narrows the query to what
// the user may see; a refusal is the text to answer instead.
func (r *Router) scopeHistory(req *Request, a *historyArgs) (refusal string, err error) {
	v := req.Viewer()
	if a.custIdx >= 0 {
		c, err := r.resolveCustomer(req, a.custIdx)
		if err != nil {
			return "", err
		}
		if !v.SeesCustomer(c) {
			return notFollowerRead(displayName(c), c.Followers), nil
		}
		a.q.Customer = c.ID
		a.subject = append([]string{displayName(c)}, a.subject...)
	}
	if a.q.Customer == "" && a.q.Actor == "" && a.tagIDs == nil {
		a.q.Actor, a.own = req.UserID, true
		a.subject = append([]string{"你做的变更"}, a.subject...)
	}
	q, ok := v.ScopeHistory(a.q)
	if !ok {
		return "员工只能查看自己做的变更（/history @" + dn(req.UserID) + "）。查看同事的记录请联系主管。", nil
	}
	a.q = q
	return "", nil
}

// renderHistory writes one page of history, or says why there is none.
func (r *Router) renderHistory(req *Request, a historyArgs, pg ledgerPage) string {
	title := strings.Join(a.subject, "，")
	if len(pg.list) == 0 && pg.pages > 0 {
		return fmt.Sprintf("只有 %d 页，没有第 %d 页。看最后一页：%s", pg.pages, a.page, withPaging(req.Cmd, "page", strconv.Itoa(pg.pages)))
	}
	if len(pg.list) == 0 {
		next := "可以换个客户、标签或时间再查，例如 /history 客户名、/history tag:标签。"
		switch {
		case a.timed:
			next = "可以放宽时间（since:/until:）再查，或去掉时间查看全部。"
		case a.own:
			next = "你还没有做过标签变更。打标签：/tag 客户 +标签；查看某位客户的记录：/history 客户名。"
		}
		return "没有找到记录（" + title + "）。" + next
	}
	v := req.Viewer()
	names := map[string]string{}
	lines := []string{fmt.Sprintf("%s（新的在前）：", title)}
	undoable := false
	for _, cs := range pg.list {
		name, ok := names[cs.Customer]
		if !ok {
			name = r.cust.name(cs.Customer)
			names[cs.Customer] = name
		}
		lines = append(lines, r.csLine(cs, name))
		undoable = undoable || (cs.Effective() && v.MayRevert(cs))
	}
	if pg.more {
		lines = append(lines, "更多："+withPaging(req.Cmd, "before", "#"+pg.list[len(pg.list)-1].ID.String()))
	}
	if undoable {
		lines = append(lines, "撤销某条：/undo 变更号")
	}
	return strings.Join(lines, "\n")
}

// withPaging is the /history command with its page: or before: replaced.
func withPaging(cmd Command, key, value string) string {
	next := cmd.clone()
	next.Name = "history"
	next.Args = slices.DeleteFunc(next.Args, func(t Token) bool {
		return t.Kind == Filter && (t.Key == "page" || t.Key == "before")
	})
	next.Args = append(next.Args, Token{Kind: Filter, Key: key, Value: value})
	return next.Display()
}
