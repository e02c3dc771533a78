package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/buntdb"
)

// chainedStore is a store whose ledger went through every kind of write:
// commands, a batch, its undo, a library deletion (a tagdel batch) and a
// rollback plan applied.
func chainedStore(t *testing.T) *Store {
	t.Helper()
	s, clk := openTest(t)
	apply(t, s, "zhangsan", "c1", []string{"t1", "t3"}, nil)
	clk.Advance(time.Hour)
	mid := clk.Now()
	clk.Advance(time.Hour)
	apply(t, s, "zhangsan", "c2", []string{"t3"}, nil)
	out, err := s.ApplyBatch([]ChangeSet{
		{Actor: "lisi", Source: SourceCommand, Customer: "c2", Follower: "zhangsan", Add: tags("t1"), Batch: "b1"},
		{Actor: "lisi", Source: SourceCommand, Customer: "c1", Follower: "lisi", Add: tags("t4"), Batch: "b1"},
	})
	must(t, err)
	_, err = s.RevertAll([]ID{out[0].ID, out[1].ID}, RevertOptions{Actor: "lisi", Batch: "u1"})
	must(t, err)
	add, remove, _, err := s.RollbackPlan("c1", "zhangsan", mid)
	must(t, err)
	_, err = s.Apply(ChangeSet{Actor: "lisi", Source: SourceRollback, Customer: "c1", Follower: "zhangsan", Add: add, Remove: remove})
	if err != nil && !errors.Is(err, ErrNoChange) {
		t.Fatal(err)
	}
	_, err = s.PutLibrary(Library{Groups: []Group{{ID: "g1", Name: "客户等级"}, {ID: "g2", Name: "意向程度"}},
		Tags: []Tag{{ID: "t1", GroupID: "g1", Name: "VIP"}, {ID: "t2", GroupID: "g1", Name: "普通"}, {ID: "t4", GroupID: "g2", Name: "低意向"}}}, "sync")
	must(t, err)
	return s
}

func TestChainCoversEveryKindOfWrite(t *testing.T) {
	s := chainedStore(t)
	rep, err := s.VerifyChain()
	must(t, err)
	last, err := s.NextID()
	must(t, err)
	if rep.Checked != int(last)-1 || rep.Head != last-1 || rep.Start != nil {
		t.Fatalf("report %+v, want %d change-sets checked, head %d, no legacy start", rep, last-1, last-1)
	}
	cs, err := s.Get(rep.Head)
	must(t, err)
	if cs.Hash != rep.HeadHash || rep.Anchor() != cs.ID.String()+":"+cs.Hash {
		t.Fatalf("head change-set hash %q, report %q", cs.Hash, rep.HeadHash)
	}
}

// TestChainFindsTampering: each edit an attacker could make to the ledger
// is found, and the error names the first broken link.
func TestChainFindsTampering(t *testing.T) {
	rehash := func(v string) string { // an attacker who recomputes the hash
		_, rest, _ := splitHashed(v)
		sum := sha256.Sum256([]byte(rest))
		return hashPrefix + hex.EncodeToString(sum[:]) + `",` + rest[1:]
	}
	cases := []struct {
		name string
		edit func(tx *buntdb.Tx) error
		want string
	}{
		{"actor edited", editCS(2, func(v string) string { return strings.Replace(v, `"actor":"zhangsan"`, `"actor":"{hangsan"`, 1) }), "change-set 2 does not match its hash"},
		{"tag edited", editCS(2, func(v string) string { return strings.Replace(v, `"id":"t3"`, `"id":"t1"`, 1) }), "change-set 2 does not match its hash"},
		{"time edited", editCS(1, func(v string) string { return strings.Replace(v, `"time":"2026-11-01T09`, `"time":"2026-11-01T08`, 1) }), "change-set 1 does not match its hash"},
		{"edited and re-hashed", editCS(2, func(v string) string {
			return rehash(strings.Replace(v, `"actor":"zhangsan"`, `"actor":"{hangsan"`, 1))
		}), "change-set 3 does not follow change-set 2"},
		{"middle deleted", func(tx *buntdb.Tx) error { _, err := tx.Delete(seqKey("cs:", 3)); return err }, "change-set 3 is missing"},
		{"newest deleted", func(tx *buntdb.Tx) error {
			n, _ := lastCS(&txn{Tx: tx})
			_, err := tx.Delete(seqKey("cs:", n))
			return err
		}, "is missing"},
		{"swapped", func(tx *buntdb.Tx) error {
			a, _ := tx.Get(seqKey("cs:", 1))
			b, _ := tx.Get(seqKey("cs:", 2))
			tx.Set(seqKey("cs:", 1), b, nil)
			_, _, err := tx.Set(seqKey("cs:", 2), a, nil)
			return err
		}, "change-set 1 is not the change-set stored under its key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := chainedStore(t)
			must(t, s.db.Update(tc.edit))
			_, err := s.VerifyChain()
			if !errors.Is(err, ErrChainBroken) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("VerifyChain = %v, want ErrChainBroken naming %q", err, tc.want)
			}
		})
	}
}

// TestChainFindsAnEditInTheFile does what the attack did: edit the actor
// in the file with a text editor, then start.
func TestChainFindsAnEditInTheFile(t *testing.T) {
	s := chainedStore(t)
	path := s.Path()
	must(t, s.Close())
	raw, err := os.ReadFile(path)
	must(t, err)
	at := bytes.Index(raw, []byte(seqKey("cs:", 1)+"\r\n"))
	actor := bytes.Index(raw[at+1:], []byte(`"actor":"zhangsan"`))
	if at < 0 || actor < 0 {
		t.Fatal("fixture has no zhangsan change-set to edit")
	}
	edited := bytes.Clone(raw)
	copy(edited[at+1+actor:], `"actor":"{hangsan"`)
	must(t, os.WriteFile(path, edited, 0o600))
	s, err = Open(path, Options{})
	must(t, err)
	defer s.Close()
	if _, err := s.VerifyChain(); !errors.Is(err, ErrChainBroken) || !strings.Contains(err.Error(), "change-set 1 does not match its hash") {
		t.Fatalf("VerifyChain = %v", err)
	}
}

// TestChainStartsOnAnOldStore: a ledger from before the chain is sealed by
// one digest at open, recorded as such; later change-sets chain on from
// it, and an edit before the start is still found.
func TestChainStartsOnAnOldStore(t *testing.T) {
	s, _ := openTest(t)
	apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	apply(t, s, "zhangsan", "c2", []string{"t3"}, nil)
	must(t, s.db.Update(func(tx *buntdb.Tx) error { // make it look old
		for id := uint64(1); id <= 2; id++ {
			v, _ := tx.Get(seqKey("cs:", id))
			var cs ChangeSet
			must(t, decode("cs", v, &cs))
			cs.Hash, cs.Prev = "", ""
			tx.Set(seqKey("cs:", id), encode(&cs), nil)
		}
		_, err := tx.Delete("meta:chain")
		return err
	}))
	must(t, s.SetMeta("after", "1", 0)) // the raw write above has no frame; this one frames the tail
	path := s.Path()
	must(t, s.Close())
	s, err := Open(path, Options{})
	must(t, err)
	defer s.Close()
	apply(t, s, "zhangsan", "c1", []string{"t3"}, nil)
	rep, err := s.VerifyChain()
	must(t, err)
	if rep.Start == nil || rep.Start.Before != 2 || rep.Checked != 1 || rep.Head != 3 {
		t.Fatalf("report %+v (start %+v), want a start before 2 and change-set 3 checked", rep, rep.Start)
	}
	must(t, s.db.Update(editCS(1, func(v string) string { return strings.Replace(v, `"actor":"zhangsan"`, `"actor":"{hangsan"`, 1) })))
	if _, err := s.VerifyChain(); !errors.Is(err, ErrChainBroken) || !strings.Contains(err.Error(), "from before the chain") {
		t.Fatalf("edit before the chain: %v", err)
	}
}

func editCS(id uint64, edit func(string) string) func(tx *buntdb.Tx) error {
	return func(tx *buntdb.Tx) error {
		v, err := tx.Get(seqKey("cs:", id))
		if err != nil {
			return err
		}
		if edit(v) == v {
			return errors.New("edit changed nothing")
		}
		_, _, err = tx.Set(seqKey("cs:", id), edit(v), nil)
		return err
	}
}

// TestChainHeadDeletedIsNotAFreshStart: deleting the head of a chained
// ledger must not make the store look like one from before the chain
// (which would seal an edited ledger afresh).
func TestChainHeadDeletedIsNotAFreshStart(t *testing.T) {
	s := chainedStore(t)
	must(t, s.db.Update(editCS(2, func(v string) string { return strings.Replace(v, `"actor":"zhangsan"`, `"actor":"{hangsan"`, 1) })))
	must(t, s.update(func(tx *txn) error { _, err := tx.Delete("meta:chain"); return err }))
	path := s.Path()
	must(t, s.Close())
	if st, err := Open(path, Options{}); !errors.Is(err, ErrChainBroken) {
		if err == nil {
			st.Close()
		}
		t.Fatalf("Open of a chained store without its head: %v, want ErrChainBroken", err)
	}
}
