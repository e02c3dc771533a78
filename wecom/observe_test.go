package wecom

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// observed records Config.Observe's calls as "api errcode".
type observed struct {
	mu    sync.Mutex
	calls []string
}

func (o *observed) observe(api string, code int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, fmt.Sprintf("%s %d", api, code))
}

func (o *observed) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.calls)
}

// TestObserveCountsTokenFetches: a token fetch is observed as api
// "gettoken" with its errcode, once per fetch (a cached token is no
// call), and a call that could not get a token is not counted under its
// own API.
func TestObserveCountsTokenFetches(t *testing.T) {
	var bad observed
	e := newEnv(t, wecomtest.Options{}, func(c *Config) { c.Secret += "-wrong"; c.Observe = bad.observe })
	if _, err := e.c.GetFollowUserList(context.Background()); err == nil {
		t.Fatal("a wrong secret got a token")
	}
	if got, want := bad.list(), []string{"gettoken 40001"}; !slices.Equal(got, want) {
		t.Errorf("observed %q, want %q", got, want)
	}

	var good observed
	e = newEnv(t, wecomtest.Options{}, func(c *Config) { c.Observe = good.observe })
	for range 2 {
		if _, err := e.c.GetFollowUserList(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"gettoken 0", "externalcontact/get_follow_user_list 0", "externalcontact/get_follow_user_list 0"}
	if got := good.list(); !slices.Equal(got, want) {
		t.Errorf("observed %q, want %q", got, want)
	}
}
