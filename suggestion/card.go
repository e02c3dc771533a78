package suggestion

import (
	"fmt"
	"slices"
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
	KeyAll      = "sg:ok"  // apply every suggested tag (one-tag card)
	KeyReject   = "sg:no"  // ignore the suggestion (one-tag card)
	KeySelected = "sg:sel" // apply the ticked tags (checkbox card; none ticked = ignore)
	snipRunes   = 24       // of the evidence snippet on a card
)

// Action is what a click on a suggestion card asks for.
type Action struct {
	ID     store.ID
	Reject bool
	// Chosen is set for a checkbox card's submit: the ticked tags
	// (CardEvent.Selected) are applied, none ticked rejects.
	Chosen bool
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
	switch key {
	case KeyAll:
	case KeyReject:
		a.Reject = true
	case KeySelected:
		a.Chosen = true
	default:
		return Action{}, fmt.Errorf("suggestion: unknown button %q", key)
	}
	return a, nil
}

// IsCard reports whether a task id is a suggestion card's.
func IsCard(taskID string) bool { return strings.HasPrefix(taskID, store.TaskIDPrefix) }

// card is what offers a suggestion to its follower. One tag: a button
// card (确认 / 忽略) with who, which tag, which rule, the evidence and the
// /confirm N fallback. Several tags: a text with those details, then a
// checkbox card (vote_interaction, which has no room for them) with every
// tag ticked and 确认所选, so the follower can untick some.
func (s *Service) card(sg store.Suggestion) []commands.Reply {
	name := s.customerName(sg.Customer, sg.Follower)
	c := &commands.Card{
		TaskID: sg.TaskID,
		Title:  "建议给客户加标签",
		Desc:   fmt.Sprintf("建议 #%d · %s前有效", sg.ID, s.when(sg.Expires)),
		Lines: []string{
			"客户：" + name,
			"标签：" + tagList(sg.Tags),
			"依据：" + ruleLabel(sg),
			"原话：" + snippet(sg.Evidence.Snippet),
			fmt.Sprintf("回复：/confirm %d 或 /reject %d", sg.ID, sg.ID),
		},
	}
	if len(sg.Evidence.Words) > 0 { // the sixth and last line a card shows
		c.Lines = slices.Insert(c.Lines, 3, "命中："+wordList(sg.Evidence.Words))
	}
	if len(sg.Tags) == 1 {
		c.Buttons = []commands.Button{{Key: KeyAll, Text: "确认"}, {Key: KeyReject, Text: "忽略"}}
		return []commands.Reply{{Card: c}}
	}
	c.Desc = fmt.Sprintf("建议 #%d · %s", sg.ID, name)
	for _, t := range sg.Tags {
		c.Choices = append(c.Choices, commands.Choice{Key: t.ID, Text: dn(t.Name), Checked: true})
	}
	c.Buttons = []commands.Button{{Key: KeySelected, Text: "确认所选"}}
	text := fmt.Sprintf("建议 #%d：给 %s 加 %s（%s）\n原话：%s\n在卡片上勾选要加的标签，点「确认所选」（都不勾即忽略）；"+
		"也可回复 /confirm %d（全部）、/confirm %d %s（只加这个）或 /reject %d。",
		sg.ID, name, tagList(sg.Tags), ruleLabel(sg), snippet(sg.Evidence.Snippet), sg.ID, sg.ID, quoteArg(dn(sg.Tags[0].Name)), sg.ID)
	return []commands.Reply{{Text: text}, {Card: c}}
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

// wordList joins matched words with 、, each shown safely.
func wordList(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = display.Line(w, display.EchoRunes)
	}
	return strings.Join(out, "、")
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
