package rules

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// LifecycleEnv is what a lifecycle rule's `when:` sees: the classification
// environment Env (customer, count, events, days_since, has_tag, hour, …;
// message and event are zero, since a lifecycle rule runs on a schedule,
// not on an input) and what the lifecycle examples need besides.
// 生命周期规则的条件环境：复用分类规则的环境，再加 count_events 与 tag_added。
type LifecycleEnv struct {
	Env
	// CountEvents is count_events(type, window): the customer's events
	// of type within window before the run (the same as events).
	CountEvents func(eventType, window string) (int, error) `expr:"count_events"`
	// TagAdded is tag_added(name): when the tag was put on the
	// relationship; the zero time when it is not there (days_since of
	// the zero time is -1, so `days_since(tag_added(X)) > N` is false).
	TagAdded func(name string) time.Time `expr:"tag_added"`
}

// ExprError is a `when:` that does not compile: the message, the line and
// column (1-based) inside the expression, and the caret lines.
type ExprError struct {
	Line, Column int
	Msg          string
	Caret        string
}

// Error renders "msg (line L, column C)" and the caret.
func (e *ExprError) Error() string {
	s := fmt.Sprintf("%s (column %d)", e.Msg, e.Column)
	if e.Line > 1 {
		s = fmt.Sprintf("%s (line %d, column %d)", e.Msg, e.Line, e.Column)
	}
	if e.Caret != "" {
		s += "\n" + e.Caret
	}
	return s
}

// CompileLifecycle compiles a lifecycle rule's condition against
// LifecycleEnv (a boolean result, `contains` on normalised text), checking
// literal windows of count, events and count_events. An error is an
// *ExprError pointing at the fault.
func CompileLifecycle(when string) (*vm.Program, error) {
	if strings.TrimSpace(when) == "" {
		return nil, &ExprError{Line: 1, Column: 1, Msg: "empty condition"}
	}
	env := expr.Env(LifecycleEnv{})
	_, err := expr.Compile(when, env, expr.AsBool())
	var prog *vm.Program
	if err == nil {
		prog, err = expr.Compile(when, env, expr.AsBool(), expr.Operator("contains", "includes"))
	}
	if err == nil {
		wc := &windowCheck{}
		node := prog.Node()
		ast.Walk(&node, wc)
		if wc.err == nil {
			return prog, nil
		}
		err = wc.err.Bind(file.NewSource(when))
	}
	var fe *file.Error
	if !errors.As(err, &fe) {
		return nil, &ExprError{Line: 1, Column: 1, Msg: err.Error()}
	}
	return nil, &ExprError{Line: fe.Line, Column: fe.Column + 1,
		Msg:   lifecycleNames.Replace(envNames.Replace(strings.TrimSpace(fe.Message))),
		Caret: caret(when, fe.Line, fe.Column)}
}

// lifecycleNames names LifecycleEnv in expr's messages as envNames does Env.
var lifecycleNames = strings.NewReplacer("rules.LifecycleEnv", "condition")

// LiteralArgs lists the literal string arguments at position i of the
// calls to fn in prog (e.g. the tag names of has_tag and tag_added, the
// windows of count), so the caller can check them at load.
func LiteralArgs(prog *vm.Program, fn string, i int) []string {
	if prog == nil {
		return nil
	}
	v := &stringArgs{fn: fn, i: i}
	node := prog.Node()
	ast.Walk(&node, v)
	return v.out
}

// stringArgs collects the literal arguments at position i of calls to fn.
type stringArgs struct {
	fn  string
	i   int
	out []string
}

// Visit implements ast.Visitor.
func (v *stringArgs) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok || len(call.Arguments) <= v.i {
		return
	}
	if id, ok := call.Callee.(*ast.IdentifierNode); ok && id.Value == v.fn {
		if s, ok := call.Arguments[v.i].(*ast.StringNode); ok {
			v.out = append(v.out, s.Value)
		}
	}
}
