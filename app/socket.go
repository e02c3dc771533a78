package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/ops"
)

// The admin socket: serve also listens on a Unix socket beside the store
// (SocketPath: store.path + ".sock", mode 0600 in the store's 0700
// folder) with /admin/status, /admin/backup and /admin/export, so `tagbot
// status`, `backup` and `export` reach a running serve with nothing more
// configured. They use the socket only (never server.admin_listen, which
// serves metrics and probes alone), else read the store file themselves
// (serve is not running). A
// clean exit removes the socket; one a killed serve left is found stale
// (nothing answers on it) and replaced by the next serve.

// SocketPath is the admin socket of the store at storePath.
// 存储文件旁的管理套接字。
func SocketPath(storePath string) string { return storePath + ".sock" }

// maxSocketPath is the longest socket path every Unix takes (sun_path is
// 108 bytes on Linux, 104 on macOS, with the final NUL).
const maxSocketPath = 103

// startSocket listens on the admin socket; a socket that cannot be opened
// is logged, not fatal (status, backup and export then cannot reach this
// serve, and say so while it holds the store). The
// returned func closes the socket and removes its file at once, for a
// start that fails after it.
func (m *Main) startSocket(ctx context.Context) (closeNow func()) {
	if p := m.Config.Store.Path; p == "" || p == ":memory:" {
		return func() {}
	}
	path := SocketPath(m.Config.Store.Path)
	ln, err := listenSocket(path, m.log)
	if err != nil {
		m.log.Warn("admin socket not opened; tagbot status, backup and export cannot reach this serve until it is fixed and serve restarted",
			"path", path, "err", err)
		return func() {}
	}
	m.socket = &http.Server{
		Handler: ops.NewSocketHandler(ops.AdminOptions{Store: m.Store, Logger: m.rootLog,
			Status: m.statusSource().Handler(m.log)}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	m.serveOn(ctx, "admin socket", m.socket, ln) // admin.go
	m.log.Info("admin socket listening", "path", path)
	return func() { m.socket.Close(); ln.Close() }
}

// listenSocket listens on path (mode 0600), replacing a stale socket a
// killed serve left: nothing answers on it, and this process holds the
// store's lock, so no other serve of this store runs. Anything else at
// path is left alone and refused. The socket is made in a fresh 0700
// folder beside path, set to 0600 and only then renamed into place, so it
// is never reachable with a wider mode; connections from another user
// (but root) are closed on accept (peerUID).
func listenSocket(path string, log *slog.Logger) (net.Listener, error) {
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("path longer than %d bytes", maxSocketPath)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode().Type() != os.ModeSocket {
			return nil, fmt.Errorf("%s exists and is not a socket", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("another process answers on %s", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("stale socket: %w", err)
		}
	}
	private, err := os.MkdirTemp(filepath.Dir(path), ".") // mode 0700
	if err != nil {
		return nil, fmt.Errorf("private folder for the socket: %w", err)
	}
	defer os.RemoveAll(private) // empty once the socket is in place
	tmp := filepath.Join(private, "s")
	if len(tmp) > maxSocketPath {
		return nil, fmt.Errorf("path of the socket's private folder %s longer than %d bytes", tmp, maxSocketPath)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, err
	}
	ln.SetUnlinkOnClose(false) // it is unlinked at path, by adminSocket.Close
	if err := os.Chmod(tmp, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		ln.Close()
		return nil, err
	}
	return &adminSocket{UnixListener: ln, path: path, uid: os.Getuid(), log: log}, nil
}

// adminSocket is the admin socket's listener: it accepts only the server's
// own user and root, and removes the socket file on Close.
type adminSocket struct {
	*net.UnixListener
	path string
	uid  int
	log  *slog.Logger
}

// peerUID is the user id of the process at the other end of c (a hook for
// tests).
var peerUID = socketPeerUID // peercred_*.go

// Accept returns the next connection of the server's user or root; others
// are closed and logged.
func (s *adminSocket) Accept() (net.Conn, error) {
	for {
		c, err := s.AcceptUnix()
		if err != nil {
			return nil, err
		}
		uid, err := peerUID(c)
		if err == nil && (uid == s.uid || uid == 0) {
			return c, nil
		}
		c.Close()
		s.log.Warn("admin socket: connection of another user refused", "peer_uid", uid, "err", err)
	}
}

// Close stops listening and removes the socket file.
func (s *adminSocket) Close() error {
	err := s.UnixListener.Close()
	if rmErr := os.Remove(s.path); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
		err = errors.Join(err, rmErr)
	}
	return err
}

// shutdownSocket stops the admin socket (its file is removed on close).
func (m *Main) shutdownSocket(ctx context.Context) error {
	if m.socket == nil {
		return nil
	}
	return m.socket.Shutdown(ctx)
}

// socketRequest sends one request over the admin socket; errNoAdmin when
// there is none or nothing answers on it (serve is not running). The
// process answering must run as the store file's owner, the caller or
// root: a socket some other user managed to put there is refused.
func socketRequest(ctx context.Context, cfg *config.Config, method, path string, query url.Values) (*http.Response, error) {
	sock := SocketPath(cfg.Store.Path)
	if fi, err := os.Lstat(sock); err != nil || fi.Mode().Type() != os.ModeSocket {
		return nil, errNoAdmin
	}
	owner := -1
	if fi, err := os.Stat(cfg.Store.Path); err == nil {
		owner, _ = fileOwner(fi)
	}
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "unix", sock)
		if err != nil {
			return nil, err
		}
		uid, err := serverUID(c.(*net.UnixConn))
		if err != nil || uid != os.Getuid() && uid != owner && uid != 0 {
			c.Close()
			return nil, fmt.Errorf("%w: the process on it runs as user %d, not as the store's owner (%d) or you (%d)",
				errForeignSocket, uid, owner, os.Getuid())
		}
		return c, nil
	}
	u := url.URL{Scheme: "http", Host: "tagbot", Path: path, RawQuery: query.Encode()}
	resp, err := sendAdmin(ctx, &http.Transport{DialContext: dial, Proxy: nil}, method, u)
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT) {
		return nil, errNoAdmin
	}
	if err != nil {
		return nil, fmt.Errorf("admin socket %s: %w", sock, err)
	}
	return resp, nil
}

// serverUID is the user id of the process serving a connection the
// client made (a hook for tests).
var serverUID = socketPeerUID // peercred_*.go

// errForeignSocket says the admin socket is served by another user.
var errForeignSocket = errors.New("refused")

// sendAdmin sends one request to serve; a status other than 200 is an
// error with the start of the body.
func sendAdmin(ctx context.Context, tr *http.Transport, method string, u url.URL) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("%s: %s: %s", u.Path, resp.Status, body)
	}
	return resp, nil
}

// lockedHint explains ErrLocked when no serve answered on the admin
// socket: another tagbot command holds the store (sync, import, repair …
// run to their end; a serve runs until stopped), or a serve that cannot
// be reached. It says which it can tell and what to do.
func lockedHint(cfg *config.Config) string {
	sock := SocketPath(cfg.Store.Path)
	fi, err := os.Lstat(sock)
	switch {
	case len(sock) > maxSocketPath:
		return fmt.Sprintf("if it is serve, it cannot open its admin socket %s "+
			"(the path is longer than %d bytes): move store.path to a shorter path and restart serve", sock, maxSocketPath)
	case err == nil && fi.Mode().Type() != os.ModeSocket:
		return fmt.Sprintf("if it is serve, it cannot open its admin socket: "+
			"%s is in the way and is not a socket; remove it and restart serve", sock)
	case err == nil:
		return fmt.Sprintf("nothing answered on the admin socket %s: "+
			"if serve runs, check its log; else wait for the command (sync, import …) to finish and try again", sock)
	default:
		return fmt.Sprintf("it may be serve, sync, import or another command: wait for it to finish and try again; "+
			"if it is serve, it runs without its admin socket %s (too old to have one, or the socket was removed; its log says why): restart serve", sock)
	}
}
