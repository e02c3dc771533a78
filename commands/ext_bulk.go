package commands

import "github.com/tagbot/tagbot/store"

// ResolveTags finds the live tags the user names, as /tag reads names
// (exact, case-insensitive, or 组名/标签), with /tag's replies for an
// unknown, deleted or ambiguous name (*UserError). Bulk changes and
// selections use it.
func (e *ExtRequest) ResolveTags(names []string) ([]store.Tag, error) {
	return e.r.lib.resolveAll(names)
}
