package app

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
)

// TestAdminSocketNeverWiderThan0600 opens and closes the admin socket many
// times under umask 0 while another goroutine watches its path: the socket
// must never be seen there with a mode another user could connect through
// (net.Listen used to create it 0777 &^ umask and chmod it afterwards).
func TestAdminSocketNeverWiderThan0600(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "tagbot.db.sock")
	var (
		stop  atomic.Bool
		wider atomic.Uint32 // the widest mode seen at path, 0 if none
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			if fi, err := os.Lstat(path); err == nil && fi.Mode().Perm() != 0o600 {
				wider.Store(uint32(fi.Mode().Perm()))
			}
		}
	}()
	for range 1000 {
		ln, err := listenSocket(path, discard())
		if err != nil {
			t.Fatal(err)
		}
		ln.Close()
	}
	stop.Store(true)
	wg.Wait()
	if m := wider.Load(); m != 0 {
		t.Errorf("the admin socket was reachable at %s with mode %v, want only 0600", path, os.FileMode(m))
	}
}

// TestAdminSocketPeerUser checks who the admin socket serves: the server's
// own user and root, and no one else.
func TestAdminSocketPeerUser(t *testing.T) {
	tests := []struct {
		name   string
		peer   int
		served bool
	}{
		{"same user", os.Getuid(), true},
		{"root", 0, true},
		{"another user", os.Getuid() + 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := peerUID
			peerUID = func(*net.UnixConn) (int, error) { return tt.peer, nil }
			defer func() { peerUID = old }()
			path := filepath.Join(t.TempDir(), "tagbot.db.sock")
			ln, err := listenSocket(path, discard())
			if err != nil {
				t.Fatal(err)
			}
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })}
			go srv.Serve(ln)
			defer srv.Close()
			dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "unix", path)
			}
			client := &http.Client{Transport: &http.Transport{DialContext: dial}, Timeout: 5 * time.Second}
			resp, err := client.Get("http://tagbot/admin/status")
			if err == nil {
				resp.Body.Close()
			}
			if served := err == nil; served != tt.served {
				t.Errorf("peer uid %d: served %v (err %v), want %v", tt.peer, served, err, tt.served)
			}
		})
	}
}

// TestFailedStartRemovesSocket: when server.admin_listen cannot be opened,
// Start fails and leaves no admin socket behind.
func TestFailedStartRemovesSocket(t *testing.T) {
	_, cfg := fakeCompany(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cfg.Server.AdminListen = busy.Addr().String()
	m, err := New(cfg, Options{Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Store.Close()
	if err := m.Start(context.Background()); err == nil {
		m.Shutdown(context.Background())
		t.Fatal("Start with a busy admin_listen succeeded")
	}
	if _, err := os.Lstat(SocketPath(cfg.Store.Path)); !os.IsNotExist(err) {
		t.Errorf("after the failed start the admin socket is still there: %v", err)
	}
}

// TestLockedHint checks that the hint for a serve that cannot be reached
// names what is wrong with its socket and what to do.
func TestLockedHint(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns store.path
		want  []string
	}{
		{"directory in the way", func(t *testing.T, dir string) string {
			db := filepath.Join(dir, "tagbot.db")
			if err := os.Mkdir(SocketPath(db), 0o700); err != nil {
				t.Fatal(err)
			}
			return db
		}, []string{"not a socket", "remove it", "restart serve"}},
		{"path too long", func(t *testing.T, dir string) string {
			return filepath.Join(dir, strings.Repeat("d", maxSocketPath), "tagbot.db")
		}, []string{"longer than 103 bytes", "shorter path"}},
		{"no socket", func(t *testing.T, dir string) string {
			return filepath.Join(dir, "tagbot.db")
		}, []string{"sync, import", "wait for it to finish", "if it is serve", "too old", "restart serve"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Store.Path = tt.setup(t, t.TempDir())
			got := lockedHint(cfg)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("lockedHint = %q, want it to contain %q", got, w)
				}
			}
			if strings.Contains(got, "restart serve to open the socket") {
				t.Errorf("lockedHint = %q: restarting cannot open this socket", got)
			}
			if strings.Contains(got, "admin_listen") {
				t.Errorf("lockedHint = %q: admin_listen does not reach the store", got)
			}
		})
	}
}
