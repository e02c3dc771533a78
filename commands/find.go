package commands

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// findPageSize is how many customers /find lists per page.
const findPageSize = 10

// runFind is /find <文字> or /find tag:A tag:B [文字] [page:N].
func (r *Router) runFind(_ context.Context, req *Request) ([]Reply, error) {
	var args []Token
	var words []string
	tagged := false
	page := 1
	for _, t := range req.Cmd.Args {
		switch {
		case t.Kind == Filter && t.Key == "page":
			n, err := strconv.Atoi(t.Value)
			if err != nil || n < 1 || n > 10000 {
				return nil, userErr(CodeUsage, "page: 后面写页码，例如 page:2。")
			}
			page = n
			continue
		case t.Kind == Filter && t.Key == "tag":
			tagged = true
		case t.Kind == Word:
			words = append(words, t.Value)
		default:
			return nil, userErr(CodeUsage, "看不懂「%s」。用法：%s", clip(t.format(false)), req.Spec.Usage)
		}
		args = append(args, t)
	}
	if tagged { // the selection of /export: and, not, text
		sel, err := ParseSelection(args)
		if err != nil {
			return nil, err
		}
		return r.findByTags(req, sel, page)
	}
	text := strings.Join(words, " ")
	if text == "" {
		return nil, userErr(CodeUsage, "请写出要找的内容。用法：%s", req.Spec.Usage)
	}
	found, err := r.st.FindCustomers(text, 500)
	if err != nil {
		return nil, fmt.Errorf("find customers: %w", err)
	}
	found, others := req.Viewer().Split(r.cust.visible(req.Viewer(), found, text))
	if len(found) == 0 && len(others) > 0 {
		return []Reply{{Text: r.othersText(req, text, others)}}, nil
	}
	if len(found) == 0 {
		return []Reply{{Text: fmt.Sprintf("没有找到「%s」。可以用姓名、备注、手机号查找，或 /find tag:标签 按标签找。", clip(text))}}, nil
	}
	start := (page - 1) * findPageSize
	if start >= len(found) {
		last := (len(found) + findPageSize - 1) / findPageSize
		return []Reply{{Text: fmt.Sprintf("只有 %d 位客户（%d 页），没有第 %d 页。看最后一页：/find %s page:%d",
			len(found), last, page, clipQuoted(text), last)}}, nil
	}
	end := min(start+findPageSize, len(found))
	ids := make([]string, 0, end-start)
	lines := []string{fmt.Sprintf("找到 %d 位客户（第 %d 页）：", len(found), page)}
	for i, c := range found[start:end] {
		ids = append(ids, c.ID)
		line := fmt.Sprintf("%d. %s", i+1, r.cust.describe(c, req.Viewer()))
		if req.Viewer().SeesAll() && len(c.Followers) > 0 {
			line += " 跟进：" + names(c.Followers, "、")
		}
		lines = append(lines, line)
	}
	r.sess.remember(req, ids, nil, 0)
	lines = append(lines, "用编号指定客户，例如 /tags #1 或 /tag #1 +标签")
	if end < len(found) {
		lines = append(lines, fmt.Sprintf("下一页：/find %s page:%d", clipQuoted(text), page+1))
	}
	return []Reply{{Text: strings.Join(lines, "\n")}}, nil
}

// othersText tells an employee that the customers found are followed by
// colleagues only: they exist, but their tags are not shown.
func (r *Router) othersText(req *Request, text string, others []store.Customer) string {
	lines := []string{fmt.Sprintf("你跟进的客户里没有「%s」。同事跟进的客户里有 %d 位：", clip(text), len(others))}
	for i, c := range others {
		if i == maxMatches {
			lines = append(lines, fmt.Sprintf("…另有 %d 位", len(others)-i))
			break
		}
		lines = append(lines, fmt.Sprintf("· %s 跟进人：%s", r.cust.describe(c, req.Viewer()), names(c.Followers, "、")))
	}
	lines = append(lines, "你不能查看或修改他们的标签，请联系跟进人或主管。")
	return strings.Join(lines, "\n")
}

// findByTags lists the customers having every named tag, page by page,
// picked as /export and /stats pick them (selectIDs): over the tags of
// all the relationships the user sees (employees: their own); text
// narrows by name or remark.
func (r *Router) findByTags(req *Request, sel Selection, page int) ([]Reply, error) {
	v := req.Viewer()
	tags, err := r.lib.seenBy(v).resolveAll(sel.Include)
	if err != nil {
		return nil, err
	}
	exclude, err := r.lib.seenBy(v).resolveAll(sel.Exclude)
	if err != nil {
		return nil, err
	}
	if err := v.checkSeen(append(slices.Clone(tags), exclude...)); err != nil {
		return nil, err
	}
	ids, err := r.cust.selectIDs(v, tags, exclude)
	if err != nil {
		return nil, err
	}
	skip := (page - 1) * findPageSize
	hits, err := r.cust.load(req.Viewer(), ids, sel.Text, skip+findPageSize+1)
	if err != nil {
		return nil, err
	}
	text, picks := r.renderTagHits(req, sel.Text, tags, exclude, hits, page)
	if picks != nil {
		r.sess.remember(req, picks, nil, 0)
	}
	return textReply(text), nil
}

// renderTagHits writes page (from 1) of the hits as a numbered list the
// user picks from (picks: the customer ids in list order), or says why
// there is none (tags: those asked for, exclude: those ruled out, words:
// the text names or remarks must hold). Each customer is one line, naming
// the followers (other than the user) whose relationships carry a named
// tag.
func (r *Router) renderTagHits(req *Request, words string, tags, exclude []store.Tag, hits []selected, page int) (text string, picks []string) {
	label := refNames(refs(tags))
	if len(exclude) > 0 {
		label += "而没有" + refNames(refs(exclude))
	}
	if words != "" {
		label += fmt.Sprintf("、名字或备注含「%s」", clip(words))
	}
	skip := (page - 1) * findPageSize
	if len(hits) <= skip {
		if page > 1 && len(hits) > 0 {
			last := (len(hits) + findPageSize - 1) / findPageSize
			return fmt.Sprintf("有%s的客户只有 %d 页，没有第 %d 页。看最后一页：%s", label, last, page, withPage(req.Cmd, "find", last)), nil
		}
		if words != "" {
			return fmt.Sprintf("没有客户同时有%s。可以去掉文字或少写几个标签再找。", label), nil
		}
		if len(tags) > 1 {
			return fmt.Sprintf("没有客户同时有%s。可以少写几个标签再找。", label), nil
		}
		return fmt.Sprintf("没有客户有%s。发送 /groups 查看标签库。", label), nil
	}
	hits = hits[skip:]
	more := len(hits) > findPageSize
	if more {
		hits = hits[:findPageSize]
	}
	lines := []string{fmt.Sprintf("有%s的客户（第 %d 页）：", label, page)}
	picks = make([]string, len(hits))
	for i, h := range hits {
		picks[i] = h.customer.ID
		line := fmt.Sprintf("%d. %s", i+1, r.cust.describe(h.customer, req.Viewer()))
		if fols := h.followersWith(tags); len(fols) > 0 && !slices.Equal(fols, []string{req.UserID}) {
			line += " 跟进人 " + names(fols, "、")
		}
		lines = append(lines, line)
	}
	lines = append(lines, "用编号指定客户，例如 /tags #1")
	if more {
		lines = append(lines, "下一页："+withPage(req.Cmd, "find", page+1))
	}
	return strings.Join(lines, "\n"), picks
}

// withPage is cmd, as command name, with page:n instead of its own page:.
func withPage(cmd Command, name string, n int) string {
	next := cmd.clone()
	next.Name = name
	next.Args = slices.DeleteFunc(next.Args, func(t Token) bool { return t.Kind == Filter && t.Key == "page" })
	next.Args = append(next.Args, Token{Kind: Filter, Key: "page", Value: strconv.Itoa(n)})
	return next.Display()
}

// clipQuoted is user text as an argument of a command shown back:
// cleaned like the command (display.Line) and quoted when needed.
func clipQuoted(text string) string {
	text = display.Line(text, display.CommandRunes)
	return quoteIf(text, needsQuote(text))
}
