package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/ops"
	"github.com/tagbot/tagbot/statusview"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
)

// statusSource is the outbox status of this Main, built once: /status and
// GET /admin/status.
func (m *Main) statusSource() *statusview.Source {
	if m.status == nil {
		m.status = &statusview.Source{Store: m.Store, Live: m.Worker.Live,
			Limit: m.API.PathState(wecom.PathMarkTag).PerMinute, Now: m.now}
	}
	return m.status
}

// StatusOptions are `tagbot status`'s flags.
type StatusOptions struct {
	JSON bool // print the view as JSON instead of text
}

// Status prints the outbox queue: through a running serve's admin socket
// (counts and live figures), else from the store file
// (counts only).
func Status(ctx context.Context, configPath string, opts StatusOptions, out io.Writer) error {
	cfg, err := loadConfig(configPath, credsNone)
	if err != nil {
		return err
	}
	v, err := remoteStatus(ctx, cfg)
	if errors.Is(err, errNoAdmin) {
		st, err := openStore(cfg, store.Options{ReadOnly: true})
		if errors.Is(err, store.ErrLocked) {
			return fmt.Errorf("%w; %s", err, lockedHint(cfg))
		}
		if err != nil {
			return err
		}
		defer st.Close()
		limit := cfg.WeCom.RateLimits[wecom.PathMarkTag]
		if limit == 0 {
			limit = wecom.DefaultRateLimits[wecom.PathMarkTag]
		}
		if v, err = statusview.Build(st, nil, limit, time.Now()); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	_, err = fmt.Fprintln(out, statusview.Text(v))
	return err
}

// remoteStatus asks serve for the view over the admin socket.
func remoteStatus(ctx context.Context, cfg *config.Config) (statusview.View, error) {
	resp, err := adminRequest(ctx, cfg, http.MethodGet, ops.PathStatus, nil)
	if err != nil {
		return statusview.View{}, err
	}
	defer resp.Body.Close()
	var v statusview.View
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&v); err != nil {
		return v, fmt.Errorf("status from serve: %w", err)
	}
	return v, nil
}
