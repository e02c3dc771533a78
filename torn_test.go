package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/store"
)

// TestTornStoreRefusedThenRepaired does what a power cut does to the store
// file: it ends at an arbitrary byte of its last 20 KB. At each cut, serve
// and check refuse the store with exit 2 and leave the file as it was;
// repair cuts off the torn transaction and rebuilds; check then passes; and
// every change-set whose transaction was whole before the cut is still
// there.
func TestTornStoreRefusedThenRepaired(t *testing.T) {
	cfgPath, db, _ := fakeConfig(t, "127.0.0.1:0")
	if code, out, errs := runCLI("-config", cfgPath, "sync"); code != 0 {
		t.Fatalf("sync: exit %d %s %s", code, out, errs)
	}
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tags, err := st.Tags(false)
	if err != nil || len(tags) < 2 {
		t.Fatalf("library: %v %v", tags, err)
	}
	rel, err := st.Relationship("wmDemo0001", "zhangsan")
	if err != nil {
		t.Fatal(err)
	}
	ends := []int64{st.FileSize()}
	whole := map[int64]store.ID{} // file size → newest change-set in it
	for i := range 40 {
		cs := store.ChangeSet{Actor: "zhangsan", Source: store.SourceCommand, Customer: rel.Customer, Follower: rel.Follower}
		ref := []store.TagRef{{ID: tags[i%2].ID}}
		if _, has := rel.Tags[tags[i%2].ID]; has {
			cs.Remove = ref
		} else {
			cs.Add = ref
		}
		done, err := st.Apply(cs)
		if err != nil {
			t.Fatal(err)
		}
		if rel, err = st.Relationship(rel.Customer, rel.Follower); err != nil {
			t.Fatal(err)
		}
		ends = append(ends, st.FileSize())
		whole[st.FileSize()] = done.ID
	}
	st.Close()
	orig, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	size := int64(len(orig))
	for cut := size - 20<<10; cut < size; cut += 1021 {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			if err := os.WriteFile(db, orig[:cut], 0o600); err != nil {
				t.Fatal(err)
			}
			var newest store.ID
			for _, e := range ends {
				if e <= cut && whole[e] > newest {
					newest = whole[e]
				}
			}
			if !slices.Contains(ends, cut) {
				for _, cmd := range []string{"serve", "check"} {
					code, _, errs := runCLI("-config", cfgPath, cmd)
					if code != 2 || !strings.Contains(errs, "repair") {
						t.Fatalf("%s on a torn store: exit %d, %s", cmd, code, errs)
					}
				}
				if now, _ := os.ReadFile(db); !bytes.Equal(now, orig[:cut]) {
					t.Fatal("a refused start changed the file")
				}
				code, out, errs := runCLI("-config", cfgPath, "repair")
				if code != 0 || !strings.Contains(out, "cut off the torn last transaction") {
					t.Fatalf("repair: exit %d\n%s%s", code, out, errs)
				}
			}
			code, out, errs := runCLI("-config", cfgPath, "check", "--anchor")
			if code != 0 || !regexp.MustCompile(`anchor: \d+:[0-9a-f]{64}`).MatchString(out) {
				t.Fatalf("check after repair: exit %d\n%s%s", code, out, errs)
			}
			st, err := store.Open(db, store.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			next, err := st.NextID()
			if err != nil {
				t.Fatal(err)
			}
			if next-1 != newest {
				t.Fatalf("newest change-set after repair is %d, want %d (the last whole one)", next-1, newest)
			}
		})
	}
}

// TestCheckAnchor: an anchor printed by check --anchor holds later, and
// fails once the ledger before it was rewritten.
func TestCheckAnchor(t *testing.T) {
	cfgPath, _, _ := fakeConfig(t, "127.0.0.1:0")
	if code, _, errs := runCLI("-config", cfgPath, "sync"); code != 0 {
		t.Fatal(errs)
	}
	_, out, _ := runCLI("-config", cfgPath, "check", "--anchor")
	anchor := regexp.MustCompile(`anchor: (\S+)`).FindStringSubmatch(out)
	if anchor == nil {
		t.Fatalf("no anchor printed: %s", out)
	}
	if code, out, errs := runCLI("-config", cfgPath, "check", "--against", anchor[1]); code != 0 || !strings.Contains(out, "holds") {
		t.Fatalf("check --against the current head: exit %d %s %s", code, out, errs)
	}
	bad := anchor[1][:len(anchor[1])-1] + map[bool]string{true: "0", false: "1"}[!strings.HasSuffix(anchor[1], "0")]
	if code, _, errs := runCLI("-config", cfgPath, "check", "--against", bad); code != 1 || !strings.Contains(errs, "does not hold") {
		t.Fatalf("check --against a wrong anchor: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI("-config", cfgPath, "check", "--against", "nonsense"); code != 2 {
		t.Fatalf("check --against nonsense: exit %d %s", code, errs)
	}
}
