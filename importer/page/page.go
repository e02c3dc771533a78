// Package page serves spreadsheet import on server.listen: the one-time
// upload links /import hands out (bound to one employee and role, expiring
// after import.link_ttl), the upload page, the dry-run view with choices
// for unknown tags, the downloadable report and the confirm that submits
// the import as a durable job. Plain server-rendered HTML (html/template,
// no external assets) that works in WeCom's in-app browser. It also
// implements /import as a commands.Extension. 表格导入的上传页面与 /import 命令。
package page

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/importer"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

// Router is what the page needs of commands.Router: the tag policies of a
// user outside chat, and their role now.
type Router interface {
	ExtRequestFor(userID string, role commands.Role, now time.Time) *commands.ExtRequest
	RoleOf(userID string) commands.Role
}

// Waker wakes the job runner after a job is created (jobs.Runner).
type Waker interface{ Wake() }

// Options configure New.
type Options struct {
	Store  *store.Store
	Config *config.Config
	// Creator creates tags chosen on the page (mirror.Syncer); nil: the
	// page offers no creation.
	Creator importer.TagCreator
	// Jobs is woken after an import is confirmed.
	Jobs Waker
	// Deliver sends chat messages (the dry-run summary, the job's end).
	Deliver func(ctx context.Context, userID string, replies []commands.Reply)
	Now     func() time.Time
	Logger  *slog.Logger
}

// Server is the upload page and the /import command.
type Server struct {
	o      Options
	log    *slog.Logger
	router Router

	mu       sync.Mutex
	sessions map[string]*session // by link hash

	listening atomic.Pointer[string] // the address server.listen is bound to (SetListening)
	throttle  jobs.Throttle          // when an import's progress is due in chat (JobProgress)
}

// SetListening tells the page the address server.listen was bound to
// (e.g. 127.0.0.1:41234 for "127.0.0.1:0"): links use it when
// server.public_url is not set.
func (s *Server) SetListening(addr string) { s.listening.Store(&addr) }

// New builds the page; call SetRouter before serving.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Deliver == nil {
		o.Deliver = func(context.Context, string, []commands.Reply) {}
	}
	return &Server{o: o, log: o.Logger.With("pkg", "importer/page"), sessions: map[string]*session{}}
}

// SetRouter gives the page the router built after it.
func (s *Server) SetRouter(r Router) { s.router = r }

// Mount registers the page's routes on mux, under /import/.
func (s *Server) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /import/template.csv", s.template)
	mux.HandleFunc("GET /import/l/{token}", s.show)
	mux.HandleFunc("POST /import/l/{token}/upload", s.upload)
	mux.HandleFunc("POST /import/l/{token}/preview", s.preview)
	mux.HandleFunc("POST /import/l/{token}/confirm", s.confirm)
	mux.HandleFunc("GET /import/l/{token}/report.csv", s.report)
}

// NewLink makes a one-time upload link for user with role, valid for
// import.link_ttl, and returns its URL (on server.public_url, else on
// server.listen). The token is 32 bytes from crypto/rand; only its hash
// is stored.
func (s *Server) NewLink(user string, role commands.Role) (string, time.Time, error) {
	token, err := randomToken()
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.o.Now()
	l := store.ImportLink{User: user, Role: string(role), Created: now, Expires: now.Add(s.o.Config.Import.LinkTTL)}
	if err := s.o.Store.PutImportLink(hashOf(token), l); err != nil {
		return "", time.Time{}, err
	}
	return s.base() + "/import/l/" + token, l.Expires, nil
}

// base is the URL users reach server.listen at.
func (s *Server) base() string {
	if u := s.o.Config.Server.PublicURL; u != "" {
		return u
	}
	if a := s.listening.Load(); a != nil {
		return "http://" + *a
	}
	return "http://" + s.o.Config.Server.Listen
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("import link: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
