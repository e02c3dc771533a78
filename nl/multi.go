package nl

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
)

// A sentence may hold several commands: "给张三打上高意向，再把李四的VIP
// 去掉". It is split at clear separators (；, 。, 然后, 接着, 并且, 另外,
// "，再", 再把 / 再给 / 再将), or, when the whole does not parse, at commas
// if every piece is then a whole command by itself. Every part must parse
// to a command: one that does not is asked back and nothing runs. The
// parts' writes are proposed together (commands.NaturalStep).

// maxSteps is the most commands one sentence may hold.
const maxSteps = 5

// stepSep separates the commands of a sentence.
var stepSep = regexp.MustCompile(`[;；。]|[,，]?\s*(?:然后再|然后|接着|并且|另外)|[,，]\s*(?:再|还要|也)|再(?:帮我把|帮我给|把|给|将)`)

// stepSepKept is the part of a separator that belongs to the next
// command ("再把李四…" keeps 把).
var stepSepKept = []string{"帮我把", "帮我给", "把", "给", "将"}

// stepSlashSep joins the slash forms of a sentence's commands.
const stepSlashSep = "；"

// parseSteps reads text as several commands, if it holds several.
// ok is false when it holds one (or none); then Parse reads it whole.
func parseSteps(text string, names commands.Names) (Result, bool) {
	if !strings.ContainsAny(text, ";；。") && !hasAny(text, "然后", "接着", "并且", "另外", "再", "还要", "也") || !stepSep.MatchString(text) {
		return Result{}, false
	}
	parts := splitSteps(text)
	if len(parts) < 2 {
		return Result{}, false
	}
	return stepsResult(text, parts, names), true
}

// commaSteps reads text split at its commas when each piece is a whole
// command ("给张三打上高意向，李四打上VIP"); ok false otherwise.
func commaSteps(text string, names commands.Names) (Result, bool) {
	parts := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '，' })
	if len(parts) < 2 || len(parts) > maxSteps {
		return Result{}, false
	}
	seen := map[string]bool{}
	for _, p := range parts {
		r := parseOne(p, names)
		if r.asked { // 李四该不该打高意向，给张三打上低意向: stepsResult asks it back whole
			continue
		}
		// 撤销错了，重做 is one redo: undo and redo read with their context
		if r.Kind != Run || seen[r.Slash] || r.Cmd.Name == "undo" || r.Cmd.Name == "redo" {
			return Result{}, false
		}
		seen[r.Slash] = true
	}
	return stepsResult(text, parts, names), true
}

// splitSteps cuts text at its separators, keeping 把/给/将 with the
// next part, and drops empty parts.
func splitSteps(text string) []string {
	var parts []string
	last := 0
	for _, loc := range stepSep.FindAllStringIndex(text, -1) {
		parts = append(parts, text[last:loc[0]])
		last = loc[1]
		for _, k := range stepSepKept {
			if strings.HasSuffix(text[loc[0]:loc[1]], k) {
				last -= len(k)
				break
			}
		}
	}
	parts = append(parts, text[last:])
	out := parts[:0]
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// stepsResult parses each part: all commands → one Result with Steps;
// any part not understood, a rollback (it asks its own confirmation), a
// question or a negation over the whole sentence → a question, nothing run.
func stepsResult(text string, parts []string, names commands.Names) Result {
	if len(parts) > maxSteps {
		return ask(fmt.Sprintf("一句话最多 %d 条命令，什么都没有改。请分几次说。", maxSteps))
	}
	var steps []Result
	var slashes []string
	write := false
	for i, p := range parts {
		r := parseOne(p, names)
		switch {
		case r.Kind != Run:
			why := r.Ask
			if why == "" {
				why = "这一句没看懂"
			}
			return Result{Kind: Ask, partial: r.Ask == "", Ask: fmt.Sprintf("第 %d 句「%s」：%s\n整句话什么都没有改。请改好后再说一次，或一句一句发。", i+1, display.Name(strings.TrimSpace(p)), why)}
		case r.Cmd.Name == "rollback":
			return ask("回滚要单独确认，请单独说，例如：把张三恢复到昨天下午3点。整句话什么都没有改。")
		}
		steps = append(steps, r)
		slashes = append(slashes, r.Slash)
		write = write || r.Write
	}
	whole := Result{Kind: Run, Cmd: steps[0].Cmd, Write: write, Slash: strings.Join(slashes, stepSlashSep), Steps: steps}
	rq := newRequest(text, names)
	switch {
	case write && rq.question:
		return ask("你是想执行 " + whole.Slash + " 吗？我没有改任何东西。如果是，请直接说（不带问号）。")
	case write && rq.negated():
		return Result{Ask: notDone}
	}
	return whole
}
