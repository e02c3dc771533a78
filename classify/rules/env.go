package rules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
	"gopkg.in/yaml.v3"
)

// Env is what a `when:` expression sees: the message or the event (the
// other is zero), the customer, and the helper functions. package classify
// fills it for each input; the functions are bound to that input's Facts.
// 条件表达式的环境。
type Env struct {
	Message  MessageEnv  `expr:"message"`
	Event    EventEnv    `expr:"event"`
	Customer CustomerEnv `expr:"customer"`

	// Count is count(word, window): messages of the customer within window
	// (e.g. "7d", "24h", "30m") whose normalised text contains word, the
	// current one included.
	Count func(word, window string) (int, error) `expr:"count"`
	// Events is events(type, window): the customer's events of type
	// within window, the current one included.
	Events func(eventType, window string) (int, error) `expr:"events"`
	// Hour is hour(t), 0..23 in the configured zone.
	Hour func(t time.Time) int `expr:"hour"`
	// Weekday is weekday(t), 0 (Sunday) ..6 in the configured zone.
	Weekday func(t time.Time) int `expr:"weekday"`
	// DaysSince is days_since(t): whole days from t to the input's time.
	DaysSince func(t time.Time) int `expr:"days_since"`
	// HasTag is has_tag(name): the relationship has the tag now.
	HasTag func(name string) bool `expr:"has_tag"`
	// Contains is `text contains word` (expr's operator, overloaded) and
	// the function includes(text, word): on normalised text and word
	// (`contains` itself cannot be a function name in expr).
	Contains func(text, word string) bool `expr:"includes"`
}

// MessageEnv is `message` in a condition.
type MessageEnv struct {
	Text     string    `expr:"text"`
	From     string    `expr:"from"`
	Time     time.Time `expr:"time"`
	Employee string    `expr:"employee"`
}

// EventEnv is `event` in a condition.
type EventEnv struct {
	Type  string         `expr:"type"`
	Time  time.Time      `expr:"time"`
	Attrs map[string]any `expr:"attrs"`
}

// CustomerEnv is `customer` in a condition.
type CustomerEnv struct {
	ID    string    `expr:"id"`
	Name  string    `expr:"name"`
	Added time.Time `expr:"added"`
	State string    `expr:"state"`
	Tags  []string  `expr:"tags"`
	// LastMessage is when the customer last wrote (lifecycle rules; in
	// classification rules, the current message's time, else zero).
	LastMessage time.Time `expr:"last_message"`
}

// CompileOptions are the expr options every `when:` compiles with: the
// typed Env, a boolean result, and `contains` on normalised text.
func CompileOptions() []expr.Option {
	return append(checkOptions(), expr.Operator("contains", "includes"))
}

// checkOptions are CompileOptions without the `contains` overload. expr
// v1.17.8 stops reporting unknown names inside calls once an operator is
// overloaded (hour(mesage.time) compiled silently), so a condition is
// first checked with these, then compiled with CompileOptions.
func checkOptions() []expr.Option {
	return []expr.Option{expr.Env(Env{}), expr.AsBool()}
}

// ParseWindow parses a window such as "7d", "24h", "30m" or "90s" (days
// are 24 hours; Go durations like "1h30m" are accepted too). It must be
// positive.
func ParseWindow(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("window %q: want a positive number of days like 7d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("window %q: want a duration like 7d, 24h or 30m", s)
	}
	return d, nil
}

// when compiles a rule's `when:` against Env and checks literal windows,
// reporting errors with the file line and a caret under the fault.
func (p *parser) when(v *yaml.Node, r *Rule) *vm.Program {
	if strings.TrimSpace(r.When) == "" {
		p.add(v.Line, r.Name, "when", "empty condition")
		return nil
	}
	_, err := expr.Compile(r.When, checkOptions()...)
	var prog *vm.Program
	if err == nil {
		prog, err = expr.Compile(r.When, CompileOptions()...)
	}
	if err == nil {
		wc := &windowCheck{}
		node := prog.Node()
		ast.Walk(&node, wc)
		if wc.err == nil {
			return prog
		}
		err = wc.err.Bind(file.NewSource(r.When))
	}
	var fe *file.Error
	if !errors.As(err, &fe) {
		p.add(v.Line, r.Name, "when", "%v", err)
		return nil
	}
	line := v.Line + fe.Line - 1
	if v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		line++ // a block scalar starts on the line after its indicator
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Rule: r.Name, Key: "when",
		Msg:   fmt.Sprintf("%s (column %d)", envNames.Replace(strings.TrimSpace(fe.Message)), fe.Column+1),
		Caret: caret(r.When, fe.Line, fe.Column)})
	return nil
}

// envNames turns the Go names of Env's parts in expr's messages into the
// names a condition uses ("type rules.MessageEnv has no field tiem" →
// "message has no field tiem").
var envNames = strings.NewReplacer("type rules.MessageEnv", "message", "type rules.EventEnv", "event",
	"type rules.CustomerEnv", "customer", "rules.MessageEnv", "message", "rules.EventEnv", "event",
	"rules.CustomerEnv", "customer", "rules.Env", "condition")

// caret renders the expression's line and a caret under column (0-based
// runes; a wide character counts two).
func caret(src string, line, col int) string {
	lines := strings.Split(src, "\n")
	if line < 1 || line > len(lines) {
		return ""
	}
	l := []rune(strings.ReplaceAll(lines[line-1], "\t", " "))
	pad := 0
	for i := 0; i < col && i < len(l); i++ {
		pad += runeWidth(l[i])
	}
	return "  | " + string(l) + "\n  | " + strings.Repeat(" ", pad) + "^"
}

// runeWidth is 2 for East Asian wide characters, else 1.
func runeWidth(r rune) int {
	if r >= 0x1100 && (r <= 0x115f || r >= 0x2e80 && r <= 0xa4cf || r >= 0xac00 && r <= 0xd7a3 ||
		r >= 0xf900 && r <= 0xfaff || r >= 0xfe30 && r <= 0xfe4f || r >= 0xff00 && r <= 0xff60 ||
		r >= 0xffe0 && r <= 0xffe6 || r >= 0x20000 && r <= 0x3fffd) {
		return 2
	}
	return 1
}

// windowCheck finds the first literal window argument of count, events or count_events
// that ParseWindow refuses, so it is reported at load, not at run time.
type windowCheck struct{ err *file.Error }

// Visit implements ast.Visitor.
func (w *windowCheck) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if w.err != nil || !ok || len(call.Arguments) != 2 {
		return
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok || id.Value != "count" && id.Value != "events" && id.Value != "count_events" {
		return
	}
	lit, ok := call.Arguments[1].(*ast.StringNode)
	if !ok {
		return
	}
	if _, err := ParseWindow(lit.Value); err != nil {
		w.err = &file.Error{Location: lit.Location(), Message: err.Error()}
	}
}
