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
	"path/filepath"
	"syscall"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/ops"
	"github.com/tagbot/tagbot/store"
)

// `tagbot backup` and `tagbot export` read a store that serve may hold
// (exclusively locked). They go through the running process, over the
// admin listener (server.admin_listen, loopback only) or its admin socket
// beside the store (socket.go), when one answers:
// serve has the store loaded already, so this costs no second in-memory
// copy, and it reads a consistent state at a transaction boundary. Only
// when nothing answers there do they read the file themselves, under the
// shared lock (which fails, ErrLocked, if a serve without an admin
// listener or socket holds it). Reading the file without the lock, up to its last
// whole frame, was the other choice; it was not taken because a
// compaction can replace the file under the reader, and because it would
// load a second full copy of the store into memory beside serve's.

// BackupOptions are `tagbot backup`'s arguments.
type BackupOptions struct {
	Out string // the file to write (0600, fsynced, atomically)
	// Force replaces Out when it is an existing regular file; without it
	// an existing Out is refused. Anything but a regular file (a device,
	// a FIFO, a symlink, a folder) is always refused.
	Force bool
}

// Backup writes a consistent copy of the store to opts.Out, through the
// running serve when its admin listener answers, else from the file.
func Backup(ctx context.Context, configPath string, opts BackupOptions, stdout io.Writer) error {
	cfg, err := loadConfig(configPath, credsNone)
	if err != nil {
		return err
	}
	if same, _ := samePath(opts.Out, cfg.Store.Path); same {
		return UsageError{fmt.Errorf("backup: %s is the store itself; name another file", opts.Out)}
	}
	if err := backupTarget(opts); err != nil {
		return err
	}
	var n int64
	via := "serve"
	err = store.WriteFileAtomic(opts.Out, func(w io.Writer) error {
		var err error
		n, err = backupRemote(ctx, cfg, w)
		if errors.Is(err, errNoAdmin) {
			via = "the store file (no serve answered)"
			n, err = backupLocal(cfg, w)
		}
		return err
	})
	if err != nil {
		return err
	}
	if sn, err := store.SnapshotFile(opts.Out); err != nil {
		return fmt.Errorf("backup written but unreadable as a store: %w", err)
	} else {
		sn.Close()
	}
	fmt.Fprintf(stdout, "备份完成 backup written: %s (%d bytes, from %s); verify it: tagbot -config %s check %s\n",
		opts.Out, n, via, configPath, opts.Out)
	return nil
}

// backupTarget refuses an Out the backup must not replace: anything but a
// regular file (renaming over /dev/full or a symlink would replace the
// node itself), and an existing file without Force.
func backupTarget(opts BackupOptions) error {
	fi, err := os.Lstat(opts.Out)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return UsageError{fmt.Errorf("backup: %w", err)}
	case !fi.Mode().IsRegular():
		return UsageError{fmt.Errorf("backup: %s exists and is not a regular file (%s); name a new file", opts.Out, fi.Mode().Type())}
	case !opts.Force:
		return UsageError{fmt.Errorf("backup: %s exists; name a new file, or add --force to replace it", opts.Out)}
	}
	return nil
}

// errNoAdmin says no admin listener is configured or answering.
var errNoAdmin = errors.New("no admin listener answered")

// backupLocal copies the store file under the shared lock.
func backupLocal(cfg *config.Config, w io.Writer) (int64, error) {
	sn, err := store.SnapshotFile(cfg.Store.Path)
	if errors.Is(err, store.ErrLocked) {
		return 0, UsageError{fmt.Errorf("%w; %s", err, lockedHint(cfg))}
	}
	if err != nil {
		return 0, storeOpenError(err)
	}
	defer sn.Close()
	return sn.WriteTo(w)
}

// backupRemote asks serve for the store over the admin listener and checks
// that the whole advertised length arrived.
func backupRemote(ctx context.Context, cfg *config.Config, w io.Writer) (int64, error) {
	resp, err := adminRequest(ctx, cfg, http.MethodPost, ops.PathBackup, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return n, fmt.Errorf("backup: copy from serve cut short after %d bytes: %w", n, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return n, fmt.Errorf("backup: got %d of %d bytes from serve", n, resp.ContentLength)
	}
	return n, nil
}

// adminRequest sends one request to a running serve: over the admin
// listener when one is configured and answers, else over the admin
// socket (socket.go); errNoAdmin when neither answers.
func adminRequest(ctx context.Context, cfg *config.Config, method, path string, query url.Values) (*http.Response, error) {
	resp, err := listenerRequest(ctx, cfg, method, path, query)
	if errors.Is(err, errNoAdmin) {
		return socketRequest(ctx, cfg, method, path, query)
	}
	return resp, err
}

// listenerRequest sends one request to server.admin_listen; errNoAdmin
// when none is configured or nothing listens there.
func listenerRequest(ctx context.Context, cfg *config.Config, method, path string, query url.Values) (*http.Response, error) {
	if cfg.Server.AdminListen == "" {
		return nil, errNoAdmin
	}
	host, port, err := net.SplitHostPort(cfg.Server.AdminListen)
	if err != nil {
		return nil, UsageError{fmt.Errorf("server.admin_listen: %w", err)}
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	u := url.URL{Scheme: "http", Host: net.JoinHostPort(host, port), Path: path, RawQuery: query.Encode()}
	resp, err := sendAdmin(ctx, &http.Transport{DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext, Proxy: nil}, method, u)
	if errors.Is(err, syscall.ECONNREFUSED) {
		return nil, errNoAdmin
	}
	if err != nil {
		return nil, fmt.Errorf("admin listener %s: %w", u.Host, err)
	}
	return resp, nil
}

// samePath reports whether a and b name the same file.
func samePath(a, b string) (bool, error) {
	aa, err := filepath.Abs(a)
	if err != nil {
		return false, err
	}
	bb, err := filepath.Abs(b)
	if err != nil {
		return false, err
	}
	if ra, err := filepath.EvalSymlinks(aa); err == nil {
		aa = ra
	}
	if rb, err := filepath.EvalSymlinks(bb); err == nil {
		bb = rb
	}
	return aa == bb, nil
}

// ExportOptions are `tagbot export`'s arguments.
type ExportOptions struct {
	What   string // ledger, customers or library
	Since  string // ledger only: RFC 3339 or a date (China time)
	Format string // jsonl (default) or csv
}

// Export streams the ledger or the current state to out, through the
// running serve when its admin listener answers, else from the file
// (loaded read-only, under the shared lock).
func Export(ctx context.Context, configPath string, opts ExportOptions, out io.Writer) error {
	cfg, err := loadConfig(configPath, credsNone)
	if err != nil {
		return err
	}
	q, err := ops.ParseExportQuery(opts.What, opts.Since, opts.Format, config.ChinaZone)
	if err != nil {
		return UsageError{err}
	}
	resp, err := adminRequest(ctx, cfg, http.MethodGet, ops.PathExport,
		url.Values{"what": {opts.What}, "since": {opts.Since}, "format": {opts.Format}})
	if errors.Is(err, errNoAdmin) {
		st, err := openStore(cfg, store.Options{ReadOnly: true})
		if errors.Is(err, store.ErrLocked) {
			return fmt.Errorf("%w; %s", err, lockedHint(cfg))
		}
		if err != nil {
			return err
		}
		defer st.Close()
		return ops.Export(out, st, q)
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(out, resp.Body); err != nil {
		return fmt.Errorf("export: cut short: %w", err)
	}
	if resp.Trailer.Get(ops.TrailerExport) != "ok" {
		return errors.New("export: serve cut the export short (see its log); the output is incomplete")
	}
	return nil
}
