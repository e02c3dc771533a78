package hygiene

import (
	"cmp"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// undoUsage is the mass-undo syntax, for usage errors.
const undoUsage = "/undo @userid since:今天 [until:时间] [tag:标签] [source:来源] [force]，或 /undo 批次号（如 bg-bulk-12）"

// sources a mass undo may name with source:.
var sources = []store.Source{store.SourceCommand, store.SourceRule, store.SourceLLM, store.SourceImport,
	store.SourceBulk, store.SourceWeComUI, store.SourceSync, store.SourceUndo, store.SourceRollback,
	store.SourceRestore, store.SourceTrigger, store.SourceLifecycle, store.SourceChannel, store.SourceMerge}

// undoArgs is a parsed mass undo: which change-sets to take back.
type undoArgs struct {
	actor        string // @userid ("" any)
	source       store.Source
	batch        string
	since, until time.Time // until exclusive; zero: open
	tags         []store.Tag
	force        bool
	words        []string // the selection as the reply describes it
}

// members finds members by userid or name (the store).
type members interface {
	MemberName(userID string) (string, error)
	MembersNamed(text string) []string
}

// parseUndo reads the arguments of a mass undo and checks the user may
// ask for it: employees only their own change-sets and never force.
func parseUndo(req *commands.ExtRequest, ms members) (undoArgs, error) {
	var a undoArgs
	for _, t := range req.Args {
		if t.Kind == commands.Mention {
			id, err := mentionedUser(ms, t.Value)
			if err != nil {
				return undoArgs{}, err
			}
			t.Value = id
		}
		if err := a.read(req, t); err != nil {
			return undoArgs{}, err
		}
	}
	if a.batch == "" && a.since.IsZero() {
		return undoArgs{}, commands.UserErrorf(commands.CodeUsage, "请用 since: 写从什么时候起，例如 /undo @%s since:今天。用法：%s",
			display.Name(cmp.Or(a.actor, req.UserID)), undoUsage)
	}
	if !a.since.IsZero() && !a.until.IsZero() && !a.since.Before(a.until) {
		return undoArgs{}, commands.UserErrorf(commands.CodeBadTime, "since 晚于 until，请检查时间：since 是开始，until 是结束。")
	}
	if req.Role.AtLeast(commands.RoleManager) {
		return a, nil
	}
	if a.force {
		return undoArgs{}, commands.UserErrorf(commands.CodeDenied, "只有主管可以强制撤销（force）。请联系主管。")
	}
	if a.actor != "" && a.actor != req.UserID {
		return undoArgs{}, commands.UserErrorf(commands.CodeDenied, "你只能批量撤销自己的变更，不能撤销 %s 的。请联系主管。", display.Name(a.actor))
	}
	if a.batch == "" { // a batch is checked whole: every change-set must be theirs (planUndo)
		a.actor = req.UserID
	}
	return a, nil
}

// mentionedUser is the userid @text names: text itself when it is a
// userid with a recorded name or no member's name, else the one member so
// named. A name of several members, or a text with characters no userid
// has that names no one, is a usage error.
func mentionedUser(ms members, text string) (string, error) {
	if name, err := ms.MemberName(text); err != nil || name != "" {
		return text, err
	}
	switch ids := ms.MembersNamed(text); {
	case len(ids) == 1:
		return ids[0], nil
	case len(ids) > 1:
		return "", commands.UserErrorf(commands.CodeUsage, "「%s」是 %d 位同事的名字，请在 @ 后面写 userid，例如 @%s。",
			display.Name(text), len(ids), display.Name(ids[0]))
	}
	for _, r := range text {
		if r >= utf8.RuneSelf {
			return "", commands.UserErrorf(commands.CodeUsage, "没有叫「%s」的同事。@ 后面要写 userid，例如 @zhangsan。", display.Name(text))
		}
	}
	return text, nil
}

// read takes one argument into a.
func (a *undoArgs) read(req *commands.ExtRequest, t commands.Token) error {
	src, isSource := commands.SourceFilter(t.Value)
	switch {
	case t.Kind == commands.Mention && a.actor == "":
		a.actor = t.Value
		a.words = append(a.words, display.Name(t.Value)+" 做的")
	case t.Kind == commands.Filter && (t.Key == "since" || t.Key == "until"):
		span, err := commands.ParseTime(t.Value, req.Now, req.Location)
		if err != nil {
			return err
		}
		if t.Key == "since" {
			a.since = span.From
			a.words = append(a.words, "自 "+span.From.In(req.Location).Format("01-02 15:04")+" 起")
		} else {
			a.until = span.To
			a.words = append(a.words, "到 "+span.To.In(req.Location).Format("01-02 15:04")+" 前")
		}
	case t.Kind == commands.Filter && t.Key == "tag" && a.tags == nil:
		tags, err := req.TagsEverNamed(t.Value)
		if err != nil {
			return err
		}
		a.tags = tags
		a.words = append(a.words, "涉及「"+display.Name(tags[0].Name)+"」")
	case t.Kind == commands.Word && isSource && a.source == "":
		for _, s := range sources {
			if strings.EqualFold(src, string(s)) {
				a.source = s
				a.words = append(a.words, "来源 "+string(s))
				return nil
			}
		}
		return commands.UserErrorf(commands.CodeUsage, "没有来源「%s」。可用：%s", display.Name(src), sourceList())
	case t.Kind == commands.Word && strings.HasPrefix(t.Value, store.BackgroundBatchPrefix) && a.batch == "":
		a.batch = t.Value
		a.words = append(a.words, "批次 "+display.Name(t.Value))
	case t.Kind == commands.Word && (strings.EqualFold(t.Value, "force") || t.Value == "强制"):
		a.force = true
	default:
		return commands.UserErrorf(commands.CodeUsage, "看不懂「%s」。用法：%s", display.Name(t.Value), undoUsage)
	}
	return nil
}

// describe is the selection in words ("lisi 做的 自 12-02 00:00 起").
func (a *undoArgs) describe() string { return strings.Join(a.words, " ") }

// match reports whether a candidate change-set fits the filters History
// could not apply: source, and tags when several ids share the name.
func (a *undoArgs) match(cs *store.ChangeSet) bool {
	if a.source != "" && cs.Source != a.source {
		return false
	}
	if len(a.tags) > 1 {
		for _, refs := range [][]store.TagRef{cs.Add, cs.Remove} {
			for _, r := range refs {
				for _, t := range a.tags {
					if r.ID == t.ID {
						return true
					}
				}
			}
		}
		return false
	}
	return true
}

// query is the History query that finds the candidates.
func (a *undoArgs) query(limit int) store.Query {
	q := store.Query{Actor: a.actor, Batch: a.batch, Since: a.since, Until: a.until, Limit: limit}
	if len(a.tags) == 1 {
		q.Tag = a.tags[0].ID
	}
	return q
}

// sourceList names the sources source: accepts.
func sourceList() string {
	names := make([]string, len(sources))
	for i, s := range sources {
		names[i] = string(s)
	}
	return strings.Join(names, "、")
}

// countText formats n with thousands separators ("12,345").
func countText(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
