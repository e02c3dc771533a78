package importer

import (
	"context"
	"errors"
	"fmt"

	"github.com/tagbot/tagbot/store"
)

// TagCreator creates a tag in WeCom and the library (mirror.Syncer).
type TagCreator interface {
	CreateTag(ctx context.Context, groupName, tagName string) (store.Tag, error)
}

// JobKind is the kind of import jobs: their ids (and ledger batches) are
// bg-import-N.
const JobKind = "import"

// SubmitOptions configure Submit.
type SubmitOptions struct {
	Store  *store.Store
	Policy Policy
	// Title names the import in replies (e.g. the file name).
	Title string
	// Creator creates the tags the plan chose to create; nil refuses them.
	Creator TagCreator
	// Lock takes the router's write lock (commands.ExtRequest.LockWrites)
	// around the final policy check; nil takes none.
	Lock func() (unlock func())
}

// ErrBlocked is returned by Submit for a plan with too many bad rows.
var ErrBlocked = errors.New("importer: too many bad rows; nothing applied")

// Submit turns a confirmed plan into a durable job (package jobs applies
// it a chunk at a time, resuming after a crash): one row per change, all
// in one ledger batch bg-import-N with source import, undoable with
// /undo bg-import-N. Tags chosen to be created are created first. Under
// the write lock each change is compared again with the relationship as
// it is now and the /tag policies are checked again, so a change that
// became denied is recorded as a failed row. It returns ErrBlocked for a
// plan with too many bad rows and store.ErrNoChange when nothing is left
// to change.
func Submit(ctx context.Context, p *Plan, o SubmitOptions) (store.Job, error) {
	if p.Blocked() {
		return store.Job{}, ErrBlocked
	}
	if creates(p) && !o.Policy.SeesAll() {
		return store.Job{}, ErrCannotCreate
	}
	created, err := createTags(ctx, p, o.Creator)
	if err != nil {
		return store.Job{}, err
	}
	if o.Lock != nil {
		defer o.Lock()()
	}
	live, err := o.Store.Tags(false)
	if err != nil {
		return store.Job{}, err
	}
	rows := make([]store.JobRow, 0, len(p.Changes))
	for _, ch := range p.Changes {
		row, ok, err := jobRow(ch, created, live, o)
		if err != nil {
			return store.Job{}, err
		}
		if ok {
			rows = append(rows, row)
		}
	}
	return o.Store.CreateJob(store.Job{Kind: JobKind, Actor: o.Policy.User(), Source: store.SourceImport,
		Reason: "表格导入", Title: o.Title}, rows)
}

// ErrCannotCreate is returned by Submit for a plan that creates tags when
// the submitting user may not (an employee, or a manager demoted since the
// dry run).
var ErrCannotCreate = errors.New("importer: this user may not create tags")

// creates reports whether the plan creates a tag.
func creates(p *Plan) bool {
	for _, ch := range p.Changes {
		for _, t := range ch.Add {
			if t.ID == "" {
				return true
			}
		}
	}
	return false
}

// createTags creates each tag the plan adds with ID "", once.
func createTags(ctx context.Context, p *Plan, c TagCreator) (map[string]store.Tag, error) {
	out := map[string]store.Tag{}
	for _, ch := range p.Changes {
		for _, t := range ch.Add {
			k := tagKey(t)
			if t.ID != "" || out[k].ID != "" {
				continue
			}
			if c == nil {
				return nil, fmt.Errorf("importer: cannot create tag %q here", t.Name)
			}
			nt, err := c.CreateTag(ctx, t.GroupName, t.Name)
			if err != nil {
				return nil, fmt.Errorf("importer: create tag: %w", err)
			}
			out[k] = nt
		}
	}
	return out, nil
}

// jobRow builds the job row of one change on the relationship as it is
// now; ok is false when it no longer changes anything.
func jobRow(ch Change, created map[string]store.Tag, live []store.Tag, o SubmitOptions) (store.JobRow, bool, error) {
	row := store.JobRow{Customer: ch.Customer, Follower: ch.Follower, Reason: fmt.Sprintf("表格导入第 %d 行", ch.Row)}
	rel, err := o.Store.Relationship(ch.Customer, ch.Follower)
	if errors.Is(err, store.ErrNoRelationship) || errors.Is(err, store.ErrNotFound) {
		row.Denied = store.JobFailNoRelationship
		return row, true, nil
	}
	if err != nil {
		return row, false, err
	}
	add := make([]store.Tag, 0, len(ch.Add))
	for _, t := range ch.Add {
		if t.ID == "" {
			t = created[tagKey(t)]
		}
		add = append(add, t)
	}
	add, remove := effective(rel, add, true), effective(rel, ch.Remove, false)
	if len(add) == 0 && len(remove) == 0 {
		return row, false, nil
	}
	auto, err := o.Policy.CheckTags(rel, add, remove, live)
	if err != nil {
		row.Denied = err.Error()
		return row, true, nil
	}
	for _, t := range effective(rel, auto, false) {
		remove = append(withoutTag(remove, t), t)
	}
	row.Add, row.Remove = refs(add), refs(remove)
	return row, true, nil
}

func refs(tags []store.Tag) []store.TagRef {
	out := make([]store.TagRef, len(tags))
	for i, t := range tags {
		out[i] = t.Ref()
	}
	return out
}
