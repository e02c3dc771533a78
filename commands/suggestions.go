package commands

import (
	"context"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// SuggestionHandler answers suggestion cards and the suggestion commands
// (/confirm N, /reject N, /suggestions, /rules, /classify, /reload);
// suggestion.Service implements it. The router only passes them on.
// 建议卡片与建议命令。
type SuggestionHandler interface {
	// HandleSuggestionCard runs a click on a card whose task id starts
	// with store.TaskIDPrefix.
	HandleSuggestionCard(ctx context.Context, userID string, ev CardEvent) []Reply
	// RunSuggestion runs one suggestion command; a *UserError is shown as
	// is, other errors as an internal error.
	RunSuggestion(ctx context.Context, req SuggestionRequest) ([]Reply, error)
}

// SuggestionRequest is one suggestion command as the router read it.
type SuggestionRequest struct {
	Command string // the spec name: confirm, reject, suggestions, rules, classify, reload
	UserID  string
	Role    Role
	Args    []string // the arguments as typed (+, -, @, # and key: kept)
	Inbox   store.ID // the received message, 0 outside the bot loop
}

// runSuggestion passes a command on to the SuggestionHandler.
func (r *Router) runSuggestion(ctx context.Context, req *Request) ([]Reply, error) {
	if r.sugg == nil {
		return nil, userErr(CodeUnavailable, "自动建议功能没有启用，请联系管理员。")
	}
	args := make([]string, len(req.Cmd.Args))
	for i, t := range req.Cmd.Args {
		args[i] = tokenText(t)
	}
	return r.sugg.RunSuggestion(ctx, SuggestionRequest{Command: req.Spec.Name, UserID: req.UserID, Role: req.Role, Args: args, Inbox: req.Inbox})
}

// tokenText writes a token back the way it was typed.
func tokenText(t Token) string {
	switch t.Kind {
	case AddTag:
		return "+" + t.Value
	case RemoveTag:
		return "-" + t.Value
	case Filter:
		return t.Key + ":" + t.Value
	case Mention:
		return "@" + t.Value
	case Pick:
		return "#" + t.Value
	}
	return t.Value
}

// SystemActor is the actor of change-sets tagbot makes by itself (an
// admin's auto rule).
const SystemActor = "system"

// isSuggestionCard reports whether a card event is a suggestion card's.
func isSuggestionCard(ev CardEvent) bool { return strings.HasPrefix(ev.TaskID, store.TaskIDPrefix) }

// suggestionSpecs are the commands of suggestions, run by the SuggestionHandler.
func (r *Router) suggestionSpecs() []Spec {
	return []Spec{
		{Name: "reject", Aliases: []string{"忽略"}, Usage: "/reject <建议号>", Summary: "忽略一条标签建议",
			Help: "建议号见建议卡片或 /suggestions。忽略后 30 天内同一规则不会再为这位客户提同样的建议。例：/reject 3", MinRole: RoleEmployee, Run: r.runSuggestion},
		{Name: "suggestions", Aliases: []string{"建议"}, Usage: "/suggestions", Summary: "查看发给你、待确认的标签建议",
			Help: "用 /confirm 建议号 确认，/reject 建议号 忽略。", MinRole: RoleEmployee, Run: r.runSuggestion},
		{Name: "rules", Aliases: []string{"规则"}, Usage: "/rules [规则名或标签]", Summary: "查看打标规则和近 30 天的确认率（主管）",
			Help: "列出每条规则近 30 天的建议被确认、忽略、过期的次数，确认率低于 50% 的会标出，方便改规则。/rules 价格 只看名字或标签含「价格」的规则。", MinRole: RoleManager, Run: r.runSuggestion},
		{Name: "classify", Aliases: []string{"识别"}, Usage: "/classify <客户> <客户说的话>",
			Summary: "把客户说的话交给规则识别，匹配到会发建议卡片",
			Help:    "客户写姓名、备注或手机号，必须是你跟进的客户。例：/classify 王小明 这个多少钱，有优惠吗", MinRole: RoleEmployee, Run: r.runSuggestion},
		{Name: "reload", Aliases: []string{"重载规则"}, Usage: "/reload", Summary: "重新加载打标规则、触发器和生命周期规则（管理员）",
			Help: "重新读取 config.yaml 的 rules、triggers 和 lifecycle；有错时一样都不换，保留原来的，并告诉你错在哪里。groups 和 roles 要重启才生效。", MinRole: RoleAdmin, Run: r.runSuggestion},
	}
}

// SuggestionPolicy applies the tag-group policies of /tag to a suggestion
// userID confirms on rel: a tag userID may not add (protected, or a group
// closed to them, a group hidden from them, a group's max exceeded)
// refuses it with a *UserError, and a tag of an exclusive group takes the
// group's other tags off, which it returns. The suggestion service also
// asks it before offering a tag, so no card shows a hidden group. userID
// "system" applies an admin's `mode: auto` rule: it may add any tag.
// 确认建议时同样遵守标签组规则（受保护、互斥）。
// LockWrites takes the lock every tag-changing command holds from its
// group-policy check to its write, and returns its release: a change made
// elsewhere (a confirmed suggestion, an auto rule) takes it around the same
// two steps, so an exclusive group cannot end up with two tags.
func (r *Router) LockWrites() (unlock func()) {
	r.writeMu.Lock()
	return r.writeMu.Unlock
}

func (r *Router) SuggestionPolicy(userID string, rel store.Relationship, add []store.TagRef) ([]store.TagRef, error) {
	role := r.perms.role(userID)
	if userID == SystemActor {
		role = RoleAdmin
	}
	live, err := r.st.Tags(false)
	if err != nil {
		return nil, err
	}
	byID := map[string]store.Tag{}
	for _, t := range live {
		byID[t.ID] = t
	}
	var tags []store.Tag
	for _, ref := range add {
		t, ok := byID[ref.ID]
		if !ok {
			continue // deleted since: the store refuses it
		}
		if d := r.perms.check(userID, role, t); d != nil {
			return nil, userErr(CodeDenied, "%s", d.Reply)
		}
		tags = append(tags, t)
	}
	auto, err := r.exclusiveRemovals(rel, tags, nil, live, "客户")
	if err != nil {
		return nil, err
	}
	return refs(auto), nil
}
