package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/ops"
)

// The admin socket: serve also listens on a Unix socket beside the store
// (SocketPath: store.path + ".sock", mode 0600 in the store's 0700
// folder) with /admin/status, /admin/backup and /admin/export, so `tagbot
// status`, `backup` and `export` reach a running serve with nothing more
// configured. They try server.admin_listen first (when set), then the
// socket, then read the store file themselves (serve is not running). A
// clean exit removes the socket; one a killed serve left is found stale
// (nothing answers on it) and replaced by the next serve.

// SocketPath is the admin socket of the store at storePath.
// 存储文件旁的管理套接字。
func SocketPath(storePath string) string { return storePath + ".sock" }

// maxSocketPath is the longest socket path every Unix takes (sun_path is
// 108 bytes on Linux, 104 on macOS, with the final NUL).
const maxSocketPath = 103

// startSocket listens on the admin socket; a socket that cannot be opened
// is logged, not fatal (status then needs server.admin_listen).
func (m *Main) startSocket(ctx context.Context) {
	if p := m.Config.Store.Path; p == "" || p == ":memory:" {
		return
	}
	path := SocketPath(m.Config.Store.Path)
	ln, err := listenSocket(path)
	if err != nil {
		m.log.Warn("admin socket not opened; tagbot status, backup and export reach this serve only through server.admin_listen",
			"path", path, "err", err)
		return
	}
	m.socket = &http.Server{
		Handler: ops.NewSocketHandler(ops.AdminOptions{Store: m.Store, Logger: m.log,
			Status: m.statusSource().Handler(m.log)}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	m.serveOn(ctx, "admin socket", m.socket, ln) // admin.go
	m.log.Info("admin socket listening", "path", path)
}

// listenSocket listens on path (mode 0600), replacing a stale socket a
// killed serve left: nothing answers on it, and this process holds the
// store's lock, so no other serve of this store runs. Anything else at
// path is left alone and refused.
func listenSocket(path string) (net.Listener, error) {
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
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// shutdownSocket stops the admin socket (its file is removed on close).
func (m *Main) shutdownSocket(ctx context.Context) error {
	if m.socket == nil {
		return nil
	}
	return m.socket.Shutdown(ctx)
}

// socketRequest sends one request over the admin socket; errNoAdmin when
// there is none or nothing answers on it (serve is not running).
func socketRequest(ctx context.Context, cfg *config.Config, method, path string, query url.Values) (*http.Response, error) {
	sock := SocketPath(cfg.Store.Path)
	if fi, err := os.Lstat(sock); err != nil || fi.Mode().Type() != os.ModeSocket {
		return nil, errNoAdmin
	}
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "unix", sock)
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

// lockedHint explains ErrLocked when no serve answered: the running
// process is not reachable on either way in.
func lockedHint(cfg *config.Config) string {
	return fmt.Sprintf("no serve answered on its admin socket %s or on server.admin_listen (restart serve to open the socket)",
		SocketPath(cfg.Store.Path))
}
