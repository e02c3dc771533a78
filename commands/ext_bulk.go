package commands

import "github.com/tagbot/tagbot/store"

// ResolveTags finds the live tags the user names, as /tag reads names
// (exact, case-insensitive, or 组名/标签), with /tag's replies for an
// unknown, deleted or ambiguous name (*UserError); a tag of a group hidden
// from the user (visible_to) is answered as unknown. Bulk changes and
// selections use it.
func (e *ExtRequest) ResolveTags(names []string) ([]store.Tag, error) {
	return e.r.lib.seenBy(e.Viewer()).resolveAll(names)
}
