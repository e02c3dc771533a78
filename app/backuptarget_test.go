package app

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestBackupTarget: a backup never renames over a device, a FIFO, a
// symlink or a folder, and replaces an existing file only with --force.
func TestBackupTarget(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "old.db")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.db")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "p.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		opts BackupOptions
		want string // "" = allowed
	}{
		{"new file", BackupOptions{Out: filepath.Join(dir, "new.db")}, ""},
		{"existing file", BackupOptions{Out: file}, "add --force"},
		{"existing file, forced", BackupOptions{Out: file, Force: true}, ""},
		{"symlink", BackupOptions{Out: link, Force: true}, "not a regular file"},
		{"device", BackupOptions{Out: "/dev/full", Force: true}, "not a regular file"},
		{"fifo", BackupOptions{Out: fifo, Force: true}, "not a regular file"},
		{"folder", BackupOptions{Out: dir, Force: true}, "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := backupTarget(tc.opts)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("backupTarget = %v, want allowed", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("backupTarget = %v, want an error containing %q", err, tc.want)
			case tc.want != "" && ExitCode(err) != ExitUsage:
				t.Errorf("exit code %d, want %d", ExitCode(err), ExitUsage)
			}
		})
	}
}

// TestCheckFileRefusesNonStores: check FILE on an empty file, a device or
// a copy cut short says so (exit 2) and never advises repairing store.path.
func TestCheckFileRefusesNonStores(t *testing.T) {
	_, cfg := fakeCompany(t)
	m, err := New(cfg, Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SyncIfNeeded(t.Context()); err != nil {
		t.Fatal(err)
	}
	m.Store.Close()
	whole, err := os.ReadFile(cfg.Store.Path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	empty, cut := filepath.Join(dir, "empty.db"), filepath.Join(dir, "cut.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cut, whole[:len(whole)-10], 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(conf, []byte("store:\n  path: "+cfg.Store.Path+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, file, want string }{
		{"empty", empty, "not a tagbot store"},
		{"device", "/dev/null", "not a tagbot store"},
		{"cut short", cut, "take the backup again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(conf, CheckOptions{File: tc.file}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "repair") || ExitCode(err) != ExitUsage {
				t.Errorf("check %s = %v (exit %d), want exit 2 saying %q", tc.file, err, ExitCode(err), tc.want)
			}
		})
	}
}

// TestApplyPackWithoutCallbackKeys: pack apply only calls WeCom's API, so
// a config without wecom.token and encoding_aes_key (set up before the
// callback URL exists) is enough; serve still needs them.
func TestApplyPackWithoutCallbackKeys(t *testing.T) {
	_, cfg := packCompany(t)
	cfg.WeCom.Token, cfg.WeCom.EncodingAESKey = "", ""
	if err := cfg.RequireAPICredentials(); err != nil {
		t.Fatalf("RequireAPICredentials = %v, want nil with corp_id and secret set", err)
	}
	if err := cfg.RequireCredentials(); err == nil || !strings.Contains(err.Error(), "wecom.encoding_aes_key") {
		t.Fatalf("RequireCredentials = %v, want encoding_aes_key required for serve", err)
	}
	path := writePack(t, testPack)
	if err := applyPackWith(t.Context(), cfg, path, io.Discard, io.Discard); err != nil {
		t.Fatalf("pack apply without callback keys: %v", err)
	}
	if _, err := New(cfg, Options{Logger: discard()}); err == nil {
		t.Fatal("New without NoCallback accepted a config without encoding_aes_key")
	}
}
