package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/buntdb"
)

// tornFixture builds a store with a history of varied transactions and
// returns its path, the file size after each transaction, and the
// change-sets each size includes.
func tornFixture(t *testing.T) (path string, ends []int64, applied map[int64][]ID) {
	t.Helper()
	s, _ := openTest(t)
	path = s.Path()
	applied = map[int64][]ID{}
	var ids []ID
	mark := func() {
		ends = append(ends, s.FileSize())
		applied[s.FileSize()] = slices.Clone(ids)
	}
	mark()
	for i := range 60 {
		switch i % 4 {
		case 0:
			ids = append(ids, apply(t, s, "zhangsan", "c1", []string{"t1"}, nil).ID)
		case 1:
			ids = append(ids, apply(t, s, "zhangsan", "c1", nil, []string{"t1"}).ID)
		case 2:
			_, _, err := s.InboxPut(fmt.Sprintf("msg-%d", i), []byte("<xml>hello</xml>"))
			must(t, err)
		case 3:
			out, err := s.ApplyBatch([]ChangeSet{
				{Actor: "lisi", Source: SourceCommand, Customer: "c2", Follower: "zhangsan", Add: tags("t3"), Batch: fmt.Sprintf("b%d", i)},
				{Actor: "lisi", Source: SourceCommand, Customer: "c1", Follower: "lisi", Add: tags("t4"), Batch: fmt.Sprintf("b%d", i)},
			})
			must(t, err)
			var batch []ID
			for _, cs := range out {
				ids = append(ids, cs.ID)
				batch = append(batch, cs.ID)
			}
			mark()
			undo, err := s.RevertAll(batch, RevertOptions{Actor: "lisi", Batch: fmt.Sprintf("u%d", i)})
			must(t, err)
			for _, cs := range undo {
				ids = append(ids, cs.ID)
			}
		}
		mark()
	}
	must(t, s.Close())
	return path, ends, applied
}

// TestTornTailAtEveryCut does what a power cut does: the file ends at an
// arbitrary byte of its last 20 KB. Open refuses every cut that is not a
// transaction boundary, accepts every one that is, and repair (CutTornTail)
// keeps exactly the whole transactions.
func TestTornTailAtEveryCut(t *testing.T) {
	path, ends, applied := tornFixture(t)
	orig, err := os.ReadFile(path)
	must(t, err)
	size := int64(len(orig))
	if size != ends[len(ends)-1] {
		t.Fatalf("file is %d bytes, last transaction ended at %d", size, ends[len(ends)-1])
	}
	var cuts []int64
	for c := size - 20<<10; c < size; c += 257 { // 80 cut points
		cuts = append(cuts, c)
	}
	cuts = append(cuts, ends[len(ends)-5:]...) // and some exact boundaries
	for _, cut := range cuts {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "tagbot.db")
			must(t, os.WriteFile(p, orig[:cut], 0o600))
			boundary := slices.Contains(ends, cut)
			s, err := Open(p, Options{})
			if boundary {
				if err != nil {
					t.Fatalf("cut at a transaction boundary refused: %v", err)
				}
				s.Close()
			} else if !errors.Is(err, ErrTorn) {
				t.Fatalf("torn cut: Open = %v, want ErrTorn", err)
			}
			s, err = Open(p, Options{CutTornTail: true})
			must(t, err)
			defer s.Close()
			must(t, s.Verify())
			last := int64(0)
			for _, e := range ends {
				if e <= cut {
					last = e
				}
			}
			if got := s.FileSize(); got < last {
				t.Fatalf("repair cut into whole transactions: file %d bytes, last whole one ends at %d", got, last)
			}
			if !boundary && (!s.Tail().Torn || s.Tail().GoodEnd != last) {
				t.Fatalf("repair found %+v, want torn with the last whole transaction ending at %d", s.Tail(), last)
			}
			want := applied[last]
			for _, id := range want {
				if _, err := s.Get(id); err != nil {
					t.Errorf("change-set %d of a whole transaction lost: %v", id, err)
				}
			}
			if _, err := s.Get(ID(len(want) + 1)); !errors.Is(err, ErrNotFound) {
				t.Errorf("change-set %d of the torn transaction survived repair: %v", len(want)+1, err)
			}
		})
	}
}

// TestTailAfterCompaction: a compacted file ends in key order, not with a
// transaction; it opens, and a torn write after it is still found.
func TestTailAfterCompaction(t *testing.T) {
	for _, n := range []int{3, 400} { // under and over compactedRun keys
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			s, _ := openTest(t)
			for i := range n {
				_, _, err := s.InboxPut(fmt.Sprintf("k%d", i), []byte("x"))
				must(t, err)
			}
			must(t, s.Compact())
			path := s.Path()
			must(t, s.Close())
			s, err := Open(path, Options{})
			must(t, err)
			compacted := s.FileSize()
			apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
			full := s.FileSize()
			must(t, s.Close())
			must(t, os.Truncate(path, compacted+(full-compacted)/2))
			if _, err := Open(path, Options{}); !errors.Is(err, ErrTorn) {
				t.Fatalf("torn write after compaction: Open = %v, want ErrTorn", err)
			}
		})
	}
}

// TestLegacyFileWithoutFrames: a store written before frames opens, and is
// framed from its next write on.
func TestLegacyFileWithoutFrames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := buntdb.Open(path)
	must(t, err)
	must(t, db.Update(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set("meta:version", SchemaVersion, nil)
		return err
	}))
	must(t, db.Close())
	s, err := Open(path, Options{})
	must(t, err)
	if s.Tail().Framed {
		t.Fatal("a file without markers reported framed")
	}
	must(t, s.SetMeta("x", "1", 0))
	must(t, s.Close())
	s, err = Open(path, Options{})
	must(t, err)
	defer s.Close()
	if !s.Tail().Framed || s.Tail().Torn {
		t.Fatalf("after a write: %+v, want framed and whole", s.Tail())
	}
}

// TestReadOnlyOpenWritesNothing: check's open leaves the file byte for
// byte as it was, even where a writer would repair sequences.
func TestReadOnlyOpenWritesNothing(t *testing.T) {
	s, _ := openTest(t)
	apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	path := s.Path()
	must(t, s.Close())
	before, err := os.ReadFile(path)
	must(t, err)
	r, err := Open(path, Options{ReadOnly: true})
	must(t, err)
	must(t, r.Verify())
	apply(t, r, "zhangsan", "c1", []string{"t3"}, nil) // lands in memory only
	must(t, r.Close())
	after, err := os.ReadFile(path)
	must(t, err)
	if string(before) != string(after) {
		t.Fatal("a read-only open changed the file")
	}
}

// TestCompactedFileCutShort: a compacted file ends in key order with the
// marker; cut anywhere before that end it has no marker at all, which for a
// store of this version (it has a chain head) means its end is missing. It
// is refused, by repair too (cutting cannot bring keys back).
func TestCompactedFileCutShort(t *testing.T) {
	s, _ := openTest(t)
	apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
	must(t, s.Compact())
	path := s.Path()
	must(t, s.Close())
	orig, err := os.ReadFile(path)
	must(t, err)
	cmds, partial, err := parseAOF(orig, 0, 0)
	if err != nil || partial || len(cmds) < 10 || cmds[len(cmds)-1].key != frameKey {
		t.Fatalf("compacted file: %d commands, partial %v, %v", len(cmds), partial, err)
	}
	var cuts []int64
	for _, c := range cmds[len(cmds)/2 : len(cmds)-1] {
		cuts = append(cuts, c.end, c.end-3)
	}
	for _, cut := range cuts {
		p := filepath.Join(t.TempDir(), "cut.db")
		must(t, os.WriteFile(p, orig[:cut], 0o600))
		for _, opts := range []Options{{}, {ReadOnly: true}, {CutTornTail: true}} {
			if st, err := Open(p, opts); err == nil {
				st.Close()
				t.Fatalf("compacted file cut at %d of %d opened (%+v)", cut, len(orig), opts)
			} else if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTorn) {
				t.Fatalf("cut at %d: %v", cut, err)
			}
		}
	}
}

// TestNamesCannotImitateTheFileFormat: a customer name carrying BuntDB's
// file syntax and a fake marker never becomes a key with a line break, so
// the tail check cannot be steered by it; the customer is still found.
func TestNamesCannotImitateTheFileFormat(t *testing.T) {
	s, _ := openTest(t)
	evil := "a\r\n*3\r\n$3\r\nset\r\n$6\r\n~frame\r\n$9\r\nf1 1 0 0\r\n*3\r\n$3\r\nset\r\n$1\r\nz"
	must(t, s.UpsertCustomer(Customer{ID: "c9", Name: evil}, []FollowInfo{{Follower: "zhangsan", Remark: evil}}))
	apply(t, s, "zhangsan", "c9", []string{"t1"}, nil)
	found, err := s.FindCustomers("*3", 10)
	must(t, err)
	if len(found) != 1 || found[0].ID != "c9" {
		t.Fatalf("find by a part of the name: %+v", found)
	}
	path := s.Path()
	must(t, s.Close())
	raw, err := os.ReadFile(path)
	must(t, err)
	cmds, _, err := parseAOF(raw, 0, 0)
	must(t, err)
	for _, c := range cmds {
		if strings.ContainsAny(c.key, "\r\n") {
			t.Fatalf("key with a line break in the file: %q", c.key)
		}
	}
	s2, err := Open(path, Options{})
	must(t, err)
	s2.Close()
}

// TestKeyWithLineBreakRefused: the store's own backstop under the name
// folding above: no write puts a CR or LF into a key.
func TestKeyWithLineBreakRefused(t *testing.T) {
	s, _ := openTest(t)
	for _, key := range []string{"x\ry", "x\ny", "\r", "xy\n"} {
		err := s.update(func(tx *txn) error { _, _, err := tx.Set(key, "", nil); return err })
		if !errors.Is(err, errKeyLineBreak) {
			t.Errorf("Set(%q) = %v, want errKeyLineBreak", key, err)
		}
	}
	must(t, s.update(func(tx *txn) error { _, _, err := tx.Set("x y", "\r\n", nil); return err }))
}

// TestJunkAfterTheLastTransaction: bytes that are no command after the
// last whole transaction (a crash can leave them) are a torn end too:
// refused at start, and repair cuts them off and keeps everything before.
func TestJunkAfterTheLastTransaction(t *testing.T) {
	for name, junk := range map[string]string{
		"text":         "hello world\n",
		"line break":   "\r\n",
		"cut command":  "*3\r\n$3\r\nset\r\n$1\r\nx",
		"bad count":    "*x\r\n",
		"random bytes": "\x93\x01\xfe*\r\n$9\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			s, _ := openTest(t)
			for range 300 { // past the first read window, so the tail is parsed from its middle
				apply(t, s, "zhangsan", "c1", []string{"t1"}, nil)
				apply(t, s, "zhangsan", "c1", nil, []string{"t1"})
			}
			last := apply(t, s, "zhangsan", "c2", []string{"t3"}, nil)
			path := s.Path()
			must(t, s.Close())
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			must(t, err)
			_, err = f.WriteString(junk)
			must(t, err)
			must(t, f.Close())
			if _, err := Open(path, Options{}); !errors.Is(err, ErrTorn) {
				t.Fatalf("junk at the end: Open = %v, want ErrTorn", err)
			}
			r, err := Open(path, Options{CutTornTail: true})
			must(t, err)
			defer r.Close()
			if r.Tail().Size-r.Tail().GoodEnd != int64(len(junk)) {
				t.Fatalf("repair cut %d bytes, the junk is %d", r.Tail().Size-r.Tail().GoodEnd, len(junk))
			}
			must(t, r.Verify())
			if _, err := r.Get(last.ID); err != nil {
				t.Fatalf("the last whole change-set is gone: %v", err)
			}
		})
	}
}

// TestLargeLegacyFileIsNotParsedWhole: a store from before frames larger
// than the probe window opens as one (without parsing it whole), and one
// of this version whose end is missing is still refused.
func TestLargeLegacyFileIsNotParsedWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := buntdb.Open(path)
	must(t, err)
	big := strings.Repeat("x", 4096)
	must(t, db.Update(func(tx *buntdb.Tx) error {
		tx.Set("meta:version", SchemaVersion, nil)
		for i := range legacyProbe/4096 + 200 {
			tx.Set(fmt.Sprintf("meta:x:filler%06d", i), big, nil)
		}
		return nil
	}))
	must(t, db.Close())
	rep, err := checkTail(path)
	if err != nil || rep.Framed || rep.Torn {
		t.Fatalf("large legacy file: %+v, %v", rep, err)
	}
	s, err := Open(path, Options{})
	must(t, err)
	must(t, s.SetMeta("after", "1", 0))
	size := s.FileSize()
	must(t, s.Close())
	must(t, os.Truncate(path, size-3)) // now framed: a cut end is torn
	if _, err := Open(path, Options{}); !errors.Is(err, ErrTorn) {
		t.Fatalf("framed large file cut short: %v", err)
	}
}
