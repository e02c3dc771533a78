package app

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tidwall/buntdb"
)

// legacyStore writes a store as a tagbot from before the hash chain did:
// no frames, no chain head, change-sets without hashes (refused attempts,
// so no current tags or outbox entries go with them).
func legacyStore(t *testing.T) (configPath string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "old.db")
	db, err := buntdb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *buntdb.Tx) error {
		tx.Set("meta:version", "1", nil)
		tx.Set("meta:seq:cs", "3", nil)
		for i := 1; i <= 3; i++ {
			seq := fmt.Sprintf("%012d", i)
			tx.Set("cs:"+seq, fmt.Sprintf(`{"id":%d,"time":"2026-11-0%dT09:00:00Z","actor":"zhangsan","source":"command","customer":"c1","follower":"zhangsan","denied":"not yours"}`, i, i), nil)
			tx.Set("ix:c:c1:"+seq, "", nil)
			tx.Set("ix:a:zhangsan:"+seq, "", nil)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte("store:\n  path: "+path+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestAnchorOfALegacyStore: on a store whose chain was started over an
// older ledger, the anchor check --anchor prints is one check --against
// accepts, and an anchor from before the start is refused, not trusted.
func TestAnchorOfALegacyStore(t *testing.T) {
	cfg := legacyStore(t)
	var out bytes.Buffer
	if err := Check(cfg, CheckOptions{Anchor: true}, &out); err != nil {
		t.Fatalf("check of a legacy store: %v", err)
	}
	m := regexp.MustCompile(`anchor: (3:[0-9a-f]{64})`).FindStringSubmatch(out.String())
	if m == nil || !strings.Contains(out.String(), "change-sets 1..3 predate it") {
		t.Fatalf("check output:\n%s", out.String())
	}
	// check is read-only: the chain is started in memory each time, over
	// the same ledger, so the same anchor comes out.
	out.Reset()
	if err := Check(cfg, CheckOptions{Against: m[1]}, &out); err != nil || !strings.Contains(out.String(), "holds") {
		t.Fatalf("check --against %s: %v\n%s", m[1], err, out.String())
	}
	// A serve/repair start writes the start down; the anchor still holds.
	if err := Repair(cfg, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if err := Check(cfg, CheckOptions{Against: m[1]}, &out); err != nil {
		t.Fatalf("after the start was written: %v", err)
	}
	old := "2:" + strings.Repeat("ab", 32)
	if err := Check(cfg, CheckOptions{Against: old}, &out); err == nil || !strings.Contains(err.Error(), "started") {
		t.Fatalf("an anchor from before the chain's start: %v", err)
	}
}
