package intake

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/internal/ierr"
	"github.com/tagbot/tagbot/store"
)

// Paths of the API, served beside the WeCom callback.
const (
	MessagesPath = "/api/v1/messages"
	EventsPath   = "/api/v1/events"
)

// DefaultAPIMaxBodyBytes is the largest request body when api.max_body_bytes
// is absent: 8 MiB holds 1,000 messages of 8 KB.
const DefaultAPIMaxBodyBytes = 8 << 20

// APIOptions configure the API.
type APIOptions struct {
	// Token is the bearer token (config api.token); "" turns the API off:
	// it answers 404.
	Token string
	// MaxBodyBytes bounds a request body; DefaultAPIMaxBodyBytes when 0.
	MaxBodyBytes int64
	// Logger receives request logs (never message texts); slog.Default when nil.
	Logger *slog.Logger
}

// API serves POST /api/v1/messages and /api/v1/events: a JSON object or an
// array of up to MaxItems, validated as a whole, stored durably in one
// transaction before the 202, classified asynchronously by the Worker.
// 消息与事件接入 API。
type API struct {
	queue *Queue
	token [sha256.Size]byte
	on    bool
	max   int64
	log   *slog.Logger
}

// NewAPI returns the API over q.
func NewAPI(q *Queue, opts APIOptions) *API {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultAPIMaxBodyBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &API{queue: q, token: sha256.Sum256([]byte(opts.Token)), on: opts.Token != "", max: opts.MaxBodyBytes, log: opts.Logger.With("pkg", "intake")}
}

// Mount registers both paths on mux.
func (a *API) Mount(mux *http.ServeMux) {
	mux.Handle(MessagesPath, a.handler(store.ActivityMessage))
	mux.Handle(EventsPath, a.handler(store.ActivityEvent))
}

// acceptedBody is the 202 answer.
type acceptedBody struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
}

// errorBody is every error answer.
type errorBody struct {
	Error    string `json:"error"`
	Code     string `json:"code,omitempty"`
	Index    *int   `json:"index,omitempty"`
	Customer string `json:"customer,omitempty"`
	Employee string `json:"employee,omitempty"`
}

// handler serves one path: check → read → decode → store → answer.
func (a *API) handler(kind store.ActivityKind) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status, msg := a.check(r); status != 0 {
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="tagbot"`)
			}
			if status == http.StatusMethodNotAllowed {
				w.Header().Set("Allow", http.MethodPost)
			}
			writeJSON(w, status, errorBody{Error: msg})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.max))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				a.refuse(w, &Error{Code: CodeTooLarge, Index: -1, Message: "body larger than " + strconv.FormatInt(a.max, 10) + " bytes"})
				return
			}
			writeJSON(w, http.StatusBadRequest, errorBody{Error: "could not read the body"})
			return
		}
		accepted, dups, err := a.ingest(r.Context(), kind, body)
		var e *Error
		switch {
		case errors.As(err, &e):
			a.refuse(w, e)
		case err != nil:
			text := ierr.Report(r.Context(), a.log, "intake: store request", err, slog.String("path", r.URL.Path))
			writeJSON(w, http.StatusInternalServerError, errorBody{Error: text})
		default:
			a.log.Debug("intake: accepted", "path", r.URL.Path, "accepted", accepted, "duplicates", dups)
			writeJSON(w, http.StatusAccepted, acceptedBody{Accepted: accepted, Duplicates: dups})
		}
	})
}

// check answers 404 when the API is off, 401 without the right token, 405
// for anything but POST; 0 when the request may go on.
func (a *API) check(r *http.Request) (int, string) {
	if !a.on {
		return http.StatusNotFound, "not found"
	}
	// The scheme name is case-insensitive (RFC 9110 §11.1): "bearer x" too.
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	ok = ok && strings.EqualFold(scheme, "Bearer")
	got := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	if !ok || subtle.ConstantTimeCompare(got[:], a.token[:]) != 1 {
		return http.StatusUnauthorized, "missing or wrong token: send Authorization: Bearer <api.token>"
	}
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, "only POST"
	}
	return 0, ""
}

// ingest decodes a body of messages or events and submits it.
func (a *API) ingest(ctx context.Context, kind store.ActivityKind, body []byte) (accepted, dups int, err error) {
	items, e := decodeItems(body)
	if e != nil {
		return 0, 0, e
	}
	var msgs []classify.Message
	var events []classify.Event
	for i := range items {
		if kind == store.ActivityMessage {
			m, e := items[i].toMessage(i)
			if e != nil {
				return 0, 0, e
			}
			msgs = append(msgs, m)
			continue
		}
		ev, e := items[i].toEvent(i)
		if e != nil {
			return 0, 0, e
		}
		events = append(events, ev)
	}
	return a.queue.SubmitFrom(ctx, store.ActivityAPI, msgs, events)
}

// refuse answers a refused request with its reason.
func (a *API) refuse(w http.ResponseWriter, e *Error) {
	b := errorBody{Error: e.Message, Code: e.Code, Customer: e.Customer, Employee: e.Employee}
	if e.Index >= 0 {
		b.Index = &e.Index
	}
	a.log.Info("intake: refused", "code", e.Code, "index", e.Index, "status", e.Status())
	writeJSON(w, e.Status(), b)
}

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
