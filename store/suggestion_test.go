package store

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

const day = 24 * time.Hour

func newSuggestion(ref, customer, rule string, tagIDs ...string) Suggestion {
	return Suggestion{Ref: ref, Customer: customer, Follower: "zhangsan", Tags: tags(tagIDs...), Source: SourceRule,
		Rule: rule, Evidence: Evidence{Words: []string{"多少钱"}, Snippet: "这个多少钱"}, Score: 1,
		Expires: time.Date(2026, 11, 4, 9, 0, 0, 0, time.UTC)}
}

func addSuggestion(t *testing.T, s *Store, sg Suggestion) Suggestion {
	t.Helper()
	out, err := s.AddSuggestion(sg, 30*day)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAddSuggestionDedup(t *testing.T) {
	s, clk := openTest(t)
	first := addSuggestion(t, s, newSuggestion("act:1", "c1", "价格", "t3"))
	if first.ID != 1 || first.Status != SuggestionPending || first.TaskID != "tbsg-1" {
		t.Fatalf("first = id %d status %s task %q, want 1 pending tbsg-1", first.ID, first.Status, first.TaskID)
	}
	apply(t, s, "zhangsan", "c2", []string{"t3"}, nil)
	tests := []struct {
		name string
		sg   Suggestion
		want error
	}{
		{"retried ref", newSuggestion("act:1", "c1", "价格", "t3"), ErrSuggestionSeen},
		{"pending same rule", newSuggestion("act:2", "c1", "价格", "t3"), ErrSuggestionPending},
		{"already true", newSuggestion("act:3", "c2", "价格", "t3"), ErrNoChange},
		{"not followed", Suggestion{Ref: "act:4", Customer: "c2", Follower: "lisi", Rule: "价格", Tags: tags("t3"), Source: SourceRule, Expires: clk.Now().Add(day)}, ErrNoRelationship},
		{"unknown tag", newSuggestion("act:5", "c2", "x", "nope"), ErrUnknownTag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.AddSuggestion(tt.sg, 30*day)
			if !errors.Is(err, tt.want) {
				t.Errorf("AddSuggestion err = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("other rule same customer", func(t *testing.T) {
		// t3 is pending from rule 价格: only t1 is offered again.
		sg := addSuggestion(t, s, newSuggestion("act:1", "c1", "高意向", "t3", "t1"))
		if got := ids(sg.Tags); !reflect.DeepEqual(got, []string{"t1"}) {
			t.Errorf("tags = %v, want [t1] (t3 is pending in suggestion 1)", got)
		}
	})
	t.Run("other rule, every tag pending", func(t *testing.T) {
		_, err := s.AddSuggestion(newSuggestion("act:9", "c1", "三问", "t1", "t3"), 30*day)
		if !errors.Is(err, ErrSuggestionPending) {
			t.Errorf("AddSuggestion err = %v, want ErrSuggestionPending", err)
		}
	})
	t.Run("pending tag free again after the decision", func(t *testing.T) {
		if _, err := s.RejectSuggestion(first.ID, "zhangsan"); err != nil {
			t.Fatal(err)
		}
		sg := addSuggestion(t, s, newSuggestion("act:10", "c1", "三问", "t3"))
		if got := ids(sg.Tags); !reflect.DeepEqual(got, []string{"t3"}) {
			t.Errorf("tags = %v, want [t3]", got)
		}
	})
}

func TestRejectionMemory(t *testing.T) {
	s, clk := openTest(t)
	sg := addSuggestion(t, s, newSuggestion("act:1", "c1", "价格", "t3"))
	if _, err := s.RejectSuggestion(sg.ID, "zhangsan"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(29 * day)
	if _, err := s.AddSuggestion(newSuggestion("act:2", "c1", "价格", "t3"), 30*day); !errors.Is(err, ErrSuggestionRejected) {
		t.Fatalf("within 30 days: err = %v, want ErrSuggestionRejected", err)
	}
	clk.Advance(2 * day)
	next := newSuggestion("act:3", "c1", "价格", "t3")
	next.Expires = clk.Now().Add(3 * day)
	if _, err := s.AddSuggestion(next, 30*day); err != nil {
		t.Fatalf("after 30 days: err = %v, want nil", err)
	}
}

func TestConfirmSuggestion(t *testing.T) {
	tests := []struct {
		name       string
		actor      string
		choose     []string
		wantStatus SuggestionStatus
		wantAdded  []string
		wantErr    error
	}{
		{"all", "zhangsan", nil, SuggestionConfirmed, []string{"t1", "t3"}, nil},
		{"partial", "zhangsan", []string{"t1"}, SuggestionPartial, []string{"t1"}, nil},
		{"someone else", "lisi", nil, "", nil, ErrSuggestionNotYours},
		{"tag not offered", "zhangsan", []string{"t2"}, "", nil, ErrUnknownTag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openTest(t)
			sg := addSuggestion(t, s, newSuggestion("act:1", "c1", "价格", "t3", "t1"))
			got, cs, err := s.ConfirmSuggestion(SuggestionDecision{ID: sg.ID, Actor: tt.actor, Tags: tt.choose, Reason: "规则「价格」"})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				if rel := relTags(t, s, "c1", "zhangsan"); len(rel) != 0 {
					t.Errorf("tags after refused confirm = %v, want none", rel)
				}
				return
			}
			if got.Status != tt.wantStatus || got.ChangeSet != cs.ID || got.DecidedBy != tt.actor {
				t.Errorf("suggestion status %s cs %d by %s, want %s cs %d by %s", got.Status, got.ChangeSet, got.DecidedBy, tt.wantStatus, cs.ID, tt.actor)
			}
			if cs.Source != SourceRule || cs.Reason != "规则「价格」" || cs.Outbox == 0 {
				t.Errorf("change-set source %s reason %q outbox %d, want rule, the reason and an outbox entry", cs.Source, cs.Reason, cs.Outbox)
			}
			if rel := relTags(t, s, "c1", "zhangsan"); !reflect.DeepEqual(rel, tt.wantAdded) {
				t.Errorf("relationship tags = %v, want %v", rel, tt.wantAdded)
			}
			if p, _ := s.SuggestionsPending("zhangsan"); len(p) != 0 {
				t.Errorf("pending after confirm = %d, want 0", len(p))
			}
		})
	}
}

func TestConfirmSuggestionExactlyOnce(t *testing.T) {
	s, _ := openTest(t)
	sg := addSuggestion(t, s, newSuggestion("act:1", "c1", "价格", "t3"))
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, _, errs[i] = s.ConfirmSuggestion(SuggestionDecision{ID: sg.ID, Actor: "zhangsan"})
			} else {
				_, errs[i] = s.RejectSuggestion(sg.ID, "zhangsan")
			}
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrSuggestionDecided):
			t.Errorf("err = %v, want nil or ErrSuggestionDecided", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d decisions succeeded, want exactly 1", ok)
	}
	n := 0
	for id := ID(1); ; id++ {
		if _, err := s.Get(id); err != nil {
			break
		}
		n++
	}
	got, _ := s.Suggestion(sg.ID)
	if want := map[SuggestionStatus]int{SuggestionConfirmed: 1, SuggestionRejected: 0}[got.Status]; n != want {
		t.Errorf("status %s with %d change-sets, want %d", got.Status, n, want)
	}
}

func TestExpireSuggestions(t *testing.T) {
	s, clk := openTest(t)
	sg := addSuggestion(t, s, newSuggestion("act:1", "c1", "价格", "t3"))
	if got, _ := s.ExpireSuggestions(10); len(got) != 0 {
		t.Fatalf("expired before time: %d, want 0", len(got))
	}
	clk.Set(sg.Expires)
	if _, _, err := s.ConfirmSuggestion(SuggestionDecision{ID: sg.ID, Actor: "zhangsan"}); !errors.Is(err, ErrSuggestionExpired) {
		t.Errorf("confirm at expiry: err = %v, want ErrSuggestionExpired", err)
	}
	got, err := s.ExpireSuggestions(10)
	if err != nil || len(got) != 1 || got[0].Status != SuggestionExpired {
		t.Fatalf("ExpireSuggestions = %v, %v; want one expired", got, err)
	}
	if _, _, err := s.ConfirmSuggestion(SuggestionDecision{ID: sg.ID, Actor: "zhangsan"}); !errors.Is(err, ErrSuggestionDecided) {
		t.Errorf("confirm after sweep: err = %v, want ErrSuggestionDecided", err)
	}
	// Expiry is no rejection: the rule may suggest again.
	next := newSuggestion("act:2", "c1", "价格", "t3")
	next.Expires = clk.Now().Add(3 * day)
	if _, err := s.AddSuggestion(next, 30*day); err != nil {
		t.Errorf("after expiry: err = %v, want nil", err)
	}
	stats, err := s.SuggestionStats(clk.Now().Add(-30 * day))
	want := map[string]map[SuggestionStatus]int{"价格": {SuggestionExpired: 1, SuggestionPending: 1}}
	if err != nil || !reflect.DeepEqual(stats, want) {
		t.Errorf("SuggestionStats = %v, %v; want %v", stats, err, want)
	}
}

func TestDropSuggestion(t *testing.T) {
	s, _ := openTest(t)
	sg := addSuggestion(t, s, newSuggestion("act:1", "c1", "价格", "t3"))
	got, err := s.DropSuggestion(sg.ID, "客户已不再由你跟进")
	if err != nil || got.Status != SuggestionDropped {
		t.Fatalf("DropSuggestion = %s, %v; want dropped", got.Status, err)
	}
	if _, err := s.AddSuggestion(newSuggestion("act:2", "c1", "价格", "t3"), 30*day); err != nil {
		t.Errorf("after drop: err = %v, want nil (a drop is no rejection)", err)
	}
}

// TestRebuildKeepsSuggestions: suggestions are not derived from the ledger,
// so Rebuild and Verify leave them alone.
func TestRebuildKeepsSuggestions(t *testing.T) {
	s, _ := openTest(t)
	sg := addSuggestion(t, s, newSuggestion("act:1", "c1", "价格", "t3"))
	if _, _, err := s.ConfirmSuggestion(SuggestionDecision{ID: sg.ID, Actor: "zhangsan"}); err != nil {
		t.Fatal(err)
	}
	addSuggestion(t, s, newSuggestion("act:2", "c2", "价格", "t3"))
	if _, err := s.Rebuild(); err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	p, err := s.SuggestionsPending("zhangsan")
	if err != nil || len(p) != 1 || p[0].Customer != "c2" {
		t.Errorf("pending after Rebuild = %+v, %v; want the one for c2", p, err)
	}
	if got, _ := s.Suggestion(sg.ID); got.Status != SuggestionConfirmed || got.ChangeSet != 1 {
		t.Errorf("confirmed suggestion after Rebuild = %s cs %d, want confirmed cs 1", got.Status, got.ChangeSet)
	}
}
