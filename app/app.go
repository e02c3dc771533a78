// Package app wires tagbot together: config → store → WeCom client →
// outbox worker, syncer, command router, sender, message loop and callback
// server. main.go, the demo and the end-to-end tests all use Main, so what
// they run is the same program.
package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/tagbot/tagbot/chart"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/tagbot/tagbot/bot"
	"github.com/tagbot/tagbot/channel"
	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/importer/page"
	"github.com/tagbot/tagbot/intake"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/lifecycle"
	"github.com/tagbot/tagbot/mirror"
	"github.com/tagbot/tagbot/ops"
	"github.com/tagbot/tagbot/stats"
	"github.com/tagbot/tagbot/statusview"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/suggestion"
	"github.com/tagbot/tagbot/todo"
	"github.com/tagbot/tagbot/trigger"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/wxcrypt"
)

// Options tune New beyond the configuration.
type Options struct {
	// Now is the clock of every component; time.Now when nil.
	Now func() time.Time
	// Logger is the root logger; each package names its own child.
	Logger *slog.Logger
	// Classifier and Offerer are the classification worker's (intake);
	// nil classifies nothing / drops offers.
	Classifier classify.Classifier
	Offerer    classify.Offerer
	// ConfigPath is the file ReloadRules re-reads; "" reloads the
	// configuration given to New.
	ConfigPath string
	// NoCallback builds no callback server, for subcommands that only call
	// WeCom (sync, pack apply): wecom.token and encoding_aes_key are then
	// not needed, and Start refuses.
	NoCallback bool
}

// Main is a whole tagbot: every component, built from one configuration.
type Main struct {
	Config   *config.Config
	Store    *store.Store
	API      *wecom.Client
	Worker   *mirror.Worker
	Syncer   *mirror.Syncer
	Router   *commands.Router
	Sender   *bot.Sender
	Loop     *bot.Loop
	Callback *bot.Server
	// LLM is the optional LLM assist (nil unless llm: is configured); the
	// classification worker runs it through classify.Combine.
	LLM *classify.LLM
	// Rules is the classification rule engine; Start compiles the
	// configured rules into it, ReloadRules swaps them.
	Rules *classify.Engine
	// Lifecycle is the lifecycle rules' scheduler and /lifecycle (lifecycle.go).
	Lifecycle *lifecycle.Service

	configPath string      // re-read by ReloadRules
	reloads    reloadState // serialises ReloadRules (rules.go)

	Intake       *intake.Queue    // received messages and events (Submit)
	IntakeWorker *intake.Worker   // classifies them
	IntakeAPI    *intake.API      // /api/v1/messages, /api/v1/events
	KF           *intake.KFSyncer // 微信客服 sync; nil unless kf.enabled

	Suggestions *suggestion.Service // suggested tags: cards, clicks, /confirm N, expiry

	Metrics *ops.Metrics   // Prometheus registry; hooks fed by the components
	Ready   *ops.Readiness // /readyz checks (after Start)

	adminListener net.Listener // server.admin_listen; nil when off
	admin         *http.Server
	socket        *http.Server    // the admin socket beside the store (socket.go); nil when off
	Charts        *chart.Renderer // PNG charts; nil without the CJK font (text only)

	Stats  *stats.Stats       // /stats; warmed in the background by Start
	status *statusview.Source // outbox status for /status and /admin/status (status.go)

	Jobs         *jobs.Runner     // durable background jobs (/bulk runs, merges, mass undos, imports …); run by Start
	Todo         *todo.Service    // /todo and the daily digest of required groups (groups.go)
	Channels     *channel.Service // channel QR codes: /qr, new customers' State (qrtrig.go)
	TriggerNotes *trigger.Worker  // sends tag triggers' notices and reminders (qrtrig.go)
	triggerLog   *slog.Logger     // the tag trigger engines' logger (qrtrig.go)
	Import       *page.Server     // /import and its upload page on server.listen

	log      *slog.Logger // pkg=app
	rootLog  *slog.Logger // Options.Logger, for packages that name themselves (ops)
	now      func() time.Time
	listener net.Listener
	http     *http.Server
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// New opens the store and builds every component; nothing runs until Start.
func New(cfg *config.Config, opts Options) (*Main, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	m := &Main{Config: cfg, log: opts.Logger.With("pkg", "app"), rootLog: opts.Logger, now: opts.Now, configPath: opts.ConfigPath}
	m.Rules = classify.NewEngine(nil, classify.EngineOptions{Zone: config.ChinaZone, Logger: opts.Logger})
	var crypto *wxcrypt.Crypto
	if !opts.NoCallback {
		var err error
		if crypto, err = wxcrypt.New(cfg.WeCom.Token, cfg.WeCom.EncodingAESKey, cfg.WeCom.CorpID); err != nil {
			return nil, UsageError{fmt.Errorf("wecom.encoding_aes_key: %w", err)}
		}
	}
	var err error
	m.Store, err = openStore(cfg, store.Options{Now: opts.Now, Logger: opts.Logger})
	if err != nil {
		return nil, err
	}
	m.Store.SetGroupLimits(groupLimits(cfg))
	m.newOps()
	m.API, err = wecom.New(wecom.Config{
		CorpID: cfg.WeCom.CorpID, Secret: cfg.WeCom.Secret, AgentID: cfg.WeCom.AgentID,
		APIBase: cfg.WeCom.APIBase, RateLimits: cfg.WeCom.RateLimits, Logger: opts.Logger,
		Limits: wecom.LimitOptions{Hourly: cfg.WeCom.Outbox.HourlyLimits, Concurrency: cfg.WeCom.Outbox.Concurrency,
			HourlyUsed: m.hourlyUsed(opts.Now)},
		Observe: m.Metrics.ObserveWeComCall,
	})
	if err != nil {
		m.Store.Close()
		return nil, UsageError{err}
	}
	m.Sender = bot.NewSender(bot.SenderOptions{
		API: m.API, Store: m.Store, PerUserPerMinute: cfg.Messages.PerUserPerMinute, PerUserPerHour: cfg.Messages.PerUserPerHour,
		Now: opts.Now, Logger: opts.Logger,
		CardSent: func(ctx context.Context, user, task, code string) {
			if m.Suggestions != nil { // built right after the Sender
				m.Suggestions.CardSent(ctx, user, task, code)
			}
		},
	})
	m.Syncer = mirror.NewSyncer(m.Store, m.API, groupSyncOptions(cfg, mirror.SyncOptions{Now: opts.Now, Logger: opts.Logger, ReadNames: true}))
	m.Worker = mirror.NewWorker(m.Store, m.API, mirror.WorkerOptions{
		Now: opts.Now, Notify: m.Sender.Notify, Queued: m.Sender.Flush, Logger: opts.Logger, Recheck: m.Syncer.Recheck,
		Failed: m.Metrics.ObserveOutboxFailed,
	})
	if err := m.newSuggestions(cfg, opts); err != nil {
		m.Store.Close()
		return nil, err
	}
	m.newQRTrig(cfg, opts)
	m.Charts = loadCharts(cfg.Charts.Font, m.log)
	m.Stats = &stats.Stats{Store: m.Store, Now: opts.Now}
	natural, err := m.natural(opts)
	if err != nil {
		m.Store.Close()
		return nil, UsageError{err}
	}
	m.newJobs(opts)
	m.Todo = m.newTodo(opts)
	hyg := m.newHygiene(cfg, opts)
	m.newImport(cfg, opts)
	m.Router, err = commands.NewRouter(commands.Options{
		Store: m.Store, Config: cfg, Tags: m.Syncer, Kick: m.Worker.Kick, Now: opts.Now, Logger: opts.Logger,
		Suggestions: m.Suggestions, Charts: m.Charts, Stats: m.Stats, Natural: natural,
		Extensions: []commands.Extension{m.bulkExtension(opts), hyg, m.newLifecycle(opts), m.Todo, m.Channels, m.Import, m.statusSource()}, MassUndo: hyg,
		Deliver: func(ctx context.Context, userID string, replies []commands.Reply) {
			m.Sender.Send(ctx, userID, replies)
		},
	})
	if err != nil {
		m.Store.Close()
		return nil, UsageError{err}
	}
	m.Import.SetRouter(m.Router)
	m.newIntake(cfg, opts)
	if m.LLM, err = newLLM(m, opts); err != nil {
		m.Store.Close()
		return nil, UsageError{err}
	}
	m.Loop = bot.NewLoop(bot.LoopOptions{
		Store: m.Store, Handler: m.Router, Refresher: m.Syncer, Sender: m.Sender, Now: opts.Now, Logger: opts.Logger,
		KF: m.kfOption(), Channels: m.Channels,
	})
	m.wireSuggestions(opts)
	if opts.NoCallback {
		return m, nil
	}
	m.Callback = bot.NewServer(bot.ServerOptions{
		Crypto: crypto, Store: m.Store, Path: cfg.Server.CallbackPath, TimestampWindow: cfg.Server.TimestampWindow,
		MaxBodyBytes: cfg.Server.MaxBodyBytes, Wake: m.Loop.Wake, Now: opts.Now, Logger: opts.Logger,
		Observe: m.Metrics.ObserveCallback,
	})
	return m, nil
}

// Start listens on server.listen and runs the loop, the outbox worker, the
// sender and, unless wecom.sync_interval is 0, the periodic full sync (see
// periodicSync) in the background until Shutdown.
func (m *Main) Start(ctx context.Context) error {
	if m.Callback == nil {
		return errors.New("app: built with NoCallback: nothing to serve")
	}
	set, err := m.compileRules(m.Config)
	if err != nil {
		return UsageError{err}
	}
	m.Rules.Swap(set)
	warnings, err := m.checkTriggers(m.Config, m.Config.RuleSet().PackTags())
	if err != nil {
		return UsageError{err}
	}
	for _, w := range warnings {
		m.log.Warn("trigger names a tag not in the library", "problem", w)
	}
	if err := m.loadLifecycle(m.Config); err != nil {
		return UsageError{err}
	}
	ln, err := net.Listen("tcp", m.Config.Server.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", m.Config.Server.Listen, err)
	}
	m.listener = ln
	if m.Import != nil {
		m.Import.SetListening(ln.Addr().String())
	}
	if err := m.startAdmin(ctx); err != nil {
		ln.Close()
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(m.Config.Server.CallbackPath, m.Callback)
	m.IntakeAPI.Mount(mux)
	m.Import.Mount(mux)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	m.http = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	ctx, m.cancel = context.WithCancel(ctx)
	m.goRun(ctx, "http", func(context.Context) error {
		if err := m.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	m.goRun(ctx, "loop", m.Loop.Run)
	m.goRun(ctx, "outbox", m.Worker.Run)
	m.goRun(ctx, "sender", m.Sender.Run)
	m.goRun(ctx, "classify", m.IntakeWorker.Run)
	m.goRun(ctx, "suggestion expiry", m.Suggestions.Run)
	m.goRun(ctx, "lifecycle", m.Lifecycle.Run) // lifecycle.go
	m.goRun(ctx, "trigger notes", m.TriggerNotes.Run)
	if m.Config.WeCom.SyncInterval > 0 {
		m.goRun(ctx, "periodic sync", m.periodicSync)
	}
	m.goRun(ctx, "compaction", m.periodicCompact)
	m.goRun(ctx, "stats warm-up", m.Stats.Warm)
	m.goRun(ctx, "jobs", m.Jobs.Run)
	m.goRun(ctx, "daily digest", m.Todo.Run)
	m.goRun(ctx, "member departments", m.readDepartments)
	m.goRun(ctx, "resume confirmed commands", m.Router.ResumePlans) // a sentence's writes a crash cut short
	m.log.Info("tagbot started", "listen", ln.Addr().String(), "callback", m.Config.Server.CallbackPath,
		"sync_interval", m.Config.WeCom.SyncInterval)
	return nil
}

func (m *Main) goRun(ctx context.Context, name string, fn func(context.Context) error) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := fn(ctx); err != nil && !errors.Is(err, context.Canceled) {
			m.log.Error("component stopped", "component", name, "err", err)
		}
	}()
}

// Addr is the address the callback server listens on (after Start).
func (m *Main) Addr() string { return m.listener.Addr().String() }

// CallbackURL is the full callback URL on the local listener (after Start).
func (m *Main) CallbackURL() string { return "http://" + m.Addr() + m.Config.Server.CallbackPath }

// Shutdown stops accepting callbacks, lets the components finish what they
// hold (the store transaction in hand always completes), and closes the store.
func (m *Main) Shutdown(ctx context.Context) error {
	var errs []error
	if m.http != nil {
		errs = append(errs, m.http.Shutdown(ctx))
	}
	errs = append(errs, m.shutdownAdmin(ctx))
	if m.cancel != nil {
		m.cancel()
	}
	done := make(chan struct{})
	go func() { m.wg.Wait(); m.Router.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("shutdown: %w", ctx.Err()))
	}
	errs = append(errs, m.Store.Close())
	return errors.Join(errs...)
}

// SyncIfNeeded runs a full sync when the store has never synced; otherwise
// it refreshes the tag library, so tags deleted in the WeCom console while
// tagbot was down are recorded (and restorable) before it serves.
func (m *Main) SyncIfNeeded(ctx context.Context) error {
	at, err := m.Store.SyncedAt()
	if err != nil {
		return err
	}
	if !at.IsZero() {
		if deleted, err := m.Syncer.RefreshLibrary(ctx); err != nil {
			m.log.Warn("tag library not refreshed at start; the next change event will", "err", err)
		} else if len(deleted) > 0 {
			m.log.Info("tags deleted on WeCom while down", "count", len(deleted))
		}
		return nil
	}
	rep, err := m.Syncer.FullSync(ctx)
	if err != nil {
		return fmt.Errorf("first sync: %w", err)
	}
	m.log.Info("first sync done", "customers", rep.Customers, "tags", rep.Tags, "change_sets", rep.ChangeSets)
	return nil
}
