// Package bot is tagbot's WeCom side of a conversation: the callback server
// (URL verification, signature and timestamp checks, decryption, durable
// inbox before the answer), the message loop that dispatches stored
// callbacks to the command handler and the refresher, and the Sender that
// delivers replies within WeCom's per-member message limits.
//
// 企业微信回调服务、消息循环与限流发送。
package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/wxcrypt"
)

// ServerOptions configures the callback server.
type ServerOptions struct {
	// Crypto holds the callback Token, EncodingAESKey and corp id (receiveid).
	Crypto *wxcrypt.Crypto
	// Store receives every accepted callback in its inbox before the answer.
	Store *store.Store
	// Path is the callback path (config server.callback_path); "" accepts any path.
	Path string
	// TimestampWindow rejects callbacks whose timestamp is further than this
	// from Now (config server.timestamp_window); 0 disables the check.
	TimestampWindow time.Duration
	// MaxBodyBytes bounds the POST body (config server.max_body_bytes);
	// 0 means config.DefaultMaxBodyBytes, the one default.
	MaxBodyBytes int64
	// Wake is called after a new callback is stored (usually Loop.Wake).
	Wake func()
	// Now is the clock for the timestamp check (time.Now when nil).
	Now func() time.Time
	// Logger receives request logs (slog.Default when nil).
	Logger *slog.Logger
	// Observe, when set, is told the outcome of every request as a result
	// ("accepted", "duplicate", "verified" for a URL check, "rejected", or
	// "failed" when storing failed) and a snake_case reason ("none" unless
	// rejected or failed; e.g. "bad_signature"): labels for metrics, all
	// listed by CallbackLabels. It must not block.
	Observe func(result, reason string)
}

// Server is the WeCom callback endpoint (接收消息服务器): GET answers the URL
// verification, POST decrypts a callback and stores it in the durable inbox
// before answering 200 with an empty body. It implements http.Handler.
type Server struct {
	opts      ServerOptions
	log       *slog.Logger
	rejectLog *logThrottle // bounds "callback rejected" warnings (4xx)
	failLog   *logThrottle // bounds "callback rejected" errors (5xx), apart from the 4xx
}

// NewServer returns a callback server. It panics if Crypto or Store is nil.
func NewServer(opts ServerOptions) *Server {
	if opts.Crypto == nil || opts.Store == nil {
		panic("bot: NewServer needs Crypto and Store")
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = config.DefaultMaxBodyBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{opts: opts, log: opts.Logger.With("pkg", "bot")}
	s.rejectLog = newLogThrottle(rejectLogRate, rejectLogBurst, s.suppressedReport(slog.LevelWarn))
	s.failLog = newLogThrottle(rejectLogRate, rejectLogBurst, s.suppressedReport(slog.LevelError))
	return s
}

// suppressedReport logs, at level, how many rejection lines a throttle
// left out since its last line (called by the throttle's timer).
func (s *Server) suppressedReport(level slog.Level) func(int) {
	return func(n int) {
		s.log.LogAttrs(context.Background(), level, "callback rejections not logged", slog.Int("suppressed", n))
	}
}

// rejection is a request refused with an HTTP status and a log reason
// (and, for a failure on our side, the error).
type rejection struct {
	status int
	reason string
	err    error
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.opts.Path != "" && r.URL.Path != s.opts.Path {
		http.NotFound(w, r)
		return
	}
	var rej *rejection
	switch r.Method {
	case http.MethodGet:
		rej = s.verifyURL(w, r)
	case http.MethodPost:
		rej = s.receive(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		rej = &rejection{http.StatusMethodNotAllowed, "method not allowed", nil}
	}
	if rej != nil {
		s.observeRejection(rej)
		s.logRejection(r, rej)
		http.Error(w, http.StatusText(rej.status), rej.status)
	}
}

// logRejection logs a rejected request, at most a few lines a second (see
// logThrottle); lines left out are counted in "suppressed", by the next
// line or, within logFlushAfter, by a line of their own. A failure on our
// side (5xx) is an error, throttled apart from the rest (warnings), so a
// flood of forged requests cannot hide it.
func (s *Server) logRejection(r *http.Request, rej *rejection) {
	th := s.rejectLog
	if rej.status >= http.StatusInternalServerError {
		th = s.failLog
	}
	ok, suppressed := th.allow(s.opts.Now())
	if !ok {
		return
	}
	attrs := []slog.Attr{slog.String("method", r.Method), slog.Int("status", rej.status),
		slog.String("reason", rej.reason), slog.String("remote", r.RemoteAddr)}
	if rej.err != nil {
		attrs = append(attrs, slog.String("err", rej.err.Error()))
	}
	if suppressed > 0 {
		attrs = append(attrs, slog.Int("suppressed", suppressed))
	}
	level := slog.LevelWarn
	if rej.status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	s.log.LogAttrs(r.Context(), level, "callback rejected", attrs...)
}

// query holds the signed query parameters of a callback.
type query struct{ signature, timestamp, nonce string }

// parseQuery reads msg_signature, timestamp and nonce and checks the
// timestamp window.
func (s *Server) parseQuery(r *http.Request) (query, *rejection) {
	v := r.URL.Query()
	q := query{v.Get("msg_signature"), v.Get("timestamp"), v.Get("nonce")}
	if q.signature == "" || q.timestamp == "" || q.nonce == "" {
		return q, &rejection{http.StatusBadRequest, "missing msg_signature, timestamp or nonce", nil}
	}
	ts, err := strconv.ParseInt(q.timestamp, 10, 64)
	if err != nil {
		return q, &rejection{http.StatusBadRequest, "timestamp is not a number", nil}
	}
	if w := s.opts.TimestampWindow; w > 0 {
		if d := s.opts.Now().Sub(time.Unix(ts, 0)); d > w || d < -w {
			return q, &rejection{http.StatusForbidden, "timestamp outside the window", nil}
		}
	}
	return q, nil
}

// cryptoRejection maps a wxcrypt error to a status.
func cryptoRejection(err error) *rejection {
	switch {
	case errors.Is(err, wxcrypt.ErrSignature):
		return &rejection{http.StatusForbidden, "signature mismatch", nil}
	case errors.Is(err, wxcrypt.ErrReceiverID):
		return &rejection{http.StatusForbidden, "corp id mismatch", nil}
	default:
		return &rejection{http.StatusBadRequest, "cannot decrypt: " + err.Error(), nil}
	}
}

// verifyURL answers WeCom's GET URL verification with the plain echostr.
func (s *Server) verifyURL(w http.ResponseWriter, r *http.Request) *rejection {
	q, rej := s.parseQuery(r)
	if rej != nil {
		return rej
	}
	// A literal '+' of the base64 echostr arrives as a space when the
	// sender did not percent-encode it; base64 never contains spaces.
	echostr := strings.ReplaceAll(r.URL.Query().Get("echostr"), " ", "+")
	if echostr == "" {
		return &rejection{http.StatusBadRequest, "missing echostr", nil}
	}
	plain, err := s.opts.Crypto.VerifyURL(q.signature, q.timestamp, q.nonce, echostr)
	if err != nil {
		return cryptoRejection(err)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(plain)
	s.observe(ResultVerified, reasonNone)
	s.log.Info("callback url verified", "remote", r.RemoteAddr)
	return nil
}

// receive handles a POSTed callback: verify, decrypt, parse, store, answer.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) *rejection {
	q, rej := s.parseQuery(r)
	if rej != nil {
		return rej
	}
	if r.ContentLength > s.opts.MaxBodyBytes {
		return &rejection{http.StatusRequestEntityTooLarge, "body too large", nil}
	}
	body, err := readBody(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes), r.ContentLength)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &rejection{http.StatusRequestEntityTooLarge, "body too large", nil}
		}
		return &rejection{http.StatusBadRequest, "cannot read body", nil}
	}
	env, err := wxcrypt.ParseEnvelope(body)
	if err != nil {
		return &rejection{http.StatusBadRequest, "malformed envelope", nil}
	}
	corp := s.opts.Crypto.ReceiverID()
	if env.ToUserName != "" && env.ToUserName != corp {
		return &rejection{http.StatusForbidden, "envelope ToUserName is not our corp id", nil}
	}
	plain, err := s.opts.Crypto.DecryptEnvelope(q.signature, q.timestamp, q.nonce, env)
	if err != nil {
		return cryptoRejection(err)
	}
	msg, err := ParseMessage(plain)
	if err != nil {
		// XML errors may quote bits of the body: details at debug only.
		s.log.Debug("malformed callback message", "err", err)
		return &rejection{http.StatusBadRequest, "malformed message", nil}
	}
	if msg.ToUserName != "" && msg.ToUserName != corp {
		return &rejection{http.StatusForbidden, "message ToUserName is not our corp id", nil}
	}
	key := msg.DedupKey()
	id, dup, err := s.opts.Store.InboxPutOrdered(key, orderOf(msg), plain)
	if err != nil {
		return &rejection{http.StatusInternalServerError, "callback not stored", err}
	}
	w.WriteHeader(http.StatusOK)
	if dup {
		s.observe(ResultDuplicate, reasonNone)
		s.log.Debug("duplicate callback ignored", "key", key)
		return nil
	}
	s.observe(ResultAccepted, reasonNone)
	if s.log.Enabled(r.Context(), slog.LevelDebug) { // spare the arguments' boxing on every callback
		s.log.Debug("callback stored", "inbox", id, "key", key, "msgtype", msg.MsgType, "event", msg.Event)
	}
	if s.opts.Wake != nil {
		s.opts.Wake()
	}
	return nil
}

// bodyPrealloc bounds the buffer readBody sizes from Content-Length: a
// WeCom callback is about a kilobyte, and a client announcing a large body
// it never sends must not make the server allocate it up front.
const bodyPrealloc = 16 << 10

// readBody reads r to its end, like io.ReadAll, into a buffer sized for
// contentLength (the request's; -1 if unknown, at most bodyPrealloc used),
// so an ordinary callback is read without growing the buffer.
func readBody(r io.Reader, contentLength int64) ([]byte, error) {
	size := min(max(contentLength, 512), bodyPrealloc)
	b := make([]byte, 0, size+1) // +1: the EOF is read without growing
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if errors.Is(err, io.EOF) {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// Rejected callbacks are logged through a logThrottle: a flood of forged,
// stale or oversized requests (an attacker, a misconfigured proxy, a WeCom
// retry storm while the store is full) costs a few log lines a second, not
// one per request, and how many were left out is logged within
// logFlushAfter, also when the flood has stopped.
const (
	// rejectLogRate is how many rejection lines a second are logged once
	// the burst is spent.
	rejectLogRate = 2
	// rejectLogBurst is how many rejection lines may be logged at once.
	rejectLogBurst = 5
	// logFlushAfter is how soon after a line is first left out the count
	// of left-out lines is logged (unless a line let through took it).
	logFlushAfter = time.Second
)

// logThrottle lets log lines through at a bounded rate and counts the lines
// it holds back. When it first holds one back it arms one timer (one per
// throttle, not per request): after logFlushAfter, report gets the count
// still pending. It is safe for concurrent use.
type logThrottle struct {
	mu         sync.Mutex
	lim        *rate.Limiter
	suppressed int
	armed      bool          // a flush timer is pending
	report     func(int)     // logs a pending count; nil: counts go to the next line only
	afterFunc  afterFuncFunc // time.AfterFunc; tests replace it
}

// afterFuncFunc runs f once after d (the shape of time.AfterFunc).
type afterFuncFunc func(d time.Duration, f func())

// newLogThrottle allows perSecond lines a second after a burst of burst;
// report (if not nil) logs a count of held-back lines no later line took.
func newLogThrottle(perSecond float64, burst int, report func(int)) *logThrottle {
	return &logThrottle{lim: rate.NewLimiter(rate.Limit(perSecond), burst), report: report,
		afterFunc: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
}

// flush hands the pending count to report (the timer's work).
func (t *logThrottle) flush() {
	t.mu.Lock()
	n := t.suppressed
	t.suppressed, t.armed = 0, false
	t.mu.Unlock()
	if n > 0 && t.report != nil {
		t.report(n)
	}
}

// allow reports whether a line may be logged at now. When it may,
// suppressed is how many lines were held back since the last one allowed
// (and the count starts again from zero).
func (t *logThrottle) allow(now time.Time) (ok bool, suppressed int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.lim.AllowN(now, 1) {
		t.suppressed++
		if !t.armed && t.report != nil {
			t.armed = true
			t.afterFunc(logFlushAfter, t.flush)
		}
		return false, 0
	}
	suppressed, t.suppressed = t.suppressed, 0
	return true, suppressed
}
