package app

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/tagbot/tagbot/store"
)

// CheckOptions are `tagbot check`'s flags.
type CheckOptions struct {
	// Anchor prints the ledger's head ("<seq>:<hash>") to write down.
	Anchor bool
	// Against is an anchor written down earlier: check that the ledger
	// still has that change-set with that hash.
	Against string
	// File, when set, is checked instead of store.path (a backup).
	File string
}

// Check verifies, without writing to the store file, that its last
// transaction is whole, the ledger's hash chain holds, and the ledger, the
// current tags and the outbox agree. It needs the store to itself (or
// with other readers): stop serve first.
func Check(configPath string, opts CheckOptions, out io.Writer) error {
	cfg, err := loadConfig(configPath, credsNone)
	if err != nil {
		return err
	}
	for _, w := range cfg.LimitWarnings() {
		fmt.Fprintln(out, "警告 warning:", w)
	}
	if opts.File != "" {
		cfg.Store.Path = opts.File
		if fi, err := os.Stat(opts.File); err == nil && (!fi.Mode().IsRegular() || fi.Size() == 0) {
			return UsageError{fmt.Errorf("check: %s is not a tagbot store (empty or not a regular file)", opts.File)}
		}
	}
	st, err := openStore(cfg, store.Options{ReadOnly: true})
	if err != nil && opts.File != "" && errors.Is(err, store.ErrTorn) {
		// repair works on store.path, not on a backup being checked
		return UsageError{fmt.Errorf("check: %s ends in a torn transaction (a copy cut short): take the backup again", opts.File)}
	}
	if err != nil {
		return err
	}
	defer st.Close()
	chain, err := st.VerifyReport()
	if errors.Is(err, store.ErrChainBroken) {
		return err
	}
	if err != nil {
		return fmt.Errorf("%w (tagbot -config %s repair rebuilds what derives from the ledger)", err, configPath)
	}
	if opts.Against != "" {
		if err := matchAnchor(st, chain, opts.Against); err != nil {
			return err
		}
		fmt.Fprintf(out, "anchor %s holds\n", opts.Against)
	}
	n, err := st.CustomerCount()
	if err != nil {
		return err
	}
	pending, err := st.PendingOutbox(0)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "store %s is consistent: %d customers, %d change-sets in an unbroken hash chain, %d outbox calls pending\n",
		cfg.Store.Path, n, chain.Head, len(pending))
	if chain.Start != nil {
		fmt.Fprintf(out, "the chain started %s; change-sets 1..%d predate it and are sealed by digest %s\n",
			chain.Start.At.Format("2006-01-02 15:04:05Z07:00"), chain.Start.Before, chain.Start.Digest)
	}
	if opts.Anchor {
		fmt.Fprintf(out, "anchor: %s\n", chain.Anchor())
	}
	return nil
}

// matchAnchor checks an anchor "<seq>:<hash>" written down earlier against
// the chain VerifyChain has just verified: every hash after the chain's
// start was recomputed; before it, only the start itself is an anchor.
func matchAnchor(st *store.Store, chain store.ChainReport, anchor string) error {
	seq, hash, ok := strings.Cut(strings.TrimSpace(anchor), ":")
	id, err := store.ParseID(seq)
	if !ok || err != nil || len(hash) != 64 {
		return UsageError{fmt.Errorf("check --against: want <seq>:<64 hex digits> as printed by check --anchor, got %q", anchor)}
	}
	if start := chain.Start; start != nil && id <= start.Before {
		if id == start.Before && hash == start.Digest {
			return nil
		}
		return fmt.Errorf("anchor %s does not hold: the hash chain was started at %s over change-sets 1..%d, after this anchor was taken (a chain head removed and the ledger sealed again?)",
			anchor, start.At.Format("2006-01-02 15:04:05Z07:00"), start.Before)
	}
	cs, err := st.Get(id)
	if err != nil {
		return fmt.Errorf("anchor %s does not hold: change-set %d is not in the ledger", anchor, id)
	}
	if cs.Hash != hash {
		return fmt.Errorf("anchor %s does not hold: change-set %d now has hash %s (the ledger up to it was rewritten)", anchor, id, cs.Hash)
	}
	return nil
}

// Repair cuts off a torn last transaction (keeping the cut bytes beside the
// file), rebuilds everything that derives from the ledger and the outbox,
// and reports what it changed; then it checks the store like Check.
func Repair(configPath string, out io.Writer) error {
	cfg, err := loadConfig(configPath, credsNone)
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.Store.Path); err != nil {
		return storeOpenError(err) // nothing to repair; do not create an empty store
	}
	st, err := openStore(cfg, store.Options{CutTornTail: true})
	if err != nil {
		return err
	}
	defer st.Close()
	if tail := st.Tail(); tail.Torn {
		fmt.Fprintf(out, "cut off the torn last transaction: %s; the cut bytes are kept beside the store as %s.torn-*\n", tail, cfg.Store.Path)
	} else {
		fmt.Fprintln(out, "the last transaction is whole")
	}
	rep, err := st.Rebuild()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "rebuilt: %s\n", rep)
	if err := st.Verify(); err != nil {
		return fmt.Errorf("still inconsistent after repair (restore a backup): %w", err)
	}
	fmt.Fprintf(out, "store %s is consistent\n", cfg.Store.Path)
	return nil
}

// storeOpenError says what to do about a store that cannot be opened. Any
// such store (torn, corrupt, in use, missing, unreadable) is a UsageError
// (exit 2): the operator's to fix before tagbot can run.
func storeOpenError(err error) error {
	switch {
	case errors.Is(err, store.ErrTorn):
		err = fmt.Errorf("%w; run tagbot repair with the same -config, then start again", err)
	case errors.Is(err, store.ErrChainBroken):
		// as it says
	case errors.Is(err, store.ErrCorrupt):
		err = fmt.Errorf("%w (move it away or restore a backup)", err)
	case errors.Is(err, fs.ErrNotExist):
		err = fmt.Errorf("%w (no store there yet: check store.path, or run tagbot sync first)", err)
	}
	return UsageError{err}
}
