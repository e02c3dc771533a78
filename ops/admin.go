package ops

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
)

// Admin endpoint paths.
const (
	PathMetrics = "/metrics"
	PathHealthz = "/healthz"
	PathReadyz  = "/readyz"
	// The data paths, served on the admin socket only (NewSocketHandler).
	PathBackup = "/admin/backup" // POST: the store file, consistent (Store.Snapshot)
	PathExport = "/admin/export" // GET ?what=…&since=…&format=…: Export's rows
	PathStatus = "/admin/status" // GET: the outbox queue (statusview.View, JSON)
)

// AdminOptions configure the admin handler.
type AdminOptions struct {
	Store   *store.Store
	Metrics *Metrics
	Ready   *Readiness
	// Logger is the root logger; the handlers name pkg=ops themselves.
	Logger *slog.Logger
	// Status, when set, serves PathStatus (socket only).
	Status http.Handler
}

// noDataHere is what the TCP admin listener answers on the data paths.
const noDataHere = "not here: backup, export and status are served only on the admin socket beside the store; " +
	"run tagbot backup, export or status on this host as the store's owner\n"

// NewAdminHandler serves /metrics, /healthz and /readyz, for
// server.admin_listen. It serves none of the store's data: any local user
// can connect to a TCP port, and a reverse proxy that exposes /metrics
// would expose the rest too, so /admin/… answers 404 here with a pointer
// to the admin socket (NewSocketHandler), which checks who connects.
func NewAdminHandler(opts AdminOptions) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+PathMetrics, promhttp.HandlerFor(opts.Metrics.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET "+PathHealthz, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET "+PathReadyz, func(w http.ResponseWriter, r *http.Request) {
		rep := opts.Ready.Check(r.Context())
		w.Header().Set("Content-Type", "application/json")
		if !rep.Ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(rep)
	})
	mux.HandleFunc("/admin/", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, noDataHere, http.StatusNotFound)
	})
	return mux
}

// NewSocketHandler serves /admin/backup, /admin/export and /admin/status,
// the endpoints through which the store's data leaves the process, on the
// Unix socket serve listens on beside the store: the socket's mode (0600),
// the private folder it is made in and its accept check (the peer's user
// id) keep out everyone but the store's owner and root.
func NewSocketHandler(opts AdminOptions) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("pkg", "ops")
	mux := http.NewServeMux()
	mux.Handle("POST "+PathBackup, backupHandler(opts.Store, log))
	mux.Handle("GET "+PathExport, exportHandler(opts.Store, log))
	if opts.Status != nil {
		mux.Handle("GET "+PathStatus, opts.Status)
	}
	return mux
}

// backupHandler streams a consistent copy of the store file, with its
// length, so a client can tell a whole copy from a cut one.
func backupHandler(st *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sn, err := st.Snapshot()
		if err != nil {
			log.Error("backup: snapshot", "err", err)
			http.Error(w, "snapshot failed (see the serve log)", http.StatusInternalServerError)
			return
		}
		defer sn.Close()
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.FormatInt(sn.Size, 10))
		n, err := sn.WriteTo(w)
		if err != nil {
			log.Warn("backup: copy cut short", "bytes", n, "err", err)
			return
		}
		log.Info("backup sent", "bytes", n, "took", time.Since(start).Round(time.Millisecond))
	})
}

// exportHandler streams Export's rows. A failure after the first byte can
// only cut the stream: the client sees no trailer "X-Tagbot-Export: ok".
func exportHandler(st *store.Store, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query()
		q, err := ParseExportQuery(v.Get("what"), v.Get("since"), v.Get("format"), config.ChinaZone)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Trailer", TrailerExport)
		w.Header().Set("Content-Type", contentType(q.Format))
		if err := Export(w, st, q); err != nil {
			log.Error("export cut short", "what", q.What, "err", err)
			return
		}
		w.Header().Set(TrailerExport, "ok")
	})
}

// TrailerExport is the HTTP trailer /admin/export sets to "ok" after the
// last row; its absence means the export was cut short.
const TrailerExport = "X-Tagbot-Export"

func contentType(format string) string {
	if format == FormatCSV {
		return "text/csv; charset=utf-8"
	}
	return "application/x-ndjson"
}
