package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/internal/logtest"
	"github.com/tagbot/tagbot/store"
)

// writeConfig writes a config naming store.path db and, when admin is not
// "", server.admin_listen admin.
func writeConfig(t *testing.T, db, admin string) string {
	t.Helper()
	yaml := fmt.Sprintf("store:\n  path: %q\n", db)
	if admin != "" {
		yaml = fmt.Sprintf("server:\n  admin_listen: %q\n", admin) + yaml
	}
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAdminListenerServesNoData: the TCP admin listener, which any local
// user (and a reverse proxy exposing /metrics) can reach, answers 404 on
// the data paths and points to the socket; /metrics still answers.
func TestAdminListenerServesNoData(t *testing.T) {
	d := startAdminDemo(t)
	base := "http://" + d.Main.AdminAddr()
	for _, tc := range []struct{ method, path string }{
		{http.MethodPost, "/admin/backup"},
		{http.MethodGet, "/admin/export?what=customers"},
		{http.MethodGet, "/admin/export?what=ledger&format=csv"},
		{http.MethodGet, "/admin/status"},
	} {
		req, _ := http.NewRequest(tc.method, base+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "socket") || len(body) > 400 {
			t.Errorf("%s %s on admin_listen: %s %.200q, want 404 pointing to the socket", tc.method, tc.path, resp.Status, body)
		}
	}
	if m := scrape(t, d.Main.AdminAddr()); len(m) == 0 {
		t.Error("/metrics empty")
	}
}

// TestBackupIgnoresAdminListen: whatever answers on server.admin_listen
// (another serve, or a fake server of another user) is never taken for
// the store: backup, export and status go through the socket beside
// store.path only.
func TestBackupIgnoresAdminListen(t *testing.T) {
	d := startAdminDemo(t)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Tagbot-Export")
		w.Write([]byte("EVIL BYTES\n"))
		w.Header().Set("X-Tagbot-Export", "ok")
	}))
	t.Cleanup(evil.Close)
	cfg := writeConfig(t, d.Main.Config.Store.Path, strings.TrimPrefix(evil.URL, "http://"))
	out := filepath.Join(t.TempDir(), "b.db")
	var stdout bytes.Buffer
	if err := Backup(context.Background(), cfg, BackupOptions{Out: out}, &stdout); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if !strings.Contains(stdout.String(), "from serve") {
		t.Errorf("backup output %q, want it taken from serve", stdout.String())
	}
	sn, err := store.SnapshotFile(out)
	if err != nil {
		t.Fatalf("the backup is not a store: %v", err)
	}
	sn.Close()
	stdout.Reset()
	if err := Export(context.Background(), cfg, ExportOptions{What: "customers"}, &stdout); err != nil {
		t.Fatal(err)
	}
	if got := stdout.String(); strings.Contains(got, "EVIL") || !strings.Contains(got, "wmDemo0001") {
		t.Errorf("export read %.200q, want the store's customers", got)
	}
}

// TestBackupLogNamesOnePackage: the "backup sent" line carries pkg once.
func TestBackupLogNamesOnePackage(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	var logs logtest.Buffer
	d, err := StartDemo(context.Background(), config.Default(), &logs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	cfg := writeConfig(t, d.Main.Config.Store.Path, "")
	if err := Backup(context.Background(), cfg, BackupOptions{Out: filepath.Join(t.TempDir(), "b.db")}, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "backup sent") {
			if n := strings.Count(line, "pkg="); n != 1 {
				t.Errorf("log line has pkg %d times: %s", n, line)
			}
			return
		}
	}
	t.Errorf("no \"backup sent\" line in the log:\n%s", logs.String())
}

// TestBackupArguments: OUT is checked before anything is copied: empty,
// "-", a missing folder and the store's own companion files are usage
// errors (exit 2), and nothing is left behind.
func TestBackupArguments(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "tagbot.db")
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	cfg := writeConfig(t, db, "")
	tests := []struct {
		name, out string
		force     bool
		want      string
	}{
		{"empty", "", false, "name the file"},
		{"stdout", "-", false, "name the file"},
		{"missing folder", filepath.Join(dir, "nonexist", "dir", "x.db"), false, "folder"},
		{"the store", db, true, "store itself"},
		{"lock file", db + ".lock", true, "belongs to the store"},
		{"socket", db + ".sock", true, "belongs to the store"},
		{"compaction file", db + ".tmp", true, "belongs to the store"},
		{"torn tail", db + ".torn-20260101T000000.000000000", true, "belongs to the store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadDir(dir)
			err := Backup(context.Background(), cfg, BackupOptions{Out: tt.out, Force: tt.force}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) || ExitCode(err) != ExitUsage {
				t.Fatalf("backup %q: %v (exit %d), want a usage error containing %q", tt.out, err, ExitCode(err), tt.want)
			}
			if after, _ := os.ReadDir(dir); len(after) != len(before) {
				t.Errorf("backup %q left files behind: %v → %v", tt.out, before, after)
			}
		})
	}
	// The lock file is still the one serve's lock guards (same inode).
	if _, err := os.Stat(db + ".lock"); err != nil {
		t.Fatal(err)
	}
}

// TestLockedByAnotherCommand: while another tagbot command (here the
// store opened for writing, as sync does) holds the store, backup, export
// and status say so, and do not send the operator to admin_listen.
func TestLockedByAnotherCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tagbot.db")
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := writeConfig(t, db, "127.0.0.1:1")
	errs := map[string]error{
		"backup": Backup(context.Background(), cfg, BackupOptions{Out: filepath.Join(t.TempDir(), "b.db")}, io.Discard),
		"export": Export(context.Background(), cfg, ExportOptions{What: "ledger"}, io.Discard),
		"status": Status(context.Background(), cfg, StatusOptions{}, io.Discard),
	}
	for name, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "sync, import") || strings.Contains(err.Error(), "admin_listen") {
			t.Errorf("%s while the store is held: %v, want it to name another tagbot command and not admin_listen", name, err)
		}
	}
}

// TestSocketOfAnotherUserRefused: a process answering on the admin socket
// that runs as neither the store's owner, the caller nor root is not
// taken for serve: backup fails and writes nothing.
func TestSocketOfAnotherUserRefused(t *testing.T) {
	d := startAdminDemo(t)
	old := serverUID
	serverUID = func(*net.UnixConn) (int, error) { return os.Getuid() + 1, nil }
	defer func() { serverUID = old }()
	cfg := writeConfig(t, d.Main.Config.Store.Path, "")
	out := filepath.Join(t.TempDir(), "b.db")
	err := Backup(context.Background(), cfg, BackupOptions{Out: out}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "not as the store's owner") {
		t.Fatalf("backup through a foreign socket: %v, want it refused", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("backup through a foreign socket wrote %s: %v", out, err)
	}
}
