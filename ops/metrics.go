// Package ops is tagbot's operations side: the monitoring listener
// (server.admin_listen) with Prometheus /metrics, /healthz and /readyz, the
// online backup, export and status endpoints that `tagbot backup`,
// `export` and `status` use while serve runs (on the admin socket only),
// and the export formats themselves.
//
// Metrics are read from the store at scrape time where the store knows
// them (queue depths and ages, suggestions, file size), so they cannot
// drift from it; what only happens in passing (callbacks, WeCom calls,
// refusals, intake duplicates) is counted through narrow hooks the other
// packages expose in their Options (Metrics.ObserveCallback and friends),
// so none of them imports Prometheus.
package ops

import (
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/errcode"
)

// Metrics is tagbot's Prometheus registry (its own, not the global one)
// with the counters the hooks feed and a collector reading the store.
type Metrics struct {
	// Registry holds every tagbot metric; /metrics serves it.
	Registry *prometheus.Registry

	callbacks   *prometheus.CounterVec
	wecomCalls  *prometheus.CounterVec
	limiterWait *prometheus.HistogramVec
	outboxFail  *prometheus.CounterVec
	intake      *prometheus.CounterVec
}

// NewMetrics builds the registry over st; now is the clock for ages.
func NewMetrics(st *store.Store, now func() time.Time, log *slog.Logger) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		callbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tagbot_callbacks_total",
			Help: "WeCom callbacks by result (accepted, duplicate, verified, rejected, failed) and reason (none, or why: bad_signature, stale_timestamp, …).",
		}, []string{"result", "reason"}),
		wecomCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tagbot_wecom_calls_total",
			Help: "WeCom API call attempts by API path and errcode (0 ok, -1 no WeCom answer).",
		}, []string{"api", "errcode"}),
		limiterWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tagbot_wecom_ratelimit_wait_seconds",
			Help:    "Time WeCom calls waited for the rate limiter (a 45009 pause lasts 60 s to an hour), by API path.",
			Buckets: []float64{0.001, 0.01, 0.1, 0.5, 1, 5, 30, 60, 300, 600, 1800, 3600},
		}, []string{"api"}),
		outboxFail: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tagbot_outbox_failed_total",
			Help: "Outbox calls WeCom refused for good (taken back in the ledger), by errcode.",
		}, []string{"errcode"}),
		intake: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tagbot_intake_items_total",
			Help: "Messages and events submitted for classification, by result (accepted, duplicate).",
		}, []string{"result"}),
	}
	m.Registry.MustRegister(m.callbacks, m.wecomCalls, m.limiterWait, m.outboxFail, m.intake,
		&storeCollector{st: st, now: now, log: log},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Series that exist from the start, so increase() and rate() see
	// their first event after a restart.
	for _, code := range commonOutboxFailures {
		m.outboxFail.WithLabelValues(strconv.Itoa(code))
	}
	m.intake.WithLabelValues("accepted")
	m.intake.WithLabelValues("duplicate")
	m.wecomCalls.WithLabelValues("gettoken", "0")
	return m
}

// commonOutboxFailures are the errcodes tagbot_outbox_failed_total is
// exported for at 0 from the start: WeCom's refusals of a tag call for
// good (no relationship, unknown tag, user or customer, no permission).
var commonOutboxFailures = []int{errcode.NoRelation, errcode.InvalidTagID, errcode.InvalidExternalID,
	errcode.InvalidUserID, errcode.UnknownUserID, errcode.NoPermission, errcode.NoAPIPermission}

// InitCallbacks exports tagbot_callbacks_total at 0 for every (result,
// reason) pair (bot.CallbackLabels).
func (m *Metrics) InitCallbacks(labels [][2]string) {
	for _, l := range labels {
		m.callbacks.WithLabelValues(l[0], l[1])
	}
}

// BuildInfo registers tagbot_build_info{version} 1. Call it once.
func (m *Metrics) BuildInfo(version string) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "tagbot_build_info",
		Help:        "Always 1; the version label is the running build's.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	g.Set(1)
	m.Registry.MustRegister(g)
}

// ObserveCallback counts a callback by result and reason
// (bot.ServerOptions.Observe).
func (m *Metrics) ObserveCallback(result, reason string) {
	m.callbacks.WithLabelValues(result, reason).Inc()
}

// ObserveWeComCall counts a WeCom call and its limiter wait
// (wecom.Config.Observe).
func (m *Metrics) ObserveWeComCall(api string, errcode int, wait time.Duration) {
	m.wecomCalls.WithLabelValues(api, strconv.Itoa(errcode)).Inc()
	m.limiterWait.WithLabelValues(api).Observe(wait.Seconds())
}

// ObserveOutboxFailed counts an outbox entry refused for good
// (mirror.WorkerOptions.Failed).
func (m *Metrics) ObserveOutboxFailed(errcode int) {
	m.outboxFail.WithLabelValues(strconv.Itoa(errcode)).Inc()
}

// OutboxInFlight registers tagbot_outbox_in_flight, the WeCom calls the
// outbox worker has sent and not yet seen answered, read from inFlight at
// scrape time (mirror.Worker.Live). Call it once.
func (m *Metrics) OutboxInFlight(inFlight func() int) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "tagbot_outbox_in_flight",
		Help: "WeCom calls the outbox worker has sent and not yet seen answered.",
	}, func() float64 { return float64(inFlight()) }))
}

// ObserveIntake counts accepted and duplicate intake items
// (intake.QueueOptions.Counted).
func (m *Metrics) ObserveIntake(accepted, duplicates int) {
	m.intake.WithLabelValues("accepted").Add(float64(accepted))
	m.intake.WithLabelValues("duplicate").Add(float64(duplicates))
}

// suggestionWindow is how far back tagbot_suggestions counts.
const suggestionWindow = 30 * 24 * time.Hour

var (
	descInboxDepth  = prometheus.NewDesc("tagbot_inbox_pending", "Received callbacks not yet handled.", nil, nil)
	descInboxAge    = prometheus.NewDesc("tagbot_inbox_oldest_age_seconds", "Age of the oldest callback not yet handled (0 when none).", nil, nil)
	descOutbox      = prometheus.NewDesc("tagbot_outbox_pending", "WeCom calls still to make, by state: queued (never tried) or retrying.", []string{"state"}, nil)
	descOutboxAge   = prometheus.NewDesc("tagbot_outbox_oldest_age_seconds", "Age of the oldest pending WeCom call (0 when none).", nil, nil)
	descReplies     = prometheus.NewDesc("tagbot_replies_queued", "Replies to employees not yet sent.", nil, nil)
	descActivities  = prometheus.NewDesc("tagbot_intake_pending", "Received messages and events not yet classified.", nil, nil)
	descSuggestions = prometheus.NewDesc("tagbot_suggestions", "Suggestions made in the last 30 days, by status.", []string{"status"}, nil)
	descStoreSize   = prometheus.NewDesc("tagbot_store_file_bytes", "Size of the store file.", nil, nil)
	descScrapeError = prometheus.NewDesc("tagbot_store_scrape_error", "1 when the store could not be read for this scrape.", nil, nil)
)

// storeCollector reads the store's queues at scrape time.
type storeCollector struct {
	st  *store.Store
	now func() time.Time
	log *slog.Logger
}

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descInboxDepth, descInboxAge, descOutbox, descOutboxAge, descReplies,
		descActivities, descSuggestions, descStoreSize, descScrapeError} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	now := c.now()
	gauge(descStoreSize, float64(c.st.FileSize()))
	counts, err := c.st.OpsCounts()
	if err != nil {
		c.log.Warn("metrics: store counts not read", "err", err)
		gauge(descScrapeError, 1)
		return
	}
	gauge(descInboxDepth, float64(counts.InboxPending))
	gauge(descInboxAge, age(now, counts.InboxOldest))
	gauge(descOutbox, float64(counts.OutboxPending-counts.OutboxRetrying), "queued")
	gauge(descOutbox, float64(counts.OutboxRetrying), "retrying")
	gauge(descOutboxAge, age(now, counts.OutboxOldest))
	gauge(descReplies, float64(counts.RepliesQueued))
	gauge(descActivities, float64(counts.ActivitiesPending))
	stats, err := c.st.SuggestionStats(now.Add(-suggestionWindow))
	if err != nil {
		c.log.Warn("metrics: suggestions not read", "err", err)
		gauge(descScrapeError, 1)
		return
	}
	byStatus := map[store.SuggestionStatus]int{}
	for _, perRule := range stats {
		for st, n := range perRule {
			byStatus[st] += n
		}
	}
	for _, st := range []store.SuggestionStatus{store.SuggestionPending, store.SuggestionConfirmed, store.SuggestionPartial,
		store.SuggestionRejected, store.SuggestionExpired, store.SuggestionDropped} {
		gauge(descSuggestions, float64(byStatus[st]), string(st))
	}
	gauge(descScrapeError, 0)
}

// age is the seconds since t, 0 for the zero time.
func age(now, t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return max(now.Sub(t).Seconds(), 0)
}
