package wecom

// Routing of SDK requests to the configured api_base.
//
// The silenceper SDK hard-codes https://qyapi.weixin.qq.com in every URL it
// builds (gettoken included) and only offers two process-global hooks:
// util.SetURIModifier and util.DefaultHTTPClient. Tests run several fake
// WeCom servers in one process, each with its own Client, so a single
// modifier must send every request to the right server. It is installed
// once (sync.Once) by the first New and works like this:
//
//   - URLs that do not start with DefaultAPIBase are left alone. The Client
//     builds its own request URLs from its configured base, so they never
//     need rewriting; only URLs the SDK built are rewritten.
//   - a URL carrying access_token=T is sent to the base registered for T.
//     Every token the Client's token handle hands out is registered with
//     that Client's base (and unregistered when it is dropped or replaced),
//     so SDK clients obtained through Client.SDK route correctly too;
//   - a cgi-bin/gettoken URL is sent to the base registered for its
//     (corpid, sha256(corpsecret)) pair, registered by New;
//   - anything else goes to the base of the most recently created Client.
//
// Limitation: two fakes sharing both corpid and secret in one process cannot
// be told apart for gettoken; give each fake a distinct secret.
//
// util.DefaultHTTPClient is replaced (once) by a client with a 10 s timeout;
// the per-Client Config.HTTPTimeout is applied as a context deadline on each
// request instead, because the HTTP client is shared.

import (
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// DefaultAPIBase 是企业微信服务端 API 的正式地址（SDK 写死的地址）。
const DefaultAPIBase = "https://qyapi.weixin.qq.com"

// sharedHTTPTimeout bounds every SDK request made through util.DefaultHTTPClient.
const sharedHTTPTimeout = 10 * time.Second

type credKey struct {
	corpID     string
	secretHash [sha256.Size]byte
}

type router struct {
	mu     sync.RWMutex
	tokens map[string]string  // access token -> base
	creds  map[credKey]string // (corpid, secret hash) -> base
	last   string             // base of the most recently created Client
}

var (
	routes      = &router{tokens: map[string]string{}, creds: map[credKey]string{}}
	installOnce sync.Once
)

// installGlobals sets the SDK's process-global URI modifier and HTTP client.
func installGlobals() {
	installOnce.Do(func() {
		util.DefaultHTTPClient = &http.Client{Timeout: sharedHTTPTimeout}
		util.SetURIModifier(routes.rewrite)
	})
}

func newCredKey(corpID, secret string) credKey {
	return credKey{corpID: corpID, secretHash: sha256.Sum256([]byte(secret))}
}

// addClient registers the gettoken route of a Client and makes its base the fallback.
func (r *router) addClient(corpID, secret, base string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.creds[newCredKey(corpID, secret)] = base
	r.last = base
}

func (r *router) addToken(token, base string) {
	if token == "" {
		return
	}
	r.mu.Lock()
	r.tokens[token] = base
	r.mu.Unlock()
}

func (r *router) removeToken(token string) {
	r.mu.Lock()
	delete(r.tokens, token)
	r.mu.Unlock()
}

// baseFor returns the base a default-host URL must be sent to.
func (r *router) baseFor(u *url.URL) string {
	q := u.Query()
	r.mu.RLock()
	defer r.mu.RUnlock()
	if tok := q.Get("access_token"); tok != "" {
		if b, ok := r.tokens[tok]; ok {
			return b
		}
	}
	if strings.HasSuffix(u.Path, "/gettoken") {
		if b, ok := r.creds[newCredKey(q.Get("corpid"), q.Get("corpsecret"))]; ok {
			return b
		}
	}
	return r.last
}

// rewrite is the util.URIModifier installed by installGlobals.
func (r *router) rewrite(uri string) string {
	if !strings.HasPrefix(uri, DefaultAPIBase+"/") {
		return uri
	}
	u, err := url.Parse(uri)
	if err != nil {
		return uri
	}
	base := r.baseFor(u)
	if base == "" || base == DefaultAPIBase {
		return uri
	}
	return base + strings.TrimPrefix(uri, DefaultAPIBase)
}
