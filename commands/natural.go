package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tagbot/tagbot/store"
)

// Names is what a natural-language parser may ask about the words of a
// request: the store's own customer and tag names and who is speaking.
// The router implements it over the store. 自然语言解析可查询的名称。
type Names interface {
	// Customer reports whether text is exactly a customer's name, remark,
	// mobile or external_userid.
	Customer(text string) bool
	// Tag returns the live tag called text (ASCII letters in any case).
	Tag(text string) (string, bool)
	// DeletedTag returns the deleted tag called text.
	DeletedTag(text string) (string, bool)
	// TagNames lists the live tag names, for "did you mean".
	TagNames() []string
	// Me is the speaker's userid ("我" in a request).
	Me() string
	// Members returns the userids of the employees whose name (WeCom
	// user/get) is exactly text, sorted; none when nobody is called so.
	Members(text string) []string
}

// Natural is what a natural-language parser made of a plain message: a
// command to run (Write when it changes tags), several (Steps, a
// sentence of several commands), or else Ask, a question or hint to
// reply with; all empty when nothing was understood. Confirm asks 确认
// for a write even after /set confirm off (the LLM's proposals).
// 自然语言解析结果。
type Natural struct {
	Cmd     *Command
	Write   bool
	Ask     string
	Steps   []NaturalStep
	Confirm bool
}

// NaturalParser turns plain text into a command; nl.Natural is one. ctx
// bounds a parser that asks a model (nl.Parser with an LLM).
type NaturalParser func(ctx context.Context, text string, names Names) Natural

// confirmWords and cancelWords answer a pending proposal in one word.
var (
	confirmWords = map[string]bool{"确认": true, "确定": true, "好": true, "好的": true, "是": true, "是的": true, "对": true, "ok": true, "yes": true, "y": true}
	cancelWords  = map[string]bool{"取消": true, "不": true, "不要": true, "算了": true, "no": true, "n": true}
)

// natural answers plain text: a one-word answer to a pending proposal,
// else what the natural-language parser makes of it. A read runs at once
// with its command shown; a write is proposed for 确认 unless the user
// turned that off with /set confirm off.
func (r *Router) natural(ctx context.Context, userID, text string, now time.Time, seq uint64) ([]Reply, bool) {
	word := strings.ToLower(strings.Trim(strings.TrimSpace(text), "。.!！~～"))
	if (confirmWords[word] || cancelWords[word]) && r.sess.pending(userID, now) {
		name := "confirm"
		if cancelWords[word] {
			name = "cancel"
		}
		return r.dispatch(ctx, userID, Command{Slash: true, Name: name}, now, seq), true
	}
	if r.parsePlain == nil {
		return nil, false
	}
	res := r.parsePlain(ctx, text, r.names(userID))
	switch {
	case len(res.Steps) > 0:
		return r.naturalSteps(ctx, userID, res, now, seq), true
	case res.Cmd == nil && res.Ask != "":
		return []Reply{{Text: res.Ask}}, true
	case res.Cmd == nil:
		return nil, false
	}
	cmd := r.pinTarget(userID, *res.Cmd)
	shown := "即 " + cmd.Display() + r.scopeNote(userID, cmd)
	if !res.Write || cmd.Name == "rollback" || !res.Confirm && !r.confirmOn(userID) { // /rollback proposes by itself
		return withNote(r.dispatch(ctx, userID, cmd, now, seq), shown), true
	}
	if refused, ok := r.refusedNow(ctx, userID, cmd, now, seq, false); ok {
		return withNote(refused, shown), true
	}
	r.sess.propose(userID, now, cmd.Display(), func(ctx context.Context, req *Request) ([]Reply, error) {
		// The command keeps its own numbered list (张伟 ×2 → #2), or
		// clears it; /confirm around it must not clear it again.
		req.listed = true
		return r.dispatch(ctx, userID, cmd, req.Now, req.seq), nil
	})
	return []Reply{{Text: fmt.Sprintf("（%s）确认吗？回复 确认 / 取消（%d 分钟内有效）", shown, int(ProposalTTL/time.Minute))}}, true
}

// scopeNote says, after the command shown, that an employee's count (有几个
// 客户是VIP → /stats tag:VIP) covers only the customers they follow: the
// plain question does not say so, and 0 would read as "nobody".
func (r *Router) scopeNote(userID string, cmd Command) string {
	if cmd.Name != "stats" || r.perms.role(userID).AtLeast(RoleManager) {
		return ""
	}
	for _, a := range cmd.Args {
		if a.Kind == Filter && a.Key == "tag" {
			return "；只算你跟进的客户"
		}
	}
	return ""
}

// errPrecheckPassed stops a precheck run of /tag or /untag before the
// ledger write: every check passed.
var errPrecheckPassed = errors.New("precheck passed")

// refusedNow runs the checks of a /tag or /untag the user said in plain
// words before it is proposed — role, the customer's follower, protected
// and hidden groups, exactly as the command checks them — and stops
// before anything is written. A refusal is answered (and recorded, like a
// denied command) at once instead of after 确认; ok is false when the
// command may be proposed, or is not a tag change. strict (a command of
// a sentence of several) also answers an ambiguous customer or tag now:
// the whole sentence is asked back instead of proposed.
func (r *Router) refusedNow(ctx context.Context, userID string, cmd Command, now time.Time, seq uint64, strict bool) ([]Reply, bool) {
	if cmd.Name != "tag" && cmd.Name != "untag" {
		return nil, false
	}
	spec, ok := r.byName[foldName(cmd.Name)]
	if !ok {
		return nil, false
	}
	role := r.perms.role(userID)
	if !role.AtLeast(spec.MinRole) {
		return r.dispatch(ctx, userID, cmd, now, seq), true // refused before anything is read
	}
	req := &Request{UserID: userID, Role: role, Spec: spec, Cmd: cmd, Name: cmd.Name, Now: now, Inbox: store.InboxOf(ctx), seq: seq, perms: r.perms, precheck: true}
	replies, err := spec.Run(ctx, req)
	var ue *UserError
	if strict && errors.As(err, &ue) && ue.Code == CodeAmbiguous { // which customer or tag: asked now
		return r.errorReplies(ctx, userID, spec.Name, err), true
	}
	if err != nil || !req.denied {
		return nil, false // passed, or an error the command answers again after 确认
	}
	if spec.ShowsCustomers && !req.picked && !req.listed {
		r.sess.forget(req)
	}
	return replies, true
}

// pinTarget names the change-set a plain 撤销 / 重做 means, as it is when
// asked: the proposal then shows it ("即 /undo 14") and 确认 reverts that
// one, even if the user changed something else in between. 重做 becomes
// /undo of the undo (what /redo would revert). Without one, cmd is left
// to answer for itself.
func (r *Router) pinTarget(userID string, cmd Command) Command {
	var target store.ChangeSet
	var err error
	switch {
	case cmd.Name == "undo" && len(cmd.Args) == 0:
		target, err = r.led.lastUndoable(userID)
	case cmd.Name == "redo":
		target, err = r.led.lastRedoable(userID)
	default:
		return cmd
	}
	if err != nil {
		return cmd
	}
	return Command{Slash: true, Name: "undo", Args: []Token{{Kind: Word, Value: target.ID.String()}}}
}

// pending reports whether the user has a proposal waiting for /confirm.
func (s *sessions) pending(user string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.locked(user, now).proposal
	return p != nil && !now.After(p.expires)
}

// confirmMeta is the store.Meta name of a user's /set confirm choice.
func confirmMeta(userID string) string { return "nl.confirm:" + userID }

// confirmOn reports whether the user's natural-language writes ask 确认.
func (r *Router) confirmOn(userID string) bool {
	v, err := r.st.Meta(confirmMeta(userID))
	return err != nil || v != "off"
}

// setSpec is /set confirm on|off.
func (r *Router) setSpec() Spec {
	return Spec{Name: "set", Aliases: []string{"设置"}, Usage: "/set confirm on|off",
		Summary: "设置：用大白话改标签时是否先问确认",
		Help:    "/set confirm off 之后，像「给张三打上高意向」这样的话直接执行；/set confirm on 恢复先确认。例：/set confirm off",
		MinRole: RoleEmployee, Run: r.runSet}
}

// runSet is /set confirm on|off.
func (r *Router) runSet(_ context.Context, req *Request) ([]Reply, error) {
	a := req.Cmd.Args
	if len(a) != 2 || a[0].Kind != Word || !strings.EqualFold(a[0].Value, "confirm") ||
		a[1].Kind != Word || (!strings.EqualFold(a[1].Value, "on") && !strings.EqualFold(a[1].Value, "off")) {
		return nil, userErr(CodeUsage, "用法：%s", req.Spec.Usage)
	}
	v := strings.ToLower(a[1].Value)
	if err := r.st.SetMeta(confirmMeta(req.UserID), v, 0); err != nil {
		return nil, fmt.Errorf("set confirm: %w", err)
	}
	if v == "off" {
		return textReply("好的：以后用大白话改标签会直接执行，不再先问确认。恢复请发送 /set confirm on"), nil
	}
	return textReply("好的：以后用大白话改标签会先问你确认。"), nil
}

// names returns the Names a request of userID is parsed with.
func (r *Router) names(userID string) Names {
	prev := r.tagNames.Load()
	cur := r.st.TagNames(prev)
	if cur != prev {
		r.tagNames.Store(cur)
	}
	return r.visibleNames(userID, storeNames{st: r.st, tags: cur, me: userID})
}

// storeNames is Names over the store.
type storeNames struct {
	st   *store.Store
	tags *store.TagNames
	me   string
}

func (n storeNames) Customer(text string) bool             { return n.st.HasCustomerNamed(text) }
func (n storeNames) Tag(text string) (string, bool)        { return n.tags.Live(text) }
func (n storeNames) DeletedTag(text string) (string, bool) { return n.tags.Deleted(text) }
func (n storeNames) TagNames() []string                    { return n.tags.Names() }
func (n storeNames) Me() string                            { return n.me }
func (n storeNames) Members(text string) []string          { return n.st.MembersNamed(text) }
