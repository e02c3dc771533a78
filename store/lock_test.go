package store

import (
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAliasesOfOneStoreAreRefused: a second tagbot given the same data
// under another name (a symlink to the file or its folder, a hard link) is
// refused, writer or reader, while the first has it open.
func TestAliasesOfOneStoreAreRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "tagbot.db")
	s, err := Open(path, Options{})
	must(t, err)
	defer s.Close()
	must(t, s.SetMeta("x", "1", 0))

	elsewhere := t.TempDir()
	fileLink := filepath.Join(elsewhere, "file-link.db")
	must(t, os.Symlink(path, fileLink))
	dirLink := filepath.Join(elsewhere, "dir-link")
	must(t, os.Symlink(filepath.Dir(path), dirLink))
	hard := filepath.Join(elsewhere, "hard.db")
	must(t, os.Link(path, hard))
	relative, err := filepath.Rel(mustGetwd(t), path)
	must(t, err)

	aliases := map[string]string{
		"same path":         path,
		"relative path":     relative,
		"dotted path":       filepath.Join(dir, "data", ".", "..", "data", "tagbot.db"),
		"symlink to file":   fileLink,
		"symlink to folder": filepath.Join(dirLink, "tagbot.db"),
		"hard link":         hard,
	}
	for name, alias := range aliases {
		for _, ro := range []bool{false, true} {
			t.Run(name+map[bool]string{true: " read-only", false: ""}[ro], func(t *testing.T) {
				other, err := Open(alias, Options{ReadOnly: ro})
				if err == nil {
					other.Close()
					t.Fatal("opened a store another tagbot has open")
				}
				if !errors.Is(err, ErrLocked) {
					t.Fatalf("Open = %v, want ErrLocked", err)
				}
			})
		}
	}
}

// TestReadersShareWritersDoNot: two read-only opens may run together; a
// writer is refused while a reader has the store, and the other way round.
func TestReadersShareWritersDoNot(t *testing.T) {
	s, _ := openTest(t)
	path := s.Path()
	must(t, s.Close())
	r1, err := Open(path, Options{ReadOnly: true})
	must(t, err)
	r2, err := Open(path, Options{ReadOnly: true})
	must(t, err)
	if _, err := Open(path, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("writer beside readers: %v", err)
	}
	must(t, r1.Close())
	must(t, r2.Close())
	w, err := Open(path, Options{})
	must(t, err)
	defer w.Close()
	if _, err := Open(path, Options{ReadOnly: true}); !errors.Is(err, ErrLocked) {
		t.Fatalf("reader beside a writer: %v", err)
	}
}

// TestStoreFilesArePrivate: the store, its lock, a folder it creates and
// the file after compaction are the user's alone; an existing file readable
// by others is made private.
func TestStoreFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	path := filepath.Join(dir, "tagbot.db")
	s, err := Open(path, Options{})
	must(t, err)
	seed(t, s)
	wantMode(t, dir, 0o700)
	wantMode(t, path, 0o600)
	wantMode(t, path+".lock", 0o600)
	must(t, s.Compact())
	wantMode(t, path, 0o600)
	apply(t, s, "zhangsan", "c1", []string{"t1"}, nil) // the compacted file is the one written
	must(t, s.Close())
	must(t, os.Chmod(path, 0o644))
	s, err = Open(path, Options{})
	must(t, err)
	defer s.Close()
	wantMode(t, path, 0o600)
	if got := relTags(t, s, "c1", "zhangsan"); len(got) != 1 || got[0] != "t1" {
		t.Fatalf("after compaction and reopen: tags %v, want [t1]", got)
	}
}

// TestCompactionKeepsTheLock: after compaction replaced the file, a hard
// link made to the new file still meets the lock.
func TestCompactionKeepsTheLock(t *testing.T) {
	s, _ := openTest(t)
	must(t, s.Compact())
	hard := filepath.Join(t.TempDir(), "hard.db")
	must(t, os.Link(s.Path(), hard))
	if _, err := Open(hard, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("hard link to the compacted file: %v, want ErrLocked", err)
	}
}

func wantMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	must(t, err)
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, want)
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	must(t, err)
	return wd
}

// TestProcessedBodyLeavesTheFile: a callback's body is in the file while it
// waits, deleted when processed, and gone from the disk after compaction.
func TestProcessedBodyLeavesTheFile(t *testing.T) {
	s, clk := openTest(t)
	if done, err := s.CompactIfDue(24 * time.Hour); err != nil || !done { // never compacted: due
		t.Fatalf("first compaction: %v %v", done, err)
	}
	body := []byte("<xml><Content>客户手机13912345678的私密留言</Content></xml>")
	secret := base64.StdEncoding.EncodeToString(body) // as the inbox stores it
	id, _, err := s.InboxPut("m1", body)
	must(t, err)
	if !fileHas(t, s.Path(), secret) {
		t.Fatal("the body is not in the file while pending; the test proves nothing")
	}
	must(t, s.InboxDone(id))
	if done, err := s.CompactIfDue(24 * time.Hour); err != nil || done {
		t.Fatalf("compaction before its interval: %v %v", done, err)
	}
	clk.Advance(24 * time.Hour)
	if done, err := s.CompactIfDue(24 * time.Hour); err != nil || !done {
		t.Fatalf("compaction after its interval: %v %v", done, err)
	}
	if fileHas(t, s.Path(), secret) {
		t.Fatal("the processed body is still in the file after compaction")
	}
	if done, err := s.CompactIfDue(24 * time.Hour); err != nil || done {
		t.Fatalf("compaction again at once: %v %v", done, err)
	}
	if _, dup, err := s.InboxPut("m1", []byte("again")); err != nil || !dup {
		t.Fatalf("dedup marker lost by compaction: dup %v, %v", dup, err)
	}
}

func fileHas(t *testing.T, path, s string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	return strings.Contains(string(b), s)
}

// TestDedupMarkerExpires: a repeat within DedupTTL is a duplicate; after
// it, the same key is a new message, swept or not.
func TestDedupMarkerExpires(t *testing.T) {
	s, clk := openTest(t)
	_, _, err := s.InboxPut("k", []byte("a"))
	must(t, err)
	if _, dup, err := s.InboxPut("k", []byte("a")); err != nil || !dup {
		t.Fatalf("repeat within the TTL: dup %v, %v", dup, err)
	}
	clk.Advance(DedupTTL + time.Second)
	if _, dup, err := s.InboxPut("k", []byte("a")); err != nil || dup {
		t.Fatalf("repeat after the TTL: dup %v, %v", dup, err)
	}
}
