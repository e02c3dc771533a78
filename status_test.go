package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tagbot/tagbot/app"
	"github.com/tagbot/tagbot/statusview"
)

// TestStatusThroughSocket: `tagbot status` (and backup, export) with no
// admin_listen configured reaches a running serve through the socket
// beside the store (0600), reads
// the store itself once serve is gone, and a socket a SIGKILLed serve left
// is found stale by status and replaced by the next serve; a clean exit
// removes it.
func TestStatusThroughSocket(t *testing.T) {
	addr := freeAddr(t)
	cfg, db, _ := fakeConfig(t, addr)
	sock := app.SocketPath(db)
	status := func(wantLive bool) {
		t.Helper()
		code, out, errs := runCLI("-config", cfg, "status", "--json")
		if code != 0 {
			t.Fatalf("status exit %d: %s %s", code, out, errs)
		}
		var v statusview.View
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("status --json: %v\n%s", err, out)
		}
		if v.Live != wantLive {
			t.Fatalf("status live %t, want %t (from serve: live figures; from the file: counts only)", v.Live, wantLive)
		}
	}
	socketMode := func() os.FileMode {
		t.Helper()
		fi, err := os.Lstat(sock)
		if err != nil {
			t.Fatalf("admin socket: %v", err)
		}
		return fi.Mode()
	}

	child, _ := startServe(t, cfg, addr)
	if m := socketMode(); m.Type() != os.ModeSocket || m.Perm() != 0o600 {
		t.Fatalf("admin socket mode %v, want a socket with 0600", m)
	}
	status(true)
	// backup and export go the same way.
	if code, out, errs := runCLI("-config", cfg, "backup", filepath.Join(t.TempDir(), "b.db")); code != 0 || !strings.Contains(out, "from serve") {
		t.Fatalf("backup while serving: exit %d: %s %s", code, out, errs)
	}
	if code, out, errs := runCLI("-config", cfg, "export", "customers"); code != 0 || !strings.Contains(out, "wmDemo0001") {
		t.Fatalf("export while serving: exit %d: %.200s %s", code, out, errs)
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	if m := socketMode(); m.Type() != os.ModeSocket {
		t.Fatalf("after SIGKILL the socket is %v; the test needs the stale one", m)
	}
	status(false) // stale socket: nothing answers, the store is read

	child, stderr := startServe(t, cfg, addr)
	status(true) // the stale socket replaced
	child.Process.Signal(syscall.SIGTERM)
	if err := child.Wait(); err != nil {
		t.Fatalf("serve exit: %v\n%s", err, stderr.String())
	}
	if _, err := os.Lstat(sock); !os.IsNotExist(err) {
		t.Fatalf("after a clean exit the socket is still there: %v", err)
	}
	status(false)
}
