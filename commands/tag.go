package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// runTag is /tag <客户> +标签 … -标签 … [@跟进人]; bare words add.
func (r *Router) runTag(ctx context.Context, req *Request) ([]Reply, error) {
	return r.tagCommand(ctx, req, true)
}

// runUntag is /untag <客户> 标签 …; bare words remove.
func (r *Router) runUntag(ctx context.Context, req *Request) ([]Reply, error) {
	return r.tagCommand(ctx, req, false)
}

// tagRequest is what a /tag or /untag asks for, with names resolved.
type tagRequest struct {
	customer store.Customer
	mention  string
	add      []store.Tag
	remove   []store.Tag
}

// parseTagArgs reads "<客户> +a -b c @x" into names; bare words add when
// bareAdds (/tag), else remove (/untag, where +a is refused: /untag only
// removes). A sign standing alone ("+ 高意向") is refused with the fix.
func parseTagArgs(req *Request, bareAdds bool) (add, remove []string, mention string, err error) {
	args := req.Cmd.Args
	if len(args) < 2 {
		return nil, nil, "", userErr(CodeUsage, "请写出客户和标签。用法：%s", req.Spec.Usage)
	}
	if err := loneSign(req); err != nil {
		return nil, nil, "", err
	}
	var plus []Token
	for _, t := range args[1:] {
		switch {
		case t.Kind == AddTag && !bareAdds:
			plus = append(plus, t)
		case t.Kind == AddTag || (t.Kind == Word && bareAdds):
			add = append(add, t.Value)
		case t.Kind == RemoveTag || t.Kind == Word:
			remove = append(remove, t.Value)
		case t.Kind == Mention && mention == "":
			mention = t.Value
		default:
			return nil, nil, "", userErr(CodeUsage, "看不懂「%s」。用法：%s", clip(t.format(false)), req.Spec.Usage)
		}
	}
	if len(plus) > 0 {
		fix := Command{Slash: true, Name: "tag", Args: append([]Token{args[0]}, plus...)}
		if mention != "" {
			fix.Args = append(fix.Args, Token{Kind: Mention, Value: mention})
		}
		return nil, nil, "", userErr(CodeUsage, "/untag 只删除标签；加标签请用 %s", fix.Display())
	}
	if len(add)+len(remove) == 0 {
		return nil, nil, "", userErr(CodeUsage, "请写出要改的标签。用法：%s", req.Spec.Usage)
	}
	return add, remove, mention, nil
}

// loneSign refuses "+ 高意向" (a sign, a space, the tag), showing the
// command written without the space.
func loneSign(req *Request) error {
	args := req.Cmd.Args
	for i := 1; i < len(args); i++ {
		t := args[i]
		if t.Kind != Word || (t.Value != "+" && t.Value != "＋" && t.Value != "-" && t.Value != "－") {
			continue
		}
		sign := halfWidth(t.Value)
		if i+1 == len(args) || args[i+1].Kind != Word {
			return userErr(CodeUsage, "「%s」后面要紧跟标签名，不要有空格，例如 /%s %s %s高意向",
				sign, req.Spec.Name, clip(args[0].format(false)), sign)
		}
		fix := req.Cmd.clone()
		fix.Name = req.Spec.Name
		kind := AddTag
		if sign == "-" {
			kind = RemoveTag
		} else if req.Spec.Name == "untag" {
			fix.Name = "tag" // /untag only removes
		}
		fix.Args[i] = Token{Kind: kind, Value: args[i+1].Value}
		fix.Args = append(fix.Args[:i+1], fix.Args[i+2:]...)
		return userErr(CodeUsage, "「%s」后面不要有空格：%s", sign, fix.Display())
	}
	return nil
}

func (r *Router) tagCommand(ctx context.Context, req *Request, bareAdds bool) ([]Reply, error) {
	addNames, removeNames, mention, err := parseTagArgs(req, bareAdds)
	if err != nil {
		return nil, err
	}
	c, err := r.resolveCustomer(req, 0)
	if err != nil {
		if den := r.deniedWhoever(req, err, append(addNames, removeNames...)); den != nil {
			req.denied = true
			return textReply(den.Reply), nil
		}
		return nil, err
	}
	live, err := r.st.Tags(false)
	if err != nil {
		return nil, fmt.Errorf("read tags: %w", err)
	}
	tr := tagRequest{customer: c, mention: mention}
	seen := map[string]string{}
	for _, list := range []struct {
		names []string
		dst   *[]store.Tag
		sign  string
	}{{addNames, &tr.add, "+"}, {removeNames, &tr.remove, "-"}} {
		for _, n := range list.names {
			tags, err := r.lib.seenBy(req.Viewer()).resolveList(n, live)
			if err != nil {
				return nil, err
			}
			for _, t := range tags {
				if prev, dup := seen[t.ID]; dup {
					if prev != list.sign {
						n := dn(t.Name)
						return nil, userErr(CodeUsage, "「%s」不能同时加和删。请只写一次：要加写 +%s，要删写 -%s。", n, n, n)
					}
					continue
				}
				seen[t.ID] = list.sign
				*list.dst = append(*list.dst, t)
			}
		}
	}
	if err := req.Viewer().checkSeen(append(append([]store.Tag(nil), tr.add...), tr.remove...)); err != nil {
		return nil, err // a hidden tag is answered as one that does not exist
	}
	return r.applyTags(ctx, req, tr, live)
}

// deniedWhoever returns the refusal of a tag change that holds whichever
// customer the user would pick, when resolving the customer ended in a
// numbered list (err): refused before asking which customer, and the list
// is dropped. Nil when err is another error or no tag is refused.
func (r *Router) deniedWhoever(req *Request, err error, names []string) *denial {
	var ue *UserError
	if !errors.As(err, &ue) || ue.Code != CodeAmbiguous {
		return nil
	}
	live, lerr := r.st.Tags(false)
	if lerr != nil {
		return nil
	}
	for _, n := range names {
		tags, terr := r.lib.seenBy(req.Viewer()).resolveList(n, live)
		if terr != nil {
			return nil
		}
		for _, t := range tags {
			if !req.Viewer().SeesTag(t) {
				continue // refused as unknown once the customer is picked
			}
			if den := r.perms.check(req.UserID, req.Role, t); den != nil {
				req.listed = false // the refusal shows no list: the router drops it
				return den
			}
		}
	}
	return nil
}

// listSeps split "+高意向，官网" into several tags of the same sign.
const listSeps = ",，、"

// applyTags checks and applies one tag change on one relationship.
func (r *Router) applyTags(_ context.Context, req *Request, tr tagRequest, live []store.Tag) ([]Reply, error) {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	name := r.shownName(req, tr.customer)
	follower, den, err := r.pickFollower(req, tr.customer, tr.mention)
	if err != nil {
		return nil, err
	}
	if den != nil {
		return r.recordDenied(req, tr.customer.ID, follower, tr.add, tr.remove, den)
	}
	rel, err := r.st.Relationship(tr.customer.ID, follower)
	if err != nil {
		return nil, fmt.Errorf("read relationship: %w", err)
	}
	for _, t := range append(append([]store.Tag(nil), tr.add...), tr.remove...) {
		if den := r.perms.check(req.UserID, req.Role, t); den != nil { // before the limits name the group's tags
			return r.recordDenied(req, tr.customer.ID, follower, tr.add, tr.remove, den)
		}
	}
	auto, err := r.exclusiveRemovals(rel, tr.add, tr.remove, live, r.custRef(req, tr.customer))
	if err != nil {
		return nil, err
	}
	remove := append(append([]store.Tag(nil), tr.remove...), auto...)
	for _, t := range append(append([]store.Tag(nil), tr.add...), remove...) {
		if den := r.perms.check(req.UserID, req.Role, t); den != nil {
			if isAuto(t, auto) {
				den.Reply = fmt.Sprintf("标签组「%s」是互斥的，加这个标签需要去掉「%s」。", dn(t.GroupName), dn(t.Name)) + den.Reply
			}
			return r.recordDenied(req, tr.customer.ID, follower, tr.add, remove, den)
		}
	}
	if req.precheck { // every check passed: the proposal may wait for 确认
		return nil, errPrecheckPassed
	}
	cs, err := r.st.Apply(store.ChangeSet{
		Actor: req.UserID, Source: store.SourceCommand, Customer: tr.customer.ID, Follower: follower,
		Add: refs(tr.add), Remove: refs(remove), Reason: req.Cmd.String(), Inbox: req.Inbox,
	})
	if errors.Is(err, store.ErrNoChange) {
		return []Reply{{Text: noChangeText(name, r.custRef(req, tr.customer), tr.add, tr.remove)}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("apply tags: %w", err)
	}
	r.kick()
	who := name + " "
	if follower != req.UserID {
		who = fmt.Sprintf("%s（跟进人 %s）", name, dn(follower))
	}
	var did []string
	if len(cs.Add) > 0 {
		did = append(did, "添加"+refNames(cs.Add))
	}
	if len(cs.Remove) > 0 {
		did = append(did, "移除"+refNames(cs.Remove))
	}
	text := fmt.Sprintf("已为 %s%s（变更 #%d，/undo 可撤销）", who, strings.Join(did, "，"), cs.ID)
	if len(auto) > 0 {
		text += fmt.Sprintf("\n「%s」组内互斥，已自动去掉其它标签。", dn(auto[0].GroupName))
	}
	if kept := missing(refs(tr.add), cs.Add); len(kept) > 0 {
		text += "\n" + refNames(kept) + " 原本就有。"
	}
	if gone := missing(refs(tr.remove), cs.Remove); len(gone) > 0 {
		text += "\n" + refNames(gone) + " 原本就没有。"
	}
	text += r.requiredNote(req.Viewer(), cs, r.custRef(req, tr.customer))
	text += r.triggeredText(cs.ID, req.Viewer()) // ext_qrtrig.go
	return []Reply{{Text: text}}, nil
}

// exclusiveRemovals returns the tags that adding tags of exclusive groups
// takes off the relationship, and refuses two adds in one such group and
// a change exceeding a group's max (grouplimit.go) (ref names the customer
// in the example of the refusal, see custRef). Every writer's group-policy
// check goes through it.
func (r *Router) exclusiveRemovals(rel store.Relationship, add, remove []store.Tag, live []store.Tag, ref string) ([]store.Tag, error) {
	byGroup := map[string]store.Tag{}
	for _, t := range add {
		if !r.perms.exclusive(t.GroupName) {
			continue
		}
		if prev, ok := byGroup[t.GroupName]; ok {
			return nil, userErr(CodeUsage, "标签组「%s」是互斥的，只能选一个：「%s」或「%s」。请只保留一个再发送，例如 /tag %s +%s",
				dn(t.GroupName), dn(prev.Name), dn(t.Name), ref, tagRef(prev))
		}
		byGroup[t.GroupName] = t
	}
	var auto []store.Tag
	for _, t := range live {
		keep, excl := byGroup[t.GroupName]
		if _, has := rel.Tags[t.ID]; !excl || !has || keep.ID == t.ID || isAuto(t, remove) {
			continue
		}
		auto = append(auto, t)
	}
	if err := r.checkMax(rel, add, append(append([]store.Tag(nil), remove...), auto...), ref); err != nil {
		return nil, err
	}
	return auto, nil
}

func isAuto(t store.Tag, list []store.Tag) bool {
	for _, x := range list {
		if x.ID == t.ID {
			return true
		}
	}
	return false
}

// missing lists the refs of want absent from got.
func missing(want, got []store.TagRef) []store.TagRef {
	var out []store.TagRef
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g.ID == w.ID
		}
		if !found {
			out = append(out, w)
		}
	}
	return out
}

// noChangeText says nothing changed for the customer called name (ref:
// custRef, for the hint).
func noChangeText(name, ref string, add, remove []store.Tag) string {
	var parts []string
	if len(add) > 0 {
		parts = append(parts, "已经有"+refNames(refs(add)))
	}
	if len(remove) > 0 {
		parts = append(parts, "本来就没有"+refNames(refs(remove)))
	}
	return fmt.Sprintf("%s %s，没有变化。发送 /tags %s 查看现在的标签。", name, strings.Join(parts, "，"), ref)
}

// recordDenied records a refused attempt in the ledger (visible in
// /history) and returns the refusal.
func (r *Router) recordDenied(req *Request, customer, follower string, add, remove []store.Tag, den *denial) ([]Reply, error) {
	req.denied = true
	if follower != "" {
		_, err := r.st.Apply(store.ChangeSet{
			Actor: req.UserID, Source: store.SourceCommand, Customer: customer, Follower: follower,
			Add: refs(add), Remove: refs(remove), Reason: req.Cmd.String(), Denied: den.Record, Inbox: req.Inbox,
		})
		if err != nil && !isNotFound(err) { // a relationship ended meanwhile: nothing to record it on
			return nil, fmt.Errorf("record denied attempt: %w", err)
		}
	}
	return []Reply{{Text: den.Reply}}, nil
}
