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
	Slash string // "/tag 张三 +高意向"
	Ask   string
}

// Parse reads one plain-text request. names answers which words are
// customers and tags; Parse asks it at most a few dozen times, so a
// request parses in microseconds even with many customers and tags.
// 解析一句中文请求。
func Parse(text string, names commands.Names) Result {
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

// Natural is Parse as a commands.NaturalParser (Options.Natural).
func Natural(text string, names commands.Names) commands.Natural {
	r := Parse(text, names)
	switch r.Kind {
	case Run:
		cmd := r.Cmd
		return commands.Natural{Cmd: &cmd, Write: r.Write}
	case Ask:
		return commands.Natural{Ask: r.Ask}
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
