package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/tagbot/tagbot/config"
)

// loadConfig reads the configuration; with creds it also requires the WeCom
// credentials. Any problem is a UsageError.
func loadConfig(path string, need credentials) (*config.Config, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, UsageError{err}
	}
	switch need {
	case credsAll:
		err = cfg.RequireCredentials()
	case credsAPI:
		err = cfg.RequireAPICredentials()
	}
	if err != nil {
		return nil, UsageError{err}
	}
	return cfg, nil
}

// credentials says which WeCom credentials a subcommand needs.
type credentials int

const (
	credsNone credentials = iota // reads the store only
	credsAPI                     // calls WeCom's API: corp_id and secret
	credsAll                     // also receives callbacks: token and encoding_aes_key too
)

// newLogger is the process logger at the configured level, on w.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: cfg.Log.SlogLevel()}))
}

// Serve runs the bot until ctx ends (SIGTERM or SIGINT), then shuts down
// gracefully: it stops accepting callbacks and lets the work in hand finish.
func Serve(ctx context.Context, configPath string, logw io.Writer) error {
	return ServeWithReload(ctx, configPath, logw, nil)
}

// ServeWithReload is Serve that also reloads the classification rules,
// triggers and lifecycle rules (Main.ReloadRules) whenever reload delivers
// (main.go: SIGHUP); a bad new set is logged and the running one stays.
func ServeWithReload(ctx context.Context, configPath string, logw io.Writer, reload <-chan os.Signal) error {
	cfg, err := loadConfig(configPath, credsAll)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, logw)
	slog.SetDefault(logger)
	cfg.WarnLimits(logger) // limits above WeCom's own get the corp blocked
	m, err := New(cfg, Options{Logger: logger, ConfigPath: configPath})
	if err != nil {
		return err
	}
	if err := m.SyncIfNeeded(ctx); err != nil {
		m.Store.Close()
		return err
	}
	if err := m.Start(ctx); err != nil {
		m.Store.Close()
		return err
	}
	go reloadOn(ctx, reload, m.ReloadRules, logger)
	<-ctx.Done()
	logger.Info("shutting down")
	// Enough for the message in hand (30 s) and the WeCom call in hand (30 s).
	sctx, cancel := context.WithTimeout(context.Background(), 75*time.Second)
	defer cancel()
	return m.Shutdown(sctx)
}

// reloadOn calls reload for every signal until ctx ends, logging the outcome.
func reloadOn(ctx context.Context, sig <-chan os.Signal, reload func() error, logger *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-sig:
			if !ok {
				return
			}
			if err := reload(); err != nil {
				logger.Error("rules reload refused; the running rules stay, and the triggers and lifecycle rules", "err", err)
			}
		}
	}
}

// Sync pulls the tag library and every customer from WeCom into the store.
func Sync(ctx context.Context, configPath string, out, logw io.Writer) error {
	cfg, err := loadConfig(configPath, credsAPI)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, logw)
	m, err := New(cfg, Options{Logger: logger, NoCallback: true})
	if err != nil {
		return err
	}
	defer m.Store.Close()
	rep, err := m.Syncer.FullSync(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "同步完成 sync done: %d tag groups, %d tags, %d customers, %d relationships, %d change-sets, %d tags deleted, %s\n",
		rep.Groups, rep.Tags, rep.Customers, rep.Relationships, rep.ChangeSets, rep.DeletedTags, rep.Duration.Round(time.Millisecond))
	return nil
}
