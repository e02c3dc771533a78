// Package nl turns a request in plain Chinese ("给张三打上高意向",
// "谁改了张三的标签", "撤销") into the same commands.Command the slash
// parser produces, or into a question to ask back. It uses patterns over
// the store's own customer and tag names (commands.Names) and no LLM, so
// it never invents a tag or a customer: an unknown name is asked back
// ("「高意」是指「高意向」吗？"). A question or a negation is never a write.
// 自然语言：把中文大白话解析为命令。
//
// The command then runs through the router like a typed one: the same
// spec, permission check, confirmation and ledger.
package nl

import (
	"context"
	"regexp"
	"strings"

	"github.com/tagbot/tagbot/commands"
)

// Kind says what Parse made of a request. 解析结果类型。
type Kind uint8

// Result kinds.
const (
	Unknown Kind = iota // not understood; Ask may hold a hint
	Run                 // Cmd is the command to run
	Ask                 // Ask is a question to reply with; nothing runs
)

// Result is what Parse made of a request: a command (Kind Run), with
// Write set when it changes tags and Slash its slash form, or a question
// (Kind Ask), or nothing (Unknown). 解析结果。
type Result struct {
	Kind  Kind
	Cmd   commands.Command
	Write bool
	Slash string // "/tag 张三 +高意向"; several commands joined by "；"
	Ask   string
	// Steps are the commands of a sentence holding several, in order
	// (Cmd is the first); Write says one of them writes.
	Steps []Result
	// Confirm asks 确认 for a write even after /set confirm off (set
	// on what the LLM proposed).
	Confirm bool
	// partial: a sentence of several parts where one was not understood
	// at all, or a count question not read (countHint); the question is
	// asked unless a model can read it whole.
	partial bool
	// asked: a write asked as a question (该不该给张三打上高意向); in a
	// sentence of several commands it makes the whole asked back.
	asked bool
}

// Parse reads one plain-text request. names answers which words are
// customers and tags; Parse asks it at most a few dozen times, so a
// request parses in microseconds even with many customers and tags. A
// sentence of several commands (multi.go) gives a Result with Steps.
// 解析一句中文请求。
func Parse(text string, names commands.Names) Result {
	r := parse(text, names)
	if r.Write && howManyCustomers.MatchString(text) {
		return countNotWrite // 多少客户需要打上高意向: a question, whatever a name matched
	}
	return r
}

// howManyCustomers finds "how many customers" (多少客户, 几位客户, 多少个人 …): a
// sentence holding it asks a count, so it is never read as a write, even
// when a customer is named 多少.
var howManyCustomers = regexp.MustCompile(`(多少|几)\s*(个|位|名)?\s*(客户|人)`)

// countNotWrite answers a write-shaped sentence that asks how many.
var countNotWrite = ask("这句话像是在问有多少客户，什么都没有改。数有某个标签的客户：高意向客户有多少（即 /stats tag:高意向）；给一位客户打标签：给王小明打上高意向。")

// parse is Parse without the how-many guard.
func parse(text string, names commands.Names) Result {
	steps, split := parseSteps(text, names)
	switch {
	case split && (steps.Kind == Run || !steps.partial): // every part read, or one asked back
		return steps
	case !split && strings.ContainsAny(text, ",，"): // 给张三打上高意向，李四打上VIP
		if m, ok := commaSteps(text, names); ok {
			return m
		}
	}
	r := parseOne(text, names)
	if r.Kind != Run && split { // which part was not understood
		return steps
	}
	return r
}

// parseOne reads text as one command.
func parseOne(text string, names commands.Names) Result {
	rq := newRequest(text, names)
	if rq.s == "" {
		return Result{}
	}
	for _, in := range intents {
		if r, ok := in(rq); ok {
			return rq.finish(r)
		}
	}
	return Result{}
}

// Natural is Parse as a commands.NaturalParser (Options.Natural), with
// patterns only; Parser.Natural adds the LLM.
func Natural(_ context.Context, text string, names commands.Names) commands.Natural {
	r := Parse(text, names)
	return r.natural()
}

// natural is r as the router takes it.
func (r Result) natural() commands.Natural {
	switch {
	case r.Kind == Run && len(r.Steps) > 0:
		steps := make([]commands.NaturalStep, len(r.Steps))
		for i, s := range r.Steps {
			steps[i] = commands.NaturalStep{Cmd: s.Cmd, Write: s.Write}
		}
		return commands.Natural{Steps: steps, Write: r.Write, Confirm: r.Confirm}
	case r.Kind == Run:
		cmd := r.Cmd
		return commands.Natural{Cmd: &cmd, Write: r.Write, Confirm: r.Confirm}
	}
	return commands.Natural{Ask: r.Ask}
}

// run makes a Run result of a command name and its arguments.
func run(write bool, name string, args ...commands.Token) Result {
	c := commands.Command{Slash: true, Name: name, Args: args}
	return Result{Kind: Run, Cmd: c, Write: write, Slash: c.Display()}
}

// ask makes an Ask result.
func ask(format string) Result { return Result{Kind: Ask, Ask: format} }

// word, filter, mention, addTag are argument tokens.
func word(v string) commands.Token { return commands.Token{Kind: commands.Word, Value: v} }
func filter(k, v string) commands.Token {
	return commands.Token{Kind: commands.Filter, Key: k, Value: v}
}
func mention(v string) commands.Token { return commands.Token{Kind: commands.Mention, Value: v} }
func addTag(v string) commands.Token  { return commands.Token{Kind: commands.AddTag, Value: v} }
