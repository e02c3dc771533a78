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
// [page:N | before:id]. Without a subject it shows the user's own changes.
// Refused attempts are included. Employees see their own relationships
// and their own actions only. tag:X covers every tag ever called X (a tag
// deleted and restored has a new id), merged newest first.
func (r *Router) runHistory(_ context.Context, req *Request) ([]Reply, error) {
	q := store.Query{IncludeDenied: true}
	page := 1
	var subject []string
	var tagIDs []string
	custIdx := -1
	timed := false
	for i, t := range req.Cmd.Args {
		switch {
		case t.Kind == Filter && (t.Key == "since" || t.Key == "until"):
			span, err := ParseTime(t.Value, req.Now, r.loc)
			if err != nil {
				return nil, err
			}
			timed = true
			if t.Key == "since" {
				q.Since = span.From
				subject = append(subject, "自 "+r.tf.at(span.From))
			} else {
				q.Until = span.To
				subject = append(subject, "到 "+r.tf.until(span))
			}
		case t.Kind == Filter && t.Key == "tag" && tagIDs == nil:
			tags, err := r.lib.everNamed(t.Value)
			if err != nil {
				return nil, err
			}
			label := "标签「" + dn(tags[0].Name) + "」"
			for _, tag := range tags {
				tagIDs = append(tagIDs, tag.ID)
				if tag.Deleted {
					label = "标签「" + dn(tags[0].Name) + "」（含已删除的同名标签）"
				}
			}
			subject = append(subject, label)
		case t.Kind == Filter && t.Key == "page":
			n, err := strconv.Atoi(t.Value)
			if err != nil || n < 1 || n > 1000 {
				return nil, userErr(CodeUsage, "page: 后面写页码，例如 page:2。")
			}
			page = n
		case t.Kind == Filter && t.Key == "before":
			id, err := store.ParseID(t.Value)
			if err != nil {
				return nil, userErr(CodeUsage, "before: 后面写变更号，例如 before:#120。")
			}
			q.Before = id
		case t.Kind == Mention && q.Actor == "":
			q.Actor = t.Value
			subject = append(subject, clip(t.Value)+" 做的变更")
		case (t.Kind == Word || t.Kind == Pick) && custIdx < 0:
			custIdx = i
		default:
			return nil, userErr(CodeUsage, "看不懂「%s」（客户名里有空格请加引号）。用法：%s", clip(t.format(false)), req.Spec.Usage)
		}
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) { // until is exclusive
		return nil, userErr(CodeBadTime, "since 晚于 until，请检查时间：since 是开始，until 是结束，例如 /history since:上周 until:昨天。")
	}
	v := req.Viewer()
	if custIdx >= 0 {
		c, err := r.resolveCustomer(req, custIdx)
		if err != nil {
			return nil, err
		}
		if !v.SeesCustomer(c) {
			return []Reply{{Text: notFollowerRead(displayName(c), c.Followers)}}, nil
		}
		q.Customer = c.ID
		subject = append([]string{displayName(c)}, subject...)
	}
	own := false
	if q.Customer == "" && q.Actor == "" && tagIDs == nil {
		q.Actor, own = req.UserID, true
		subject = append([]string{"你做的变更"}, subject...)
	}
	q, ok := v.ScopeHistory(q)
	if !ok {
		return []Reply{{Text: "员工只能查看自己做的变更（/history @" + dn(req.UserID) + "）。查看同事的记录请联系主管。"}}, nil
	}
	title := strings.Join(subject, "，")
	none := func() []Reply {
		next := "可以换个客户、标签或时间再查，例如 /history 客户名、/history tag:标签。"
		switch {
		case timed:
			next = "可以放宽时间（since:/until:）再查，或去掉时间查看全部。"
		case own:
			next = "你还没有做过标签变更。打标签：/tag 客户 +标签；查看某位客户的记录：/history 客户名。"
		}
		return []Reply{{Text: "没有找到记录（" + title + "）。" + next}}
	}
	noPage := func(last int) []Reply {
		if last == 0 {
			return none()
		}
		return []Reply{{Text: fmt.Sprintf("只有 %d 页，没有第 %d 页。看最后一页：%s", last, page, withPaging(req.Cmd, "page", strconv.Itoa(last)))}}
	}
	for p := 1; p < page; p++ {
		q.Limit = historyPageSize
		prev, err := r.led.fetch(q, tagIDs)
		if err != nil {
			return nil, err
		}
		if len(prev) < historyPageSize {
			return noPage(p - 1 + min(len(prev), 1)), nil
		}
		q.Before = prev[len(prev)-1].ID
	}
	q.Limit = historyPageSize + 1
	list, err := r.led.fetch(q, tagIDs)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return noPage(page - 1), nil
	}
	more := len(list) > historyPageSize
	if more {
		list = list[:historyPageSize]
	}
	names := map[string]string{}
	lines := []string{fmt.Sprintf("%s（新的在前）：", title)}
	undoable := false
	for _, cs := range list {
		name, ok := names[cs.Customer]
		if !ok {
			name = dn(cs.Customer)
			if c, err := r.st.Customer(cs.Customer); err == nil {
				name = displayName(c)
			}
			names[cs.Customer] = name
		}
		lines = append(lines, r.csLine(cs, name))
		undoable = undoable || (cs.Effective() && v.MayRevert(cs))
	}
	if more {
		lines = append(lines, "更多："+withPaging(req.Cmd, "before", "#"+list[len(list)-1].ID.String()))
	}
	if undoable {
		lines = append(lines, "撤销某条：/undo 变更号")
	}
	return []Reply{{Text: strings.Join(lines, "\n")}}, nil
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
