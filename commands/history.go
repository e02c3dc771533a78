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
// and their own actions only.
func (r *Router) runHistory(_ context.Context, req *Request) ([]Reply, error) {
	q := store.Query{IncludeDenied: true}
	page := 1
	var subject []string
	custIdx := -1
	for i, t := range req.Cmd.Args {
		switch {
		case t.Kind == Filter && (t.Key == "since" || t.Key == "until"):
			span, err := ParseTime(t.Value, req.Now, r.loc)
			if err != nil {
				return nil, err
			}
			if t.Key == "since" {
				q.Since = span.From
				subject = append(subject, "自 "+r.fmtTime(span.From))
			} else {
				q.Until = span.To
				subject = append(subject, "到 "+r.fmtTime(span.To))
			}
		case t.Kind == Filter && t.Key == "tag":
			tag, err := r.historyTag(t.Value)
			if err != nil {
				return nil, err
			}
			q.Tag = tag.ID
			subject = append(subject, "标签「"+tag.Name+"」")
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
			subject = append(subject, t.Value+" 做的变更")
		case (t.Kind == Word || t.Kind == Pick) && custIdx < 0:
			custIdx = i
		default:
			return nil, userErr(CodeUsage, "看不懂「%s」（客户名里有空格请加引号）。用法：%s", t.format(false), req.Spec.Usage)
		}
	}
	manager := req.Role.AtLeast(RoleManager)
	if custIdx >= 0 {
		c, err := r.resolveCustomer(req, custIdx)
		if err != nil {
			return nil, err
		}
		if !manager && !slices.Contains(c.Followers, req.UserID) {
			return []Reply{{Text: notFollower(displayName(c), c.Followers).Reply}}, nil
		}
		q.Customer = c.ID
		subject = append([]string{displayName(c)}, subject...)
	}
	if q.Customer == "" && q.Actor == "" && q.Tag == "" {
		q.Actor = req.UserID
		subject = append([]string{"你做的变更"}, subject...)
	}
	if !manager {
		if q.Actor != "" && q.Actor != req.UserID {
			return []Reply{{Text: "员工只能查看自己做的变更（/history @" + req.UserID + "）。查看同事的记录请联系主管。"}}, nil
		}
		if q.Actor == "" {
			q.Follower = req.UserID
		}
	}
	for p := 1; p < page; p++ {
		q.Limit = historyPageSize
		prev, err := r.st.History(q)
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		if len(prev) < historyPageSize {
			return []Reply{{Text: fmt.Sprintf("没有第 %d 页了。", page)}}, nil
		}
		q.Before = prev[len(prev)-1].ID
	}
	q.Limit = historyPageSize + 1
	list, err := r.st.History(q)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	title := strings.Join(subject, "，")
	if len(list) == 0 {
		return []Reply{{Text: "没有找到记录（" + title + "）。"}}, nil
	}
	more := len(list) > historyPageSize
	if more {
		list = list[:historyPageSize]
	}
	names := map[string]string{}
	lines := []string{fmt.Sprintf("%s（新的在前）：", title)}
	for _, cs := range list {
		name, ok := names[cs.Customer]
		if !ok {
			name = cs.Customer
			if c, err := r.st.Customer(cs.Customer); err == nil {
				name = displayName(c)
			}
			names[cs.Customer] = name
		}
		lines = append(lines, r.csLine(cs, name))
	}
	if more {
		next := req.Cmd.clone()
		next.Name = "history"
		next.Args = slices.DeleteFunc(next.Args, func(t Token) bool {
			return t.Kind == Filter && (t.Key == "page" || t.Key == "before")
		})
		next.Args = append(next.Args, Token{Kind: Filter, Key: "before", Value: "#" + list[len(list)-1].ID.String()})
		lines = append(lines, "更多："+next.String())
	}
	lines = append(lines, "撤销某条：/undo 变更号")
	return []Reply{{Text: strings.Join(lines, "\n")}}, nil
}

// historyTag finds a tag for /history tag:X, deleted tags included.
func (r *Router) historyTag(name string) (store.Tag, error) {
	live, err := r.st.Tags(false)
	if err != nil {
		return store.Tag{}, fmt.Errorf("read tags: %w", err)
	}
	t, err := r.resolveTag(name, live)
	if err == nil {
		return t, nil
	}
	if del, derr := r.st.DeletedTagsByName(name); derr == nil && len(del) > 0 {
		return del[0], nil
	}
	return store.Tag{}, err
}
