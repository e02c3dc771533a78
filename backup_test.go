package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tagbot/tagbot/app"
	"github.com/tagbot/tagbot/store"
)

// withAdmin rewrites a fakeConfig config to also listen on admin (and on
// another store path when db is not ""). admin_listen serves metrics
// only: backup and export below go through the socket beside the store.
func withAdmin(t *testing.T, cfgPath, admin, listen, db string) string {
	t.Helper()
	b, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "server:\n", "server:\n  admin_listen: "+admin+"\n", 1)
	if listen != "" {
		i := strings.Index(s, "  listen: ")
		j := strings.Index(s[i:], "\n")
		s = s[:i] + "  listen: " + listen + s[i+j:]
	}
	if db != "" {
		i := strings.Index(s, "  path: ")
		j := strings.Index(s[i:], "\n")
		s = s[:i] + "  path: " + db + s[i+j:]
	}
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBackupWhileServing: `tagbot backup` taken while serve handles a
// stream of commands passes `tagbot check`, holds a prefix of the live
// ledger (hash for hash), and a serve started on the copy runs on it.
func TestBackupWhileServing(t *testing.T) {
	addr, admin := freeAddr(t), freeAddr(t)
	base, db, fake := fakeConfig(t, addr)
	cfg := withAdmin(t, base, admin, "", "")
	child, stderr := startServe(t, cfg, addr)
	url := "http://" + addr + "/wecom/callback"

	// The load: cmd/loadgen, built and run as its own process, fires
	// signed /tag and /untag callbacks at serve while the backup runs.
	loadgen := buildLoadgen(t)
	o := fake.Options()
	load := exec.Command(loadgen, "-url", url, "-token", o.Token, "-aeskey", o.EncodingAESKey, "-corpid", o.CorpID,
		"-rate", "100", "-duration", "2s", "-from", "zhangsan", "-text", "/tag 王小明 +展会", "-text", "/untag 王小明 展会")
	var loadOut bytes.Buffer
	load.Stdout, load.Stderr = &loadOut, &loadOut
	if err := load.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	out := filepath.Join(t.TempDir(), "backup.db")
	code, stdout, stderrCLI := runCLI("-config", cfg, "backup", out)
	if code != 0 || !strings.Contains(stdout, "from serve") {
		t.Fatalf("backup exit %d: %s %s", code, stdout, stderrCLI)
	}
	if fi, err := os.Lstat(app.SocketPath(db)); err != nil || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("the backup came from serve, but there is no admin socket beside the store: %v", err)
	}
	if err := load.Wait(); err != nil {
		t.Fatalf("loadgen: %v\n%s", err, loadOut.String())
	}
	if lines := strings.Split(loadOut.String(), "\n"); len(lines) < 2 || len(strings.Fields(lines[1])) < 5 || strings.Fields(lines[1])[4] != "0" {
		t.Fatalf("loadgen reported errors (want column errors = 0):\n%s", loadOut.String())
	}
	t.Logf("loadgen:\n%s", loadOut.String())
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v, want mode 0600", fi.Mode(), err)
	}
	code, stdout, stderrCLI = runCLI("-config", cfg, "check", out)
	if code != 0 || !strings.Contains(stdout, "consistent") || !strings.Contains(stdout, out) {
		t.Fatalf("check OUT exit %d: %s %s", code, stdout, stderrCLI)
	}
	// Stop serve; compare the copy's ledger with the live one.
	child.Process.Signal(syscall.SIGTERM)
	if err := child.Wait(); err != nil {
		t.Fatalf("serve exit: %v\n%s", err, stderr)
	}
	live := ledger(t, db)
	copied := ledger(t, out)
	if len(copied) == 0 || len(copied) > len(live) {
		t.Fatalf("copy has %d change-sets, live %d", len(copied), len(live))
	}
	if diff := cmp.Diff(live[:len(copied)], copied); diff != "" {
		t.Fatalf("copy is not a prefix of the live ledger (-live +copy):\n%s", diff)
	}
	t.Logf("backup holds %d of %d change-sets", len(copied), len(live))

	// A bot started on the copy serves it: it answers, and its history is the copy's.
	addr2 := freeAddr(t)
	cfg2 := withAdmin(t, base, freeAddr(t), addr2, out)
	child2, stderr2 := startServe(t, cfg2, addr2)
	code, stdout, stderrCLI = runCLI("-config", cfg2, "export", "ledger")
	if code != 0 {
		t.Fatalf("export from the bot on the copy: exit %d %s", code, stderrCLI)
	}
	if n := strings.Count(stdout, "\n"); n < len(copied) {
		t.Fatalf("the bot on the copy exports %d change-sets, want ≥ %d", n, len(copied))
	}
	child2.Process.Signal(syscall.SIGTERM)
	if err := child2.Wait(); err != nil {
		t.Fatalf("serve on the copy exit: %v\n%s", err, stderr2)
	}
	if got := ledger(t, out); !cmp.Equal(copied, got[:len(copied)]) {
		t.Fatal("the bot on the copy rewrote its history")
	}

	// With no serve running, backup and export read the file themselves.
	out2 := filepath.Join(t.TempDir(), "backup2.db")
	if code, stdout, stderrCLI := runCLI("-config", cfg, "backup", out2); code != 0 || !strings.Contains(stdout, "from the store file") {
		t.Fatalf("backup without serve: exit %d %s %s", code, stdout, stderrCLI)
	}
	if got := ledger(t, out2); !cmp.Equal(live, got) {
		t.Fatalf("offline backup: %d change-sets, want %d", len(got), len(live))
	}
	code, stdout, stderrCLI = runCLI("-config", cfg, "export", "--format", "csv", "customers")
	if code != 0 || !strings.HasPrefix(stdout, "\ufeffcustomer,name,") || !strings.Contains(stdout, "王小明") {
		t.Fatalf("export customers without serve: exit %d %.200q %s", code, stdout, stderrCLI)
	}
}

// buildLoadgen builds cmd/loadgen into a temp dir and returns its path.
func buildLoadgen(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "loadgen")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/loadgen").CombinedOutput(); err != nil {
		t.Fatalf("build loadgen: %v\n%s", err, out)
	}
	return bin
}

// ledger reads every change-set of the store at path.
func ledger(t *testing.T, path string) []store.ChangeSet {
	t.Helper()
	st, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []store.ChangeSet
	if err := st.EachChangeSet(time.Time{}, func(cs *store.ChangeSet) error {
		out = append(out, *cs)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
