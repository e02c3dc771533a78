package wecom

import (
	"context"
	"sync"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"
)

// tokenCache is the Client's private token cache: a cache.Memory that
// remembers which keys the SDK wrote so a bad token can be dropped without
// depending on the SDK's cache-key format.
type tokenCache struct {
	*cache.Memory
	mu   sync.Mutex
	keys map[string]struct{}
	// fetched, when set, is called on every Set: the SDK stores a token
	// only after fetching it.
	fetched func()
}

func newTokenCache() *tokenCache {
	return &tokenCache{Memory: cache.NewMemory(), keys: map[string]struct{}{}}
}

// Set records key and stores the value.
func (c *tokenCache) Set(key string, val interface{}, timeout time.Duration) error {
	c.mu.Lock()
	c.keys[key] = struct{}{}
	c.mu.Unlock()
	if c.fetched != nil {
		c.fetched()
	}
	return c.Memory.Set(key, val, timeout)
}

// dropValue deletes every recorded key whose value is token and reports
// whether anything was deleted. Comparing values means a goroutine holding
// a stale token never drops a fresh one fetched by another goroutine.
func (c *tokenCache) dropValue(token string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	dropped := false
	for k := range c.keys {
		if v, ok := c.Get(k).(string); ok && v == token {
			_ = c.Delete(k)
			dropped = true
		}
	}
	return dropped
}

// tokenHandle is the Client's credential.AccessTokenContextHandle: the SDK's
// WorkAccessToken over a private cache, registering every token it hands out
// with the router so SDK-built URLs carrying it reach the right base.
type tokenHandle struct {
	sdk   credential.AccessTokenContextHandle
	cache *tokenCache
	base  string

	mu   sync.Mutex
	last string
	// observe, when set, is told of every token fetch as api "gettoken"
	// (Config.Observe); a token served from the cache is no call.
	observe func(api string, errcode int, limiterWait time.Duration)
}

// apiGetToken is the API name token fetches are observed under.
const apiGetToken = "gettoken"

var _ credential.AccessTokenContextHandle = (*tokenHandle)(nil)

func newTokenHandle(corpID, secret string, agentID string, base string,
	observe func(api string, errcode int, limiterWait time.Duration)) *tokenHandle {
	c := newTokenCache()
	if observe != nil {
		c.fetched = func() { observe(apiGetToken, 0, 0) }
	}
	return &tokenHandle{
		sdk:     credential.NewWorkAccessToken(corpID, secret, agentID, credential.CacheKeyWorkPrefix, c),
		cache:   c,
		base:    base,
		observe: observe,
	}
}

// GetAccessToken returns a cached token or fetches a new one.
func (h *tokenHandle) GetAccessToken() (string, error) {
	return h.GetAccessTokenContext(context.Background())
}

// GetAccessTokenContext returns a cached token or fetches a new one with ctx.
func (h *tokenHandle) GetAccessTokenContext(ctx context.Context) (string, error) {
	tok, err := h.sdk.GetAccessTokenContext(ctx)
	if err != nil {
		// Only a fetch fails: a cached token is returned as is.
		err = convertErr(apiGetToken, err)
		if h.observe != nil {
			h.observe(apiGetToken, observedCode(err), 0)
		}
		return "", err
	}
	h.mu.Lock()
	if tok != h.last {
		if h.last != "" {
			routes.removeToken(h.last)
		}
		routes.addToken(tok, h.base)
		h.last = tok
	}
	h.mu.Unlock()
	return tok, nil
}

// invalidate drops token from the cache (if still cached) so the next
// GetAccessTokenContext fetches a fresh one.
func (h *tokenHandle) invalidate(token string) bool {
	dropped := h.cache.dropValue(token)
	h.mu.Lock()
	if h.last == token {
		routes.removeToken(token)
		h.last = ""
	}
	h.mu.Unlock()
	return dropped
}

// observedCode is err's errcode for Config.Observe: 0 for success, -1 for
// a failure WeCom did not answer with an errcode.
func observedCode(err error) int {
	if err == nil {
		return 0
	}
	if code := Code(err); code != 0 {
		return code
	}
	return -1
}

// TokenReady reports whether an access token can be had: the cached one
// while it is valid, else one fetched now. For readiness probes, which
// should cache the answer themselves (a refusing WeCom is asked again on
// every call). 检查能否取得 access token。
func (c *Client) TokenReady(ctx context.Context) error {
	return c.withTimeout(ctx, func(ctx context.Context) error {
		_, err := c.tok.GetAccessTokenContext(ctx)
		return err
	})
}
