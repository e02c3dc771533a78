package mirror

import (
	"context"
	"slices"
	"testing"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

// racyAPI runs a hook once, right after WeCom answered one of the reads a
// Syncer reconciles against, i.e. while the syncer holds a picture that is
// about to go stale.
type racyAPI struct {
	wecom.API
	contact, customers, library func()
}

func once(f *func()) {
	if h := *f; h != nil {
		*f = nil
		h()
	}
}

func (r *racyAPI) GetExternalContact(ctx context.Context, id string) (wecom.Contact, error) {
	c, err := r.API.GetExternalContact(ctx, id)
	once(&r.contact)
	return c, err
}

func (r *racyAPI) AllCustomers(ctx context.Context, u []string, fn func(wecom.Contact) error) error {
	err := r.API.AllCustomers(ctx, u, fn)
	once(&r.customers)
	return err
}

func (r *racyAPI) GetCorpTagList(ctx context.Context, tagIDs, groupIDs []string) ([]wecom.TagGroup, error) {
	g, err := r.API.GetCorpTagList(ctx, tagIDs, groupIDs)
	if len(tagIDs)+len(groupIDs) == 0 {
		once(&r.library)
	}
	return g, err
}

// A change sent by the worker after WeCom was read is not taken back by the
// reconciliation of that reading; the relationship is re-checked instead.
func TestSyncerIgnoresStaleReading(t *testing.T) {
	cases := []struct {
		name string
		run  func(ctx context.Context, s *Syncer) error
		hook func(api *racyAPI, f func())
	}{
		{
			name: "edit callback",
			run: func(ctx context.Context, s *Syncer) error {
				_, err := s.RefreshCustomer(ctx, "c1", "zhangsan", ChangeEditContact)
				return err
			},
			hook: func(api *racyAPI, f func()) { api.contact = f },
		},
		{
			name: "full sync",
			run: func(ctx context.Context, s *Syncer) error {
				_, err := s.FullSync(ctx)
				return err
			},
			hook: func(api *racyAPI, f func()) { api.customers = f },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.seedSmall(t)
			e.fullSync(t)
			ctx := context.Background()
			api := &racyAPI{API: e.api}
			var cmd store.ChangeSet
			tc.hook(api, func() {
				cmd = e.apply(t, "lisi", "c1", "zhangsan", []string{"VIP"}, nil)
				keep := func(context.Context, store.RelRef) error { return nil }
				must(t, e.worker(WorkerOptions{Recheck: keep}).Drain(ctx))
			})
			must(t, tc.run(ctx, NewSyncer(e.st, api, SyncOptions{Now: e.clk.Now, Logger: e.log})))

			want := []string{e.lib["VIP"]}
			if wc, pj := e.fake.CustomerTags("c1", "zhangsan"), relTagIDs(t, e, "c1", "zhangsan"); !slices.Equal(wc, want) || !slices.Equal(pj, want) {
				t.Fatalf("WeCom %v, ledger %v, want both %v", wc, pj, want)
			}
			hist, err := e.st.History(store.Query{Customer: "c1", Follower: "zhangsan", Limit: 1})
			must(t, err)
			if hist[0].ID != cmd.ID {
				t.Errorf("latest change-set = %+v, want the command's", hist[0])
			}
			if refs := rechecks(t, e.st); !slices.Contains(refs, store.RelRef{Customer: "c1", Follower: "zhangsan"}) {
				t.Errorf("marks = %v, want c1/zhangsan", refs)
			}
			// The re-check finds nothing to record.
			must(t, e.worker(WorkerOptions{}).Drain(ctx))
			if refs := rechecks(t, e.st); len(refs) != 0 {
				t.Errorf("marks left: %v", refs)
			}
			if pj := relTagIDs(t, e, "c1", "zhangsan"); !slices.Equal(pj, want) {
				t.Errorf("ledger after the re-check = %v", pj)
			}
			must(t, e.st.Verify())
		})
	}
}

// A library refresh that read the list before a concurrent /restore created
// its tag keeps the new tag (and the customers it was put on).
func TestRefreshLibraryKeepsTagCreatedMeanwhile(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fullSync(t)
	ctx := context.Background()
	api := &racyAPI{API: e.api}
	var created store.Tag
	api.library = func() {
		var err error
		created, err = e.syncer().CreateTag(ctx, "活动", "双十一")
		must(t, err)
		_, err = e.st.Apply(store.ChangeSet{Actor: "wangwu", Source: store.SourceRestore, Customer: "c1", Follower: "zhangsan", Add: []store.TagRef{{ID: created.ID}}})
		must(t, err)
		must(t, e.worker(WorkerOptions{}).Drain(ctx))
	}
	e.fake.DeleteTag(e.lib["低意向"]) // a real deletion in the same refresh
	deleted, err := NewSyncer(e.st, api, SyncOptions{Now: e.clk.Now, Logger: e.log}).RefreshLibrary(ctx)
	must(t, err)
	if len(deleted) != 1 || deleted[0].ID != e.lib["低意向"] {
		t.Errorf("deleted = %+v, want only 低意向", deleted)
	}
	tg, err := e.st.Tag(created.ID)
	must(t, err)
	if tg.Deleted || tg.GroupName != "活动" {
		t.Errorf("created tag stored as %+v", tg)
	}
	groups, err := e.st.Groups()
	must(t, err)
	if !slices.ContainsFunc(groups, func(g store.Group) bool { return g.ID == tg.GroupID }) {
		t.Errorf("created tag's group missing from %+v", groups)
	}
	if wc, pj := e.fake.CustomerTags("c1", "zhangsan"), relTagIDs(t, e, "c1", "zhangsan"); !slices.Equal(wc, pj) || !slices.Contains(pj, created.ID) {
		t.Errorf("WeCom %v, ledger %v", wc, pj)
	}
	must(t, e.st.Verify())
}
