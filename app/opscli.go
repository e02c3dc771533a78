package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/ops"
	"github.com/tagbot/tagbot/store"
)

// `tagbot backup`, `export` and `status` read a store that serve may hold
// (exclusively locked). They go through the running process over its
// admin socket beside the store (socket.go), and only there: the socket's
// place derives from store.path, serve makes it in a private folder with
// mode 0600 and accepts only its own user and root, and the client checks
// that the process answering runs as the store's owner (or as the caller,
// or root). server.admin_listen is never asked: any local user can
// listen on a TCP port (while serve is stopped, or another serve's port
// may be named there), and what answers there would be taken for the
// store. Serve has the store loaded already, so this costs no second
// in-memory copy, and it reads a consistent state at a transaction
// boundary. Only when nothing answers on the socket do they read the file
// themselves, under the shared lock (which fails, ErrLocked, while another
// tagbot command holds the store, or a serve without its socket). Reading
// the file without the lock, up to its last whole frame, was the other
// choice; it was not taken because a compaction can replace the file
// under the reader, and because it would load a second full copy of the
// store into memory beside serve's.

// BackupOptions are `tagbot backup`'s arguments.
type BackupOptions struct {
	Out string // the file to write (0600, fsynced, atomically)
	// Force replaces Out when it is an existing regular file; without it
	// an existing Out is refused. Anything but a regular file (a device,
	// a FIFO, a symlink, a folder) is always refused.
	Force bool
}

// Backup writes a consistent copy of the store to opts.Out, through the
// running serve when its admin socket answers, else from the file.
func Backup(ctx context.Context, configPath string, opts BackupOptions, stdout io.Writer) error {
	cfg, err := loadConfig(configPath, credsNone)
	if err != nil {
		return err
	}
	if err := backupOut(opts.Out, cfg.Store.Path); err != nil {
		return err
	}
	if err := backupTarget(opts); err != nil {
		return err
	}
	var n int64
	via := "serve"
	write := store.WriteFileNew // a name taken meanwhile is not replaced
	if opts.Force {
		write = store.WriteFileAtomic
	}
	err = write(opts.Out, func(w io.Writer) error {
		var err error
		n, err = backupRemote(ctx, cfg, w)
		if errors.Is(err, errNoAdmin) {
			via = "the store file (no serve answered)"
			n, err = backupLocal(cfg, w)
		}
		return err
	})
	if errors.Is(err, os.ErrExist) {
		return UsageError{fmt.Errorf("backup: %s was created by something else meanwhile; name a new file, or add --force to replace it", opts.Out)}
	}
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

// storeCompanions are the suffixes of the files beside store.path that
// belong to the store: its lock (which serve's flock guards by inode),
// its admin socket, BuntDB's compaction file and torn tails set aside.
var storeCompanions = []string{".lock", ".sock", ".tmp", ".torn-"}

// backupOut refuses, before anything is copied, an OUT that names no
// file ("" or "-": a copy of the store is not for a terminal), whose
// folder does not exist, or that is the store or one of its companion
// files (replacing the lock file would leave serve's lock guarding an
// orphan inode).
func backupOut(out, storePath string) error {
	if out == "" || out == "-" {
		return UsageError{errors.New("backup: name the file to write, e.g. tagbot backup /var/backups/tagbot-2026-03-01.db " +
			"(standard output, -, is not supported)")}
	}
	dir := filepath.Dir(out)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return UsageError{fmt.Errorf("backup: the folder %s does not exist; create it first or name a file in another folder", dir)}
	case err != nil:
		return UsageError{fmt.Errorf("backup: %w", err)}
	case !fi.IsDir():
		return UsageError{fmt.Errorf("backup: %s is not a folder", dir)}
	}
	if same, _ := samePath(out, storePath); same {
		return UsageError{fmt.Errorf("backup: %s is the store itself; name another file", out)}
	}
	o, err := realPath(out)
	if err != nil {
		return nil
	}
	// The store's companions sit beside its fully resolved path (store's
	// lock) and beside the name store.path gives (the socket).
	var stores []string
	if st, err := realPath(storePath); err == nil {
		stores = append(stores, st)
	}
	if st, err := filepath.EvalSymlinks(storePath); err == nil {
		if st, err := filepath.Abs(st); err == nil {
			stores = append(stores, st)
		}
	}
	ofi, ofiErr := os.Stat(o)
	for _, st := range stores {
		for _, suffix := range storeCompanions {
			if strings.HasPrefix(o, st+suffix) {
				return UsageError{fmt.Errorf("backup: %s belongs to the store (%s*); name another file", out, storePath+suffix)}
			}
		}
		if ofiErr != nil {
			continue
		}
		for _, p := range []string{st, st + ".lock"} {
			if pfi, err := os.Stat(p); err == nil && os.SameFile(ofi, pfi) {
				return UsageError{fmt.Errorf("backup: %s is a link to %s, which belongs to the store; name another file", out, p)}
			}
		}
	}
	return nil
}

// realPath is path made absolute with its folder's symlinks resolved.
func realPath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
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

// errNoAdmin says no serve answered on the admin socket.
var errNoAdmin = errors.New("no serve answered on the admin socket")

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

// backupRemote asks serve for the store over the admin socket and checks
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

// adminRequest sends one request to a running serve over the admin
// socket (socket.go); errNoAdmin when nothing answers there.
func adminRequest(ctx context.Context, cfg *config.Config, method, path string, query url.Values) (*http.Response, error) {
	return socketRequest(ctx, cfg, method, path, query)
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
// running serve when its admin socket answers, else from the file
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
