package ops

import (
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
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
	PathBackup  = "/admin/backup" // POST: the store file, consistent (Store.Snapshot)
	PathExport  = "/admin/export" // GET ?what=…&since=…&format=…: Export's rows
	PathStatus  = "/admin/status" // GET: the outbox queue (statusview.View, JSON)
)

// AdminOptions configure the admin handler.
type AdminOptions struct {
	Store   *store.Store
	Metrics *Metrics
	Ready   *Readiness
	Logger  *slog.Logger
	// Status, when set, serves PathStatus (loopback clients only).
	Status http.Handler
}

// NewAdminHandler serves /metrics, /healthz, /readyz and, to loopback
// clients only, /admin/backup and /admin/export (the store's data leaves
// the process there: bind server.admin_listen to 127.0.0.1 anyway).
func NewAdminHandler(opts AdminOptions) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("pkg", "ops")
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
	dataRoutes(mux, opts, log, loopbackOnly)
	return mux
}

// NewSocketHandler serves /admin/backup, /admin/export and /admin/status
// on the Unix socket serve listens on beside the store: the socket's mode
// (0600) and the store's folder (0700) already keep out everyone but the
// store's owner, so there is no loopback check.
func NewSocketHandler(opts AdminOptions) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	mux := http.NewServeMux()
	dataRoutes(mux, opts, log.With("pkg", "ops"), func(h http.Handler) http.Handler { return h })
	return mux
}

// dataRoutes mounts the endpoints through which the store's data leaves
// the process, each wrapped by guard.
func dataRoutes(mux *http.ServeMux, opts AdminOptions, log *slog.Logger, guard func(http.Handler) http.Handler) {
	mux.Handle("POST "+PathBackup, guard(backupHandler(opts.Store, log)))
	mux.Handle("GET "+PathExport, guard(exportHandler(opts.Store, log)))
	if opts.Status != nil {
		mux.Handle("GET "+PathStatus, guard(opts.Status))
	}
}

// loopbackOnly refuses clients that are not on this machine: the client
// must connect from a loopback address or from the very address it
// connected to (admin_listen on one of this host's own IPs, for a remote
// Prometheus, still lets tagbot backup on the host in), and the Host header
// must name a loopback address, localhost or that address, so a web page
// that rebinds its DNS name to 127.0.0.1 cannot read the store through a
// browser on the host.
func loopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		local := localIP(r)
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		ip := net.ParseIP(host)
		if err != nil || ip == nil || !(ip.IsLoopback() || local != nil && ip.Equal(local)) || !localHost(r.Host, local) {
			http.Error(w, "local clients only", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// localIP is the address the request came in on (nil if unknown).
func localIP(r *http.Request) net.IP {
	a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return nil
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return nil
	}
	return net.ParseIP(host)
}

// localHost reports whether a Host header names this machine: localhost,
// a loopback IP or the address the request came in on.
func localHost(hostport string, local net.IP) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && (ip.IsLoopback() || local != nil && ip.Equal(local))
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
