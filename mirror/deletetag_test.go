package mirror

import (
	"context"
	"testing"

	"github.com/tagbot/tagbot/store"
)

func TestDeleteTag(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fake.SetCustomerTags("c1", "zhangsan", []string{e.lib["VIP"], e.lib["高意向"]})
	e.fullSync(t)
	s := e.syncer()
	ctx := context.Background()

	must(t, s.DeleteTag(ctx, e.lib["VIP"]))
	tag, err := e.st.Tag(e.lib["VIP"])
	must(t, err)
	if !tag.Deleted {
		t.Fatal("tag not marked deleted in the store after DeleteTag")
	}
	for _, g := range e.fake.TagGroups() {
		for _, ft := range g.Tags {
			if ft.ID == e.lib["VIP"] {
				t.Fatal("tag still in the fake's library after DeleteTag")
			}
		}
	}
	removed, err := e.st.History(store.Query{Batch: "tagdel-" + e.lib["VIP"]})
	must(t, err)
	if len(removed) != 1 || removed[0].Customer != "c1" {
		t.Errorf("removal batch = %+v, want c1's removal (restorable with /restore tag)", removed)
	}
	must(t, s.DeleteTag(ctx, e.lib["VIP"])) // already deleted: nothing to do
	must(t, e.st.Verify())
}

// TestDeleteTagGoneOnWeCom: a tag deleted in the console since the last
// refresh (WeCom answers 40068 or nothing to delete) is recorded deleted.
func TestDeleteTagGoneOnWeCom(t *testing.T) {
	e := newEnv(t)
	e.seedSmall(t)
	e.fake.SetCustomerTags("c2", "zhangsan", []string{e.lib["高意向"]})
	e.fullSync(t)
	e.fake.DeleteTag(e.lib["高意向"])
	must(t, e.syncer().DeleteTag(context.Background(), e.lib["高意向"]))
	tag, err := e.st.Tag(e.lib["高意向"])
	must(t, err)
	if !tag.Deleted {
		t.Error("tag deleted on WeCom first is not marked deleted")
	}
	if got := relTagIDs(t, e, "c2", "zhangsan"); len(got) != 0 {
		t.Errorf("c2 tags = %v, want the deleted tag gone", got)
	}
}
