package suggestion

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// Card button keys (EventKey) of suggestion cards. Their task ids start
// with store.TaskIDPrefix, so they never meet the router's
// commands.KeyConfirm / KeyCancel proposals.
const (
	KeyAll    = "sg:ok" // apply every suggested tag
	KeyReject = "sg:no" // ignore the suggestion
	KeyOnly   = "sg:t:" // + tag id: apply only that tag
	maxOnly   = 4       // per-tag buttons fit beside 全部确认 and 忽略 (six at most)
	snipRunes = 24      // of the evidence snippet on a card
)

// Action is what a click on a suggestion card asks for.
type Action struct {
	ID     store.ID
	Reject bool
	Tag    string // a tag id: apply only it ("" = all)
}

// ParseCardEvent reads a suggestion card's task id and button key.
func ParseCardEvent(taskID, key string) (Action, error) {
	num, ok := strings.CutPrefix(taskID, store.TaskIDPrefix)
	if !ok {
		return Action{}, fmt.Errorf("suggestion: task id %q is not a suggestion's", taskID)
	}
	n, err := strconv.ParseUint(num, 10, 64)
	if err != nil || n == 0 || strconv.FormatUint(n, 10) != num {
		return Action{}, fmt.Errorf("suggestion: bad task id %q", taskID)
	}
	a := Action{ID: store.ID(n)}
	switch {
	case key == KeyAll:
	case key == KeyReject:
		a.Reject = true
	case strings.HasPrefix(key, KeyOnly) && len(key) > len(KeyOnly):
		a.Tag = key[len(KeyOnly):]
	default:
		return Action{}, fmt.Errorf("suggestion: unknown button %q", key)
	}
	return a, nil
}

// IsCard reports whether a task id is a suggestion card's.
func IsCard(taskID string) bool { return strings.HasPrefix(taskID, store.TaskIDPrefix) }

// card is the card offering a suggestion to its follower: who, which tags,
// which rule, the evidence, and the /confirm N fallback.
func (s *Service) card(sg store.Suggestion) commands.Reply {
	c := &commands.Card{
		TaskID: sg.TaskID,
		Title:  "建议给客户加标签",
		Desc:   fmt.Sprintf("建议 #%d · %s前有效", sg.ID, s.when(sg.Expires)),
		Lines: []string{
			"客户：" + s.customerName(sg.Customer, sg.Follower),
			"标签：" + tagList(sg.Tags),
			"依据：" + ruleLabel(sg),
			"原话：" + snippet(sg.Evidence.Snippet),
			fmt.Sprintf("回复：/confirm %d 或 /reject %d", sg.ID, sg.ID),
		},
	}
	if len(sg.Tags) == 1 {
		c.Buttons = []commands.Button{{Key: KeyAll, Text: "确认"}, {Key: KeyReject, Text: "忽略"}}
		return commands.Reply{Card: c}
	}
	c.Buttons = []commands.Button{{Key: KeyAll, Text: "全部确认"}}
	if len(sg.Tags) <= maxOnly {
		for _, t := range sg.Tags {
			c.Buttons = append(c.Buttons, commands.Button{Key: KeyOnly + t.ID, Text: "只加" + display.Line(t.Name, 8)})
		}
	}
	c.Buttons = append(c.Buttons, commands.Button{Key: KeyReject, Text: "忽略"})
	return commands.Reply{Card: c}
}

// when formats a time for users, in their zone.
func (s *Service) when(t time.Time) string { return t.In(s.opts.Location).Format("01-02 15:04") }

// customerName is the customer's name for replies (the follower's remark
// when set), through display.Name; the id when the customer is unknown.
func (s *Service) customerName(customer, follower string) string {
	if rel, err := s.st.Relationship(customer, follower); err == nil && rel.Remark != "" {
		return dn(rel.Remark)
	}
	if c, err := s.st.Customer(customer); err == nil && c.Name != "" {
		return dn(c.Name)
	}
	return dn(customer)
}

// ruleLabel names where a suggestion came from.
func ruleLabel(sg store.Suggestion) string {
	if sg.Source == store.SourceLLM {
		return "AI 判断"
	}
	return "规则「" + dn(sg.Rule) + "」"
}

// dn shows a name from users, WeCom or the config: display.Name.
func dn(s string) string { return display.Name(s) }

// snippet shows evidence text on one short line.
func snippet(s string) string {
	if s = display.Line(s, snipRunes); s == "" {
		return "（无）"
	}
	return s
}

// tagList joins tag names with 、.
func tagList(refs []store.TagRef) string {
	names := make([]string, len(refs))
	for i, t := range refs {
		names[i] = dn(t.Name)
	}
	return strings.Join(names, "、")
}

// quoteArg quotes a command argument that holds a space.
func quoteArg(s string) string {
	if strings.ContainsAny(s, " \u3000") {
		return "「" + s + "」"
	}
	return s
}

// untagArgs are the tag arguments of an /untag that takes refs back.
func untagArgs(refs []store.TagRef) string {
	out := make([]string, len(refs))
	for i, t := range refs {
		out[i] = quoteArg(dn(t.Name))
	}
	return strings.Join(out, " ")
}
