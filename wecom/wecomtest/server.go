// Package wecomtest is an in-memory fake of the WeCom (企业微信) server API
// for tests and demos. It serves the documented JSON APIs tagbot uses under
// /cgi-bin/ on a loopback httptest server (access tokens, customer tags,
// customers, members, app messages, template-card updates and 微信客服 kf/sync_msg), records every
// call, injects faults and rate limits, and delivers real encrypted
// callbacks (via ../wxcrypt) to a callback URL.
//
// As in real WeCom, the bot's own API calls never produce callbacks: tests
// deliver them explicitly with Deliver.
package wecomtest

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wxcrypt"
)

// Options configures a fake server; zero fields take the defaults below.
type Options struct {
	// CorpID and Secret are the credentials gettoken accepts
	// (defaults "wwtestcorp" and "test-secret").
	CorpID, Secret string
	// AgentID is the app's agentid (default 1000002).
	AgentID int
	// Token and EncodingAESKey are the callback settings used by Deliver
	// (defaults are a valid pair; EncodingAESKey must be 43 characters).
	Token, EncodingAESKey string
	// TokenTTL is the access_token lifetime (default 2h, as expires_in 7200).
	TokenTTL time.Duration
	// Limits caps calls per minute per API path without the /cgi-bin/
	// prefix, e.g. {"externalcontact/mark_tag": 600}; 0 or absent = unlimited.
	// A call over the limit answers 45009.
	Limits map[string]int
	// Now is the clock for token expiry, rate limits and timestamps
	// (default time.Now).
	Now func() time.Time
}

// Default option values.
const (
	// DefaultCorpID is the corp id when Options.CorpID is empty.
	DefaultCorpID = "wwtestcorp"
	// DefaultSecret is the secret when Options.Secret is empty.
	DefaultSecret = "test-secret"
	// DefaultAgentID is the agentid when Options.AgentID is 0.
	DefaultAgentID = 1000002
	// DefaultToken is the callback Token when Options.Token is empty.
	DefaultToken = "wecomtestToken"
	// DefaultEncodingAESKey is the callback key when Options.EncodingAESKey is empty.
	DefaultEncodingAESKey = "wecomtestEncodingAESKey0123456789abcdefghij"
	// DefaultTokenTTL is the access_token lifetime when Options.TokenTTL is 0.
	DefaultTokenTTL = 2 * time.Hour
)

// withDefaults fills zero fields and copies the Limits map.
func (o Options) withDefaults() Options {
	if o.CorpID == "" {
		o.CorpID = DefaultCorpID
	}
	if o.Secret == "" {
		o.Secret = DefaultSecret
	}
	if o.AgentID == 0 {
		o.AgentID = DefaultAgentID
	}
	if o.Token == "" {
		o.Token = DefaultToken
	}
	if o.EncodingAESKey == "" {
		o.EncodingAESKey = DefaultEncodingAESKey
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = DefaultTokenTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	limits := make(map[string]int, len(o.Limits))
	for k, v := range o.Limits {
		limits[strings.TrimPrefix(k, "/cgi-bin/")] = v
	}
	o.Limits = limits
	return o
}

// Call is one recorded API call.
type Call struct {
	// Path is the API path without /cgi-bin/, e.g. "externalcontact/mark_tag".
	Path string
	// Query is the request's query string, access_token included.
	Query url.Values
	// Body is the raw request body.
	Body []byte
	// ErrCode is the errcode answered (0 for success and for non-JSON faults).
	ErrCode int
	// Status is the HTTP status answered; 0 when the connection was dropped
	// or the client went away.
	Status int
	// At is when the call arrived, by Options.Now.
	At time.Time
}

// Server is a running fake WeCom. All methods are safe for concurrent use.
type Server struct {
	opts   Options
	hs     *httptest.Server
	crypto *wxcrypt.Crypto

	mu       sync.Mutex
	rng      *rand.Rand
	seq      int
	tokens   map[string]*accessToken
	current  string
	users    []*user
	groups   []*group
	tags     map[string]*tag
	customer []*customer
	calls    []Call
	messages []Message
	cards    []json.RawMessage
	media    map[string]Media // media/upload (media.go)
	faults   map[string][]*faultState
	window   map[string][]time.Time
	kf       kfState          // 微信客服 (kf.go)
	depts    map[string][]int // user/get department ids by userid (departments.go)

	ways contactWayState // 「联系我」 and welcome messages (contactway.go)
	lim  limitState      // blocks, concurrency, latency (limits.go)
}

// New starts a fake WeCom on a loopback httptest server. It panics if
// opts.EncodingAESKey is not a valid 43-character key, like httptest does
// on setup errors.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	c, err := wxcrypt.New(opts.Token, opts.EncodingAESKey, opts.CorpID)
	if err != nil {
		panic("wecomtest: " + err.Error())
	}
	s := &Server{
		opts:   opts,
		crypto: c,
		rng:    rand.New(rand.NewPCG(20240601, 1)),
		tokens: map[string]*accessToken{},
		tags:   map[string]*tag{},
		faults: map[string][]*faultState{},
		window: map[string][]time.Time{},
		media:  map[string]Media{},
	}
	s.hs = httptest.NewServer(s)
	return s
}

// URL is the base URL to use as api_base (paths are under /cgi-bin/).
func (s *Server) URL() string { return s.hs.URL }

// Close shuts the server down, closing open connections.
func (s *Server) Close() { s.hs.Close() }

// Options returns the effective options, defaults applied.
func (s *Server) Options() Options {
	o := s.opts
	o.Limits = make(map[string]int, len(s.opts.Limits))
	for k, v := range s.opts.Limits {
		o.Limits[k] = v
	}
	return o
}

// Calls returns every API call so far, in the order they completed.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the calls to one API path (without /cgi-bin/).
func (s *Server) CallsTo(path string) []Call {
	path = strings.TrimPrefix(path, "/cgi-bin/")
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

// handler serves one API; it runs with s.mu held and returns the success
// payload (whose embedded status is set) or an error answer.
type handler func(s *Server, req *apiRequest) (any, *apiError)

// apiRequest is what a handler sees of a call.
type apiRequest struct {
	path  string
	query url.Values
	body  []byte
	now   time.Time
	// contentType is the request's Content-Type (media/upload's multipart boundary).
	contentType string
}

// route describes one API.
type route struct {
	method string
	auth   bool
	h      handler
}

// routes maps API paths (without /cgi-bin/) to their handlers.
var routes = map[string]route{
	"gettoken":                             {http.MethodGet, false, (*Server).getToken},
	"user/get":                             {http.MethodGet, true, (*Server).getUser},
	"externalcontact/get_corp_tag_list":    {http.MethodPost, true, (*Server).getCorpTagList},
	"externalcontact/add_corp_tag":         {http.MethodPost, true, (*Server).addCorpTag},
	"externalcontact/edit_corp_tag":        {http.MethodPost, true, (*Server).editCorpTag},
	"externalcontact/del_corp_tag":         {http.MethodPost, true, (*Server).delCorpTag},
	"externalcontact/mark_tag":             {http.MethodPost, true, (*Server).markTag},
	"externalcontact/get_follow_user_list": {http.MethodGet, true, (*Server).getFollowUserList},
	"externalcontact/get":                  {http.MethodGet, true, (*Server).getExternalContact},
	"externalcontact/batch/get_by_user":    {http.MethodPost, true, (*Server).batchGetByUser},
	"message/send":                         {http.MethodPost, true, (*Server).sendMessage},
	"message/update_template_card":         {http.MethodPost, true, (*Server).updateTemplateCard},
	"kf/sync_msg":                          {http.MethodPost, true, (*Server).kfSyncMsg},
	"media/upload":                         {http.MethodPost, true, (*Server).uploadMedia},
	"externalcontact/add_contact_way":      {http.MethodPost, true, (*Server).addContactWay},
	"externalcontact/del_contact_way":      {http.MethodPost, true, (*Server).delContactWay},
	"externalcontact/send_welcome_msg":     {http.MethodPost, true, (*Server).sendWelcomeMsg},
}

// maxBody bounds request bodies read by the fake: a 20 MB file upload
// and its multipart envelope.
const maxBody = 21 << 20

// ServeHTTP implements http.Handler: faults first, then authentication,
// rate limiting and the API itself.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := s.opts.Now()
	path, isAPI := strings.CutPrefix(r.URL.Path, "/cgi-bin/")
	body, _ := readBody(r)
	call := Call{Path: path, Query: r.URL.Query(), Body: body, At: now}
	if !isAPI {
		call.Path = r.URL.Path
		s.finish(w, call, http.StatusNotFound, nil)
		return
	}

	s.mu.Lock()
	f := s.pickFault(path)
	s.mu.Unlock()
	if f != nil {
		if !sleepCtx(r, f.Latency) {
			s.finish(nil, call, 0, nil)
			return
		}
		switch {
		case f.Drop:
			s.drop(w, call)
			return
		case f.ErrCode != 0:
			st := f.HTTPStatus
			if st == 0 {
				st = http.StatusOK
			}
			msg := f.ErrMsg
			if msg == "" {
				msg = apiErr(f.ErrCode, "injected fault").msg
			}
			s.finish(w, call, st, &apiError{code: f.ErrCode, msg: msg})
			return
		case f.HTTPStatus != 0:
			s.finish(w, call, f.HTTPStatus, nil)
			return
		}
	}

	rt, known := routes[path]
	if !known {
		s.finish(w, call, http.StatusNotFound, nil)
		return
	}
	leave, refused := s.admit(r, path) // limits.go: concurrency cap, latency
	defer leave()
	if refused != nil {
		s.finish(w, call, http.StatusOK, refused)
		return
	}
	s.mu.Lock()
	payload, aerr := s.serveAPI(rt, r.Method, &apiRequest{path: path, query: call.Query, body: body, now: now,
		contentType: r.Header.Get("Content-Type")})
	s.mu.Unlock()
	if aerr != nil {
		s.finish(w, call, http.StatusOK, aerr)
		return
	}
	s.finishJSON(w, call, payload)
}

// serveAPI checks method, token and rate limit, then runs the handler.
func (s *Server) serveAPI(rt route, method string, req *apiRequest) (any, *apiError) {
	if method != rt.method {
		return nil, apiErr(errcode.InvalidParam, "http method %s not allowed, use %s", method, rt.method)
	}
	if rt.auth {
		if err := s.checkToken(req.query.Get("access_token"), req.now); err != nil {
			return nil, err
		}
	}
	if aerr := s.limit(req.path, req.now); aerr != nil { // limits.go
		return nil, aerr
	}
	return rt.h(s, req)
}
