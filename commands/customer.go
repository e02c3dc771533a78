package commands

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// maxMatches caps the customers listed when a name is ambiguous.
const maxMatches = 9

// resolveCustomer finds the customer the argument at req.Cmd.Args[idx]
// names: "#2" from the user's last list, else a name, remark, mobile or
// external_userid. Employees are matched against their own customers
// first. Several matches become a numbered list the user picks from with
// #N (returned as a *UserError after remembering the list).
func (r *Router) resolveCustomer(req *Request, idx int) (store.Customer, error) {
	tok := req.Cmd.Args[idx]
	switch tok.Kind {
	case Pick:
		return r.pickedCustomer(req, tok)
	case Word:
	default:
		return store.Customer{}, userErr(CodeUsage, "请先写客户（姓名、备注、手机号或 #编号）。用法：%s", req.Spec.Usage)
	}
	found, err := r.matchCustomers(req, tok.Value)
	if err != nil {
		return store.Customer{}, err
	}
	// A write names its customer exactly: a fragment ("王") matching one
	// customer is shown as a list to pick from rather than written to.
	partial := req.Spec.Writes && !r.cust.exactMatch(req.Viewer(), found[0], tok.Value)
	if len(found) == 1 && !partial {
		return found[0], nil
	}
	return store.Customer{}, r.offerPick(req, idx, found)
}

// pickedCustomer is the customer "#N" picks from the user's list; a pick
// from a list older than the previous message notes which list it was.
func (r *Router) pickedCustomer(req *Request, tok Token) (store.Customer, error) {
	id, note, err := r.sess.pick(req, tok)
	if err != nil {
		return store.Customer{}, err
	}
	c, err := r.st.Customer(id)
	if err == nil && note != "" {
		req.note = note + "：" + r.shownName(req, c)
	}
	return c, err
}

// matchCustomers finds the customers text names, at least one: for an
// employee, those they follow when there are any.
func (r *Router) matchCustomers(req *Request, text string) ([]store.Customer, error) {
	found, err := r.st.FindCustomers(text, 200)
	if err != nil {
		return nil, fmt.Errorf("find customer: %w", err)
	}
	v := req.Viewer()
	found = r.cust.visible(v, found, text)
	if len(found) == 0 {
		find := ""
		if len([]rune(text)) <= echoRunes {
			find = "，或先 /find " + clipQuoted(text) + " 看看"
		}
		return nil, userErr(CodeNotFound, "没有找到客户「%s」。可以用姓名、备注、手机号或 external_userid%s。", clip(text), find)
	}
	own, _ := v.Split(found)
	switch {
	case v.SeesAll() || len(own) == len(found):
		return found, nil
	case len(own) > 0:
		return own, nil
	case len(found) > 1:
		return nil, userErr(CodeNotFound, "你跟进的客户里没有「%s」（其他同事的客户里有 %d 位）。请核对名字，或联系跟进人。", clip(text), len(found))
	}
	return found, nil // one colleague's customer: the command refuses it by name
}

// offerPick remembers found (the first maxMatches) as the user's numbered
// list, rerunning req's command on a bare #N, and returns the
// *UserError that shows it.
func (r *Router) offerPick(req *Request, idx int, found []store.Customer) error {
	list := found[:min(len(found), maxMatches)]
	ids := make([]string, len(list))
	lines := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.ID
		lines[i] = fmt.Sprintf("%d. %s", i+1, r.cust.describe(c, req.Viewer()))
	}
	r.sess.remember(req, ids, &req.Cmd, idx)
	if len(found) == 1 {
		return userErr(CodeAmbiguous, "「%s」只是部分匹配，找到 1 位客户：\n%s\n为免改错客户，请确认：直接发送 #1，或 %s",
			clip(req.Cmd.Args[idx].Value), lines[0], exampleWithPick(req, idx))
	}
	more := ""
	if len(found) > len(list) {
		more = fmt.Sprintf("\n（只列出前 %d 位，名字写全一点可以缩小范围）", len(list))
	}
	return userErr(CodeAmbiguous, "找到 %d 位客户：\n%s%s\n请用 #2 这样的编号指定，例如直接发送 #2，或 %s",
		len(found), strings.Join(lines, "\n"), more, exampleWithPick(req, idx))
}

// exampleWithPick shows the user's command with "#1" in place of the customer.
func exampleWithPick(req *Request, idx int) string {
	c := req.Cmd.clone()
	c.Args[idx] = Token{Kind: Pick, Value: "1"}
	c.Name = req.Spec.Name
	return c.Display()
}

// custRef is how a command shown back to the user (a hint) names c so
// that it names c again: its name when the name is typed as shown and
// finds c alone for this user, else the #N the user picked c with, else
// its external_userid. Never a cleaned or cut name, which could find
// another customer or none.
func (r *Router) custRef(req *Request, c store.Customer) string {
	if dn(c.Name) == c.Name && r.uniqueName(req, c) {
		return quoteIf(c.Name, needsQuote(c.Name))
	}
	for _, t := range req.Cmd.Args {
		if t.Kind == Pick && req.picked {
			return "#" + t.Value
		}
	}
	return quoteIf(dn(c.ID), needsQuote(dn(c.ID)))
}

// uniqueName reports whether c's name, typed by req's user, finds c alone.
func (r *Router) uniqueName(req *Request, c store.Customer) bool {
	if c.Name == "" {
		return false
	}
	found, err := r.matchCustomers(req, c.Name)
	return err == nil && len(found) == 1 && found[0].ID == c.ID && r.cust.exactMatch(req.Viewer(), c, c.Name)
}

// shownName names c in a confirmation or note: its name, with company
// and remark (describe) when the name alone could be another customer's.
func (r *Router) shownName(req *Request, c store.Customer) string {
	if r.uniqueName(req, c) {
		return displayName(c)
	}
	return r.cust.describe(c, req.Viewer())
}

// displayName is the customer's name as replies show it (display.Name),
// or its id when the name is empty or shows as nothing.
func displayName(c store.Customer) string {
	if n := dn(c.Name); n != "" {
		return n
	}
	return dn(c.ID)
}

// pickFollower decides which relationship of c a change by req applies to:
// the @mentioned follower, else the user's own, else (managers, admins) the
// only follower. A *denial says the user may not change it: follower is
// then the relationship the refused attempt is recorded on ("" if none).
func (r *Router) pickFollower(req *Request, c store.Customer, mention string) (string, *denial, error) {
	name := displayName(c)
	if len(c.Followers) == 0 {
		return "", nil, userErr(CodeNotFound, "%s 目前没有跟进人，无法修改标签。", name)
	}
	v := req.Viewer()
	manager := v.SeesAll()
	switch {
	case mention != "":
		if !slices.Contains(c.Followers, mention) {
			return "", nil, mentionNotFollower(mention, name, c.Followers)
		}
		if !v.SeesRelationship(mention) {
			if v.Follows(c) {
				return mention, otherRelationship(mention), nil
			}
			return mention, notFollower(name, []string{mention}), nil
		}
		return mention, nil, nil
	case v.Follows(c):
		return req.UserID, nil, nil
	case !manager:
		return c.Followers[0], notFollower(name, c.Followers), nil
	case len(c.Followers) == 1:
		return c.Followers[0], nil, nil
	}
	return "", nil, userErr(CodeAmbiguous, "%s 有 %d 位跟进人：%s。请加上 @跟进人 指定，例如 %s @%s",
		name, len(c.Followers), names(c.Followers, "、"), req.Cmd.Display(), dn(c.Followers[0]))
}

// names shows user ids or names joined by sep, each through dn.
func names(list []string, sep string) string {
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = dn(n)
	}
	return strings.Join(out, sep)
}

// isNotFound reports store "not found" errors of any kind.
func isNotFound(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrNoRelationship)
}
