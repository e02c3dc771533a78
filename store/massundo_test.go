package store

import (
	"reflect"
	"testing"
)

func TestUndoConflicts(t *testing.T) {
	s, _ := openTest(t)
	a := apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)    // VIP, then lisi re-tags it: conflict
	b := apply(t, s, "zhangsan", "c2", []string{"t3"}, nil)    // 高意向, untouched since
	c := apply(t, s, "zhangsan", "c2", []string{"t2"}, nil)    // 普通, later changed by zhangsan himself
	l := apply(t, s, "lisi", "c1", nil, []string{"t1"})        // lisi removes VIP
	d := apply(t, s, "mgr", "c2", nil, []string{"t2"})         // the undoer's own change: no conflict
	apply(t, s, "zhangsan", "c2", []string{"t2"}, nil)         // zhangsan's later change (not selected)
	got, err := s.UndoConflicts([]ID{c.ID, b.ID, a.ID}, "mgr") // newest first
	must(t, err)
	ids := map[ID][]ID{}
	for id, later := range got {
		for _, cs := range later {
			ids[id] = append(ids[id], cs.ID)
		}
	}
	want := map[ID][]ID{a.ID: {l.ID}, c.ID: {d.ID + 1}}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("conflicts = %v, want %v (a: lisi's change; c: zhangsan's unselected later change; not mgr's own)", ids, want)
	}
	// Selected later change-sets are taken back first: no conflict.
	got, err = s.UndoConflicts([]ID{l.ID, a.ID}, "mgr")
	must(t, err)
	if len(got) != 0 {
		t.Errorf("conflicts with the later change selected too = %v, want none", got)
	}
}

func TestRestoredTag(t *testing.T) {
	s, _ := openTest(t)
	lib := Library{
		Groups: []Group{{ID: "g1", Name: "客户等级"}, {ID: "g2", Name: "意向程度"}},
		Tags: []Tag{{ID: "t2", GroupID: "g1", GroupName: "客户等级", Name: "普通"},
			{ID: "t3", GroupID: "g2", GroupName: "意向程度", Name: "高意向"}, {ID: "t4", GroupID: "g2", GroupName: "意向程度", Name: "低意向"}},
	}
	_, err := s.PutLibrary(lib, "sync") // VIP (t1) deleted
	must(t, err)
	if tg, ok, err := s.RestoredTag("t1"); err != nil || ok || !tg.Deleted {
		t.Fatalf("deleted, not restored: %+v %v %v", tg, ok, err)
	}
	must(t, s.PutTag(Group{ID: "g1", Name: "客户等级"}, Tag{ID: "t1b", GroupID: "g1", GroupName: "客户等级", Name: "VIP"}))
	must(t, s.MarkRestored("t1", "t1b"))
	if tg, ok, err := s.RestoredTag("t1"); err != nil || !ok || tg.ID != "t1b" {
		t.Errorf("restored: %+v %v %v, want t1b", tg, ok, err)
	}
	if tg, ok, err := s.RestoredTag("t3"); err != nil || ok || tg.ID != "t3" {
		t.Errorf("live tag: %+v %v %v, want itself", tg, ok, err)
	}
}
