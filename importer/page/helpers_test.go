package page

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
	"github.com/tagbot/tagbot/importer"
	"github.com/tagbot/tagbot/importer/importertest"
	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/jobs"
	"github.com/tagbot/tagbot/store"
)

// fixture is the upload page on an httptest server over the importertest
// store, with a router whose admin is "admin".
type fixture struct {
	st     *store.Store
	clock  *clocktest.Clock
	srv    *Server
	router *commands.Router
	ts     *httptest.Server
	runner *jobs.Runner

	mu   sync.Mutex
	chat map[string][]string // delivered texts by user
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{clock: clocktest.New(importertest.Now), chat: map[string][]string{}}
	f.st = importertest.Open(t, f.clock.Now)
	mux := http.NewServeMux()
	f.ts = httptest.NewServer(mux)
	t.Cleanup(f.ts.Close)
	cfg := config.Default()
	cfg.Roles.Admins = []string{"admin"}
	cfg.Server.PublicURL = f.ts.URL
	f.runner = &jobs.Runner{Store: f.st, Now: f.clock.Now}
	f.srv = New(Options{Store: f.st, Config: cfg, Jobs: f.runner, Now: f.clock.Now,
		Deliver: func(_ context.Context, user string, replies []commands.Reply) {
			f.mu.Lock()
			defer f.mu.Unlock()
			for _, r := range replies {
				f.chat[user] = append(f.chat[user], r.Text)
			}
		}})
	f.runner.Handle(importer.JobKind, f.srv.JobProgress)
	var err error
	f.router, err = commands.NewRouter(commands.Options{Store: f.st, Config: cfg, Now: f.clock.Now, Extensions: []commands.Extension{f.srv}})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.SetRouter(f.router)
	f.srv.Mount(mux)
	return f
}

// link asks for an upload link as user, through /import in chat.
func (f *fixture) link(t *testing.T, user string) string {
	t.Helper()
	replies := f.router.HandleText(context.Background(), user, "/import")
	if len(replies) == 0 {
		t.Fatalf("/import from %s: no reply", user)
	}
	for _, w := range strings.Fields(replies[0].Text) {
		if i := strings.Index(w, f.ts.URL+"/import/l/"); i >= 0 {
			return strings.TrimRight(w[i:], "\n")
		}
	}
	t.Fatalf("/import reply has no link: %q", replies[0].Text)
	return ""
}

// said is everything delivered to user in chat.
func (f *fixture) said(user string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.chat[user], "\n")
}
