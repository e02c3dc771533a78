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

// ApplyOptions configure Apply.
type ApplyOptions struct {
	Store  *store.Store
	Policy Policy
	// Batch is the ledger batch of every change-set (Store.NextImportBatch).
	Batch string
	// Creator creates the tags the plan chose to create; nil refuses them.
	Creator TagCreator
	// Lock takes the router's write lock (commands.ExtRequest.LockWrites)
	// around each chunk's policy check and write; nil takes none.
	Lock func() (unlock func())
	// Chunk is the change-sets per transaction; DefaultChunk when 0.
	Chunk int
	// Progress is called after each chunk; may be nil.
	Progress func(done, total int)
	// Kick wakes the outbox worker after each chunk; may be nil.
	Kick func()
}

// DefaultChunk is how many change-sets one transaction writes: small
// enough that /tag never waits long for the write lock.
const DefaultChunk = 500

// Result is what Apply did.
type Result struct {
	Batch      string
	ChangeSets int         // change-sets written
	Unchanged  int         // changes that no longer changed anything
	Denied     []Issue     // refused by the policies at apply time
	Created    []store.Tag // tags created
}

// ErrBlocked is returned by Apply for a plan with too many bad rows.
var ErrBlocked = errors.New("importer: too many bad rows; nothing applied")

// Apply writes the plan's changes as change-sets with source import and
// one batch, chunk by chunk: each chunk re-reads the relationships and
// re-checks the /tag policies under the write lock, so what changed since
// the dry run is respected. Tags chosen to be created are created first.
func Apply(ctx context.Context, p *Plan, o ApplyOptions) (Result, error) {
	res := Result{Batch: o.Batch}
	if p.Blocked() {
		return res, ErrBlocked
	}
	if o.Chunk <= 0 {
		o.Chunk = DefaultChunk
	}
	created, err := createTags(ctx, p, o.Creator)
	if err != nil {
		return res, err
	}
	for _, t := range created {
		res.Created = append(res.Created, t)
	}
	for from := 0; from < len(p.Changes); from += o.Chunk {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		end := min(from+o.Chunk, len(p.Changes))
		if err := applyChunk(p.Changes[from:end], created, o, &res); err != nil {
			return res, err
		}
		if o.Kick != nil {
			o.Kick()
		}
		if o.Progress != nil {
			o.Progress(end, len(p.Changes))
		}
	}
	return res, nil
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

// applyChunk checks and writes one chunk in one transaction.
func applyChunk(changes []Change, created map[string]store.Tag, o ApplyOptions, res *Result) error {
	if o.Lock != nil {
		defer o.Lock()()
	}
	live, err := o.Store.Tags(false)
	if err != nil {
		return err
	}
	css := make([]store.ChangeSet, 0, len(changes))
	for _, ch := range changes {
		cs, ok, err := changeSet(ch, created, live, o, res)
		if err != nil {
			return err
		}
		if ok {
			css = append(css, cs)
		}
	}
	if len(css) == 0 {
		return nil
	}
	out, err := o.Store.ApplyBatch(css)
	if errors.Is(err, store.ErrNoChange) {
		res.Unchanged += len(css)
		return nil
	}
	if err != nil {
		return fmt.Errorf("importer apply: %w", err)
	}
	res.ChangeSets += len(out)
	res.Unchanged += len(css) - len(out)
	return nil
}

// changeSet builds the change-set of one change on the relationship as it
// is now; ok is false when it no longer changes anything or is denied.
func changeSet(ch Change, created map[string]store.Tag, live []store.Tag, o ApplyOptions, res *Result) (store.ChangeSet, bool, error) {
	rel, err := o.Store.Relationship(ch.Customer, ch.Follower)
	if errors.Is(err, store.ErrNoRelationship) || errors.Is(err, store.ErrNotFound) {
		res.Denied = append(res.Denied, Issue{Row: ch.Row, Value: ch.Customer, Msg: "客户已不再由该员工跟进"})
		return store.ChangeSet{}, false, nil
	}
	if err != nil {
		return store.ChangeSet{}, false, err
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
		res.Unchanged++
		return store.ChangeSet{}, false, nil
	}
	auto, err := o.Policy.CheckTags(rel, add, remove, live)
	if err != nil {
		res.Denied = append(res.Denied, Issue{Row: ch.Row, Value: ch.Customer, Msg: err.Error()})
		return store.ChangeSet{}, false, nil
	}
	for _, t := range effective(rel, auto, false) {
		remove = append(withoutTag(remove, t), t)
	}
	return store.ChangeSet{
		Actor: o.Policy.User(), Source: store.SourceImport, Customer: ch.Customer, Follower: ch.Follower,
		Add: refs(add), Remove: refs(remove), Batch: o.Batch, Reason: fmt.Sprintf("表格导入第 %d 行", ch.Row),
	}, true, nil
}

func refs(tags []store.Tag) []store.TagRef {
	out := make([]store.TagRef, len(tags))
	for i, t := range tags {
		out[i] = t.Ref()
	}
	return out
}
