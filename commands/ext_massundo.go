package commands

import (
	"context"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// MassUndo takes back many change-sets as one batch: /undo @userid
// since:… [until:…] [tag:X], /undo source:import since:…, /undo <batch id>
// (bg-…). Package hygiene implements it; /undo hands such requests over
// (wantsMassUndo) and keeps plain /undo and /undo N for itself.
// 批量撤销：按人、来源、时间、标签或批次。
type MassUndo interface {
	MassUndo(ctx context.Context, req *ExtRequest) ([]Reply, error)
}

// wantsMassUndo reports whether /undo's arguments ask for a mass undo: a
// mention, a since:/until:/tag: filter, a source: word or a background
// batch id.
func wantsMassUndo(args []Token) bool {
	for _, t := range args {
		switch {
		case t.Kind == Mention:
			return true
		case t.Kind == Filter && (t.Key == "since" || t.Key == "until" || t.Key == "tag"):
			return true
		case t.Kind == Word && (isSourceWord(t.Value) || strings.HasPrefix(t.Value, store.BackgroundBatchPrefix)):
			return true
		}
	}
	return false
}

// isSourceWord reports whether a word is a source filter ("source:import",
// "来源:import", full-width colon too), which the tokenizer leaves a Word.
func isSourceWord(w string) bool {
	_, ok := SourceFilter(w)
	return ok
}

// SourceFilter returns the value of a source filter word ("source:import"
// → "import").
func SourceFilter(w string) (string, bool) {
	w = strings.Replace(w, "：", ":", 1)
	for _, p := range []string{"source:", "来源:"} {
		if len(w) > len(p) && strings.EqualFold(w[:len(p)], p) {
			return w[len(p):], true
		}
	}
	return "", false
}

// massUndoRequest is the ExtRequest MassUndo receives for req.
func massUndoRequest(r *Router, req *Request) *ExtRequest {
	return &ExtRequest{UserID: req.UserID, Role: req.Role, Name: req.Name, Args: req.Cmd.Args,
		Inbox: req.Inbox, Now: req.Now, Location: r.loc, r: r}
}

// ResolveTag finds the live tag a user names, as /tag does: exact, then
// ignoring case, then "组名/标签"; an unknown or ambiguous name is a
// *UserError with a did-you-mean; a tag hidden from the user (visible_to)
// is answered as unknown.
func (e *ExtRequest) ResolveTag(name string) (store.Tag, error) {
	live, err := e.r.st.Tags(false)
	if err != nil {
		return store.Tag{}, err
	}
	return e.r.lib.seenBy(e.Viewer()).resolve(name, live)
}

// TagsEverNamed finds every tag, live or deleted, that tag:name means, as
// /history tag: does (hidden tags are unknown).
func (e *ExtRequest) TagsEverNamed(name string) ([]store.Tag, error) {
	return e.r.lib.seenBy(e.Viewer()).everNamed(name)
}

// Exclusive reports whether the tag group of that name is exclusive (at
// most one of its tags per customer, config groups.*.exclusive).
func (e *ExtRequest) Exclusive(groupName string) bool { return e.r.perms.exclusive(groupName) }

// EffectText is "添加「a」，移除「b」" for a change-set, as /undo's replies
// word it.
func EffectText(cs store.ChangeSet) string { return effectText(cs) }
