package app

import (
	"errors"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// Exit codes of every tagbot subcommand (serve, sync, check, repair, demo,
// version): one cause, one code, whichever subcommand meets it. main.go
// exits with ExitCode of what the subcommand returned; the README's table
// lists the same codes. 退出码。
const (
	// ExitOK: the subcommand did what it was asked (serve: it was stopped
	// by SIGTERM or SIGINT and shut down cleanly).
	ExitOK = 0
	// ExitFailure: a failure while running that running again later may
	// cure: WeCom unreachable or refusing, an I/O error, a store that check
	// found inconsistent, a listen address already taken, an interrupted sync.
	ExitFailure = 1
	// ExitUsage: the operator must fix something before running again: bad
	// usage (unknown command or flag, stray arguments), bad configuration or
	// missing credentials, a store in use by another tagbot, a store that
	// cannot be opened or is not a tagbot store.
	ExitUsage = 2
)

// UsageError marks failures that are the operator's to fix before running
// again (bad configuration, unreadable store): ExitUsage.
type UsageError struct{ Err error }

// Error returns the underlying message.
func (e UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the underlying error.
func (e UsageError) Unwrap() error { return e.Err }

// ExitCode is the exit code for err, returned by Serve, Sync, Check, Demo
// or any later subcommand: ExitOK for nil, ExitUsage for a UsageError or a
// cause that is one wherever it is met (a configuration error, a store in
// use or corrupt), ExitFailure for anything else.
func ExitCode(err error) int {
	var ue UsageError
	var ce *config.Error
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue), errors.As(err, &ce),
		errors.Is(err, store.ErrLocked), errors.Is(err, store.ErrCorrupt), errors.Is(err, store.ErrTorn):
		return ExitUsage
	default:
		return ExitFailure
	}
}

// openStore opens the configured store for every subcommand alike: any
// failure to open it (in use, corrupt, unreadable, a directory) is a
// UsageError, so each subcommand exits ExitUsage for it.
func openStore(cfg *config.Config, opts store.Options) (*store.Store, error) {
	opts.Sync = cfg.Store.Sync
	st, err := store.Open(cfg.Store.Path, opts)
	if err != nil {
		return nil, storeOpenError(err)
	}
	return st, nil
}
