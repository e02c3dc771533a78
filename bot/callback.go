// Package bot is tagbot's WeCom side of a conversation: the callback server
// (URL verification, signature and timestamp checks, decryption, durable
// inbox before the answer), the message loop that dispatches stored
// callbacks to the command handler and the refresher, and the Sender that
// delivers replies within WeCom's per-member message limits.
//
// 企业微信回调服务、消息循环与限流发送。
package bot

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/wxcrypt"
)

// DefaultMaxBodyBytes bounds a callback body when ServerOptions.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 64 << 10

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
	// 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Wake is called after a new callback is stored (usually Loop.Wake).
	Wake func()
	// Now is the clock for the timestamp check (time.Now when nil).
	Now func() time.Time
	// Logger receives request logs (slog.Default when nil).
	Logger *slog.Logger
}

// Server is the WeCom callback endpoint (接收消息服务器): GET answers the URL
// verification, POST decrypts a callback and stores it in the durable inbox
// before answering 200 with an empty body. It implements http.Handler.
type Server struct {
	opts ServerOptions
	log  *slog.Logger
}

// NewServer returns a callback server. It panics if Crypto or Store is nil.
func NewServer(opts ServerOptions) *Server {
	if opts.Crypto == nil || opts.Store == nil {
		panic("bot: NewServer needs Crypto and Store")
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Server{opts: opts, log: opts.Logger.With("pkg", "bot")}
}

// rejection is a request refused with an HTTP status and a log reason.
type rejection struct {
	status int
	reason string
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
		rej = &rejection{http.StatusMethodNotAllowed, "method not allowed"}
	}
	if rej != nil {
		s.log.Warn("callback rejected", "method", r.Method, "status", rej.status,
			"reason", rej.reason, "remote", r.RemoteAddr)
		http.Error(w, http.StatusText(rej.status), rej.status)
	}
}

// query holds the signed query parameters of a callback.
type query struct{ signature, timestamp, nonce string }

// parseQuery reads msg_signature, timestamp and nonce and checks the
// timestamp window.
func (s *Server) parseQuery(r *http.Request) (query, *rejection) {
	v := r.URL.Query()
	q := query{v.Get("msg_signature"), v.Get("timestamp"), v.Get("nonce")}
	if q.signature == "" || q.timestamp == "" || q.nonce == "" {
		return q, &rejection{http.StatusBadRequest, "missing msg_signature, timestamp or nonce"}
	}
	ts, err := strconv.ParseInt(q.timestamp, 10, 64)
	if err != nil {
		return q, &rejection{http.StatusBadRequest, "timestamp is not a number"}
	}
	if w := s.opts.TimestampWindow; w > 0 {
		if d := s.opts.Now().Sub(time.Unix(ts, 0)); d > w || d < -w {
			return q, &rejection{http.StatusForbidden, "timestamp outside the window"}
		}
	}
	return q, nil
}

// cryptoRejection maps a wxcrypt error to a status.
func cryptoRejection(err error) *rejection {
	switch {
	case errors.Is(err, wxcrypt.ErrSignature):
		return &rejection{http.StatusForbidden, "signature mismatch"}
	case errors.Is(err, wxcrypt.ErrReceiverID):
		return &rejection{http.StatusForbidden, "corp id mismatch"}
	default:
		return &rejection{http.StatusBadRequest, "cannot decrypt: " + err.Error()}
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
		return &rejection{http.StatusBadRequest, "missing echostr"}
	}
	plain, err := s.opts.Crypto.VerifyURL(q.signature, q.timestamp, q.nonce, echostr)
	if err != nil {
		return cryptoRejection(err)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(plain)
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
		return &rejection{http.StatusRequestEntityTooLarge, "body too large"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &rejection{http.StatusRequestEntityTooLarge, "body too large"}
		}
		return &rejection{http.StatusBadRequest, "cannot read body"}
	}
	env, err := wxcrypt.ParseEnvelope(body)
	if err != nil {
		return &rejection{http.StatusBadRequest, "malformed envelope"}
	}
	corp := s.opts.Crypto.ReceiverID()
	if env.ToUserName != "" && env.ToUserName != corp {
		return &rejection{http.StatusForbidden, "envelope ToUserName is not our corp id"}
	}
	plain, err := s.opts.Crypto.Decrypt(q.signature, q.timestamp, q.nonce, body)
	if err != nil {
		return cryptoRejection(err)
	}
	msg, err := ParseMessage(plain)
	if err != nil {
		// XML errors may quote bits of the body: details at debug only.
		s.log.Debug("malformed callback message", "err", err)
		return &rejection{http.StatusBadRequest, "malformed message"}
	}
	if msg.ToUserName != "" && msg.ToUserName != corp {
		return &rejection{http.StatusForbidden, "message ToUserName is not our corp id"}
	}
	key := msg.DedupKey()
	id, dup, err := s.opts.Store.InboxPutOrdered(key, orderOf(msg), plain)
	if err != nil {
		s.log.Error("callback not stored", "err", err, "key", key)
		return &rejection{http.StatusInternalServerError, "store failed"}
	}
	w.WriteHeader(http.StatusOK)
	if dup {
		s.log.Debug("duplicate callback ignored", "key", key)
		return nil
	}
	s.log.Debug("callback stored", "inbox", id, "key", key, "msgtype", msg.MsgType, "event", msg.Event)
	if s.opts.Wake != nil {
		s.opts.Wake()
	}
	return nil
}
