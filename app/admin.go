package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/tagbot/tagbot/bot"
	"github.com/tagbot/tagbot/ops"
)

// Version is the running build's version, for tagbot_build_info (main
// sets it from its -ldflags version).
var Version = "dev"

// newOps builds the metrics registry (its hooks are wired into the
// components New builds next) and the readiness checks.
func (m *Main) newOps() {
	m.Metrics = ops.NewMetrics(m.Store, m.now, m.log)
	m.Metrics.InitCallbacks(bot.CallbackLabels())
	m.Metrics.BuildInfo(Version)
}

// startAdmin listens on the admin socket (socket.go), which serves
// /admin/backup, /admin/export and /admin/status to the store's owner, and
// on server.admin_listen (when set), which serves /metrics, /healthz and
// /readyz only.
func (m *Main) startAdmin(ctx context.Context) error {
	m.Metrics.OutboxInFlight(func() int { return m.Worker.Live().InFlight })
	m.Ready = ops.NewReadiness(ops.ReadyOptions{Store: m.Store, Token: m.API.TokenReady, Now: m.now,
		Outbox: func() ops.OutboxProgress {
			l := m.Worker.Live()
			return ops.OutboxProgress{LastFinished: l.LastFinished, HeldUntil: l.HeldUntil}
		}})
	closeSocket := m.startSocket(ctx) // socket.go
	if m.Config.Server.AdminListen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", m.Config.Server.AdminListen)
	if err != nil {
		closeSocket()
		return fmt.Errorf("listen %s (server.admin_listen): %w", m.Config.Server.AdminListen, err)
	}
	m.adminListener = ln
	m.admin = &http.Server{
		Handler:           ops.NewAdminHandler(ops.AdminOptions{Store: m.Store, Metrics: m.Metrics, Ready: m.Ready, Logger: m.rootLog}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	m.serveOn(ctx, "admin http", m.admin, ln)
	m.log.Info("admin listener started", "listen", ln.Addr().String())
	return nil
}

// serveOn runs srv on ln until it is shut down.
func (m *Main) serveOn(ctx context.Context, name string, srv *http.Server, ln net.Listener) {
	m.goRun(ctx, name, func(context.Context) error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
}

// AdminAddr is the address the admin listener listens on ("" when off).
func (m *Main) AdminAddr() string {
	if m.adminListener == nil {
		return ""
	}
	return m.adminListener.Addr().String()
}

// shutdownAdmin stops the admin socket and listener; backups and exports
// in flight get until ctx ends.
func (m *Main) shutdownAdmin(ctx context.Context) error {
	err := m.shutdownSocket(ctx)
	if m.admin == nil {
		return err
	}
	return errors.Join(err, m.admin.Shutdown(ctx))
}
