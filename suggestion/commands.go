package suggestion

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// RunSuggestion runs /confirm N [标签…], /reject N, /suggestions, /rules,
// /classify and /reload (the router has checked the role). 运行建议命令。
func (s *Service) RunSuggestion(ctx context.Context, req commands.SuggestionRequest) ([]commands.Reply, error) {
	switch req.Command {
	case "confirm", "reject":
		return s.runDecide(ctx, req)
	case "suggestions":
		return s.runList(req)
	case "rules":
		return s.runRules(req.Args)
	case "classify":
		return s.runClassify(ctx, req)
	case "reload":
		return s.runReload(ctx, req)
	}
	return nil, fmt.Errorf("suggestion: unknown command %q", req.Command)
}

func usage(format string, args ...any) error {
	return &commands.UserError{Code: commands.CodeUsage, Message: fmt.Sprintf(format, args...)}
}

// runDecide is /confirm N [标签…] and /reject N.
func (s *Service) runDecide(ctx context.Context, req commands.SuggestionRequest) ([]commands.Reply, error) {
	reject := req.Command == "reject"
	if len(req.Args) == 0 {
		return nil, usage("请写建议号，例如 /%s 3。发送 /suggestions 查看你待确认的建议。", req.Command)
	}
	if reject && len(req.Args) > 1 {
		return nil, usage("/reject 一次忽略一条建议，例如 /reject 3；多条请分开发送。")
	}
	id, err := store.ParseID(req.Args[0])
	if err != nil {
		return nil, usage("「%s」不是建议号。请写卡片上的数字，例如 /%s 3。", display.Echo(req.Args[0]), req.Command)
	}
	var tags []string
	if len(req.Args) > 1 {
		if tags, err = s.chosenTags(req.UserID, id, req.Args[1:]); err != nil {
			return nil, err
		}
	}
	replies, done, err := s.decide(ctx, req.UserID, id, reject, tags, req.Inbox)
	if err == nil && done != "" {
		if sg, gerr := s.st.Suggestion(id); gerr == nil {
			s.updateCard(ctx, sg) // the card still shows its buttons
		}
	}
	return replies, err
}

// chosenTags maps tag names typed after /confirm N to the ids of the
// suggestion's tags. Someone else's suggestion is refused first, so its
// tags are not shown to a user it was not sent to.
func (s *Service) chosenTags(user string, id store.ID, names []string) ([]string, error) {
	sg, err := s.st.Suggestion(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &commands.UserError{Code: commands.CodeNotFound, Message: fmt.Sprintf("没有建议 #%d。发送 /suggestions 查看你待确认的建议。", id)}
	}
	if err != nil {
		return nil, err
	}
	if sg.Follower != user {
		return nil, &commands.UserError{Code: commands.CodeDenied, Message: fmt.Sprintf(
			"建议 #%d 是发给客户跟进人的，只有跟进人可以确认或忽略。", id)}
	}
	var ids []string
	for _, n := range names {
		n = strings.TrimPrefix(n, "+")
		found := ""
		for _, t := range sg.Tags {
			if t.Name == n {
				found = t.ID
			}
		}
		if found == "" {
			return nil, &commands.UserError{Code: commands.CodeUnknownTag, Message: fmt.Sprintf(
				"建议 #%d 里没有标签「%s」，它建议的是：%s。", id, display.Echo(n), tagList(sg.Tags))}
		}
		ids = append(ids, found)
	}
	return ids, nil
}

// runList is /suggestions: the user's pending suggestions.
func (s *Service) runList(req commands.SuggestionRequest) ([]commands.Reply, error) {
	if len(req.Args) > 0 {
		return nil, usage("/suggestions 不带参数，直接发送 /suggestions 即可。")
	}
	all, err := s.st.SuggestionsPending(req.UserID)
	if err != nil {
		return nil, err
	}
	now := s.opts.Now()
	var lines []string
	for _, sg := range all {
		if !now.Before(sg.Expires) || !s.stillFollowed(sg) {
			continue
		}
		lines = append(lines, fmt.Sprintf("#%d %s：%s（%s，%s前有效）", sg.ID, s.customerName(sg.Customer, sg.Follower),
			tagList(sg.Tags), ruleLabel(sg), s.when(sg.Expires)))
	}
	if len(lines) == 0 {
		return []commands.Reply{{Text: "你现在没有待确认的标签建议。"}}, nil
	}
	n := len(lines)
	const most = 20
	if len(lines) > most {
		lines = append(lines[:most], fmt.Sprintf("…另有 %d 条", len(lines)-most))
	}
	text := fmt.Sprintf("待确认的标签建议（%d 条）：\n%s\n发送 /confirm 建议号 确认，/reject 建议号 忽略。", n, strings.Join(lines, "\n"))
	return []commands.Reply{{Text: text}}, nil
}

// runRules is /rules: every rule with its answers in the last 30 days.
func (s *Service) runRules(filter []string) ([]commands.Reply, error) {
	stats, err := s.st.SuggestionStats(s.opts.Now().Add(-StatsWindow))
	if err != nil {
		return nil, err
	}
	var rules []classify.RuleInfo
	if s.opts.Rules != nil {
		rules = s.opts.Rules.Rules()
	}
	known := map[string]bool{}
	for _, r := range rules {
		known[r.Name] = true
	}
	var gone []string
	for name := range stats {
		if !known[name] {
			gone = append(gone, name)
		}
	}
	sort.Strings(gone)
	for _, name := range gone {
		rules = append(rules, classify.RuleInfo{Name: name})
	}
	if len(rules) == 0 {
		return []commands.Reply{{Text: "现在没有打标规则。管理员可以在 config.yaml 的 rules 里添加，再发送 /reload。"}}, nil
	}
	if rules = matchingRules(rules, filter); len(rules) == 0 {
		return []commands.Reply{{Text: fmt.Sprintf("没有名字或标签含「%s」的规则。发送 /rules 查看全部。", display.Echo(strings.Join(filter, " ")))}}, nil
	}
	lines := make([]string, 0, len(rules))
	for _, r := range rules {
		lines = append(lines, ruleLine(r, stats[r.Name], known[r.Name]))
	}
	return []commands.Reply{{Text: fmt.Sprintf("打标规则（近 30 天：确认 / 忽略 / 过期）：\n%s", strings.Join(lines, "\n"))}}, nil
}

// ruleLine is one rule of /rules.
func ruleLine(r classify.RuleInfo, st map[store.SuggestionStatus]int, live bool) string {
	yes := st[store.SuggestionConfirmed] + st[store.SuggestionPartial]
	no, old := st[store.SuggestionRejected], st[store.SuggestionExpired]
	var b strings.Builder
	b.WriteString(dn(r.Name))
	if len(r.Tags) > 0 {
		names := make([]string, len(r.Tags))
		for i, t := range r.Tags {
			names[i] = dn(t)
		}
		fmt.Fprintf(&b, " → %s", strings.Join(names, "、"))
	}
	if r.Mode == classify.ModeAuto {
		b.WriteString("（自动）")
	}
	if !live {
		b.WriteString("（已不在规则里）")
	}
	fmt.Fprintf(&b, "：%d / %d / %d", yes, no, old)
	if n := yes + no + old; n > 0 {
		rate := yes * 100 / n
		fmt.Fprintf(&b, "，确认率 %d%%", rate)
		if 2*yes < n {
			b.WriteString(" ⚠ 低于 50%，建议修改规则")
		}
	}
	if p := st[store.SuggestionPending]; p > 0 {
		fmt.Fprintf(&b, "，待确认 %d", p)
	}
	return b.String()
}

// stillFollowed reports whether a pending suggestion's relationship still
// exists; one that ended is dropped (its card would only say so).
// matchingRules keeps the rules whose name or a tag contains every word of
// filter (all rules when filter is empty): /rules 价格 shows the price rules.
func matchingRules(rules []classify.RuleInfo, filter []string) []classify.RuleInfo {
	if len(filter) == 0 {
		return rules
	}
	var out []classify.RuleInfo
	for _, r := range rules {
		text := r.Name + " " + strings.Join(r.Tags, " ")
		all := true
		for _, w := range filter {
			all = all && strings.Contains(text, w)
		}
		if all {
			out = append(out, r)
		}
	}
	return out
}

func (s *Service) stillFollowed(sg store.Suggestion) bool {
	rel, err := s.st.Relationship(sg.Customer, sg.Follower)
	why := ""
	switch {
	case errors.Is(err, store.ErrNoRelationship), errors.Is(err, store.ErrNotFound):
		why = "relationship ended"
	case err != nil:
		return true // shown; a decision finds out
	case allOn(rel, sg.Tags):
		why = "tags already on the customer"
	default:
		return true
	}
	if _, err := s.st.DropSuggestion(sg.ID, why); err != nil {
		s.log.Warn("suggestion not dropped", "id", sg.ID, "err", err)
	}
	return false
}

// allOn reports whether every tag is on the relationship already (put on
// since the suggestion was made, e.g. in the WeCom client).
func allOn(rel store.Relationship, tags []store.TagRef) bool {
	for _, t := range tags {
		if _, ok := rel.Tags[t.ID]; !ok {
			return false
		}
	}
	return true
}
