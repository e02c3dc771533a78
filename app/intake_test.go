package app

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// wordRule suggests 高意向 for a customer's message containing 色号.
type wordRule struct{}

func (wordRule) Classify(_ context.Context, in classify.Input, _ classify.Facts) ([]classify.Match, error) {
	if in.Message == nil || in.Message.From != classify.FromCustomer || !strings.Contains(in.Message.Text, "色号") {
		return nil, nil
	}
	return []classify.Match{{Source: classify.SourceRule, Rule: "色号", Tags: []string{"高意向"}, Mode: classify.ModeSuggest, Score: 1}}, nil
}

// offerRecorder records offers as "ref→follower:text".
type offerRecorder struct {
	mu  sync.Mutex
	got []string
}

func (r *offerRecorder) Offer(_ context.Context, o classify.Offer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, o.Ref+"→"+o.Follower+":"+o.Input.Message.Text)
	return nil
}

func (r *offerRecorder) wait(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		got := slices.Clone(r.got)
		r.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			slices.Sort(got)
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// kfSyncBodies are the bodies of the kf/sync_msg calls, in order.
func kfSyncBodies(t *testing.T, fake *wecomtest.Server) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, c := range fake.CallsTo("kf/sync_msg") {
		var b map[string]any
		if err := json.Unmarshal(c.Body, &b); err != nil {
			t.Fatal(err)
		}
		out = append(out, map[string]any{"cursor": b["cursor"], "token": b["token"] != "", "open_kfid": b["open_kfid"]})
	}
	return out
}

// The kf path: callback → sync_msg with the token, page after page with the
// cursor kept in the store → activities → offers to every follower; the
// next callback continues from the stored cursor.
func TestKFCallbackToOffers(t *testing.T) {
	fake, cfg := fakeCompany(t)
	cfg.KF.Enabled = true
	rec := &offerRecorder{}
	m, err := New(cfg, Options{Logger: discard(), Classifier: wordRule{}, Offerer: rec})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := m.SyncIfNeeded(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown(context.Background()) })
	fake.SetKFPageSize(2)
	add := func(origin int, servicer, typ, text string) {
		fake.AddKFMessage(wecomtest.KFMessage{OpenKfID: "wkShop", ExternalUserID: "wmDemo0001", ServicerUserID: servicer, Origin: origin, MsgType: typ, Text: text})
	}
	add(3, "", "", "这个色号多少钱")
	add(5, "zhangsan", "", "色号 01 有货")
	add(3, "", "image", "")
	add(3, "", "", "色号还有吗")
	deliver := func() {
		resp, err := fake.Deliver(ctx, m.CallbackURL(), fake.CallbackKF("wkShop"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	deliver()
	want := []string{"act:1→lisi:这个色号多少钱", "act:1→zhangsan:这个色号多少钱", "act:3→lisi:色号还有吗", "act:3→zhangsan:色号还有吗"}
	if got := rec.wait(t, len(want)); !reflect.DeepEqual(got, want) {
		t.Fatalf("offers = %v\nwant %v", got, want)
	}
	add(3, "", "", "色号 02 呢")
	deliver()
	if got := rec.wait(t, len(want)+2); len(got) != len(want)+2 || !strings.Contains(strings.Join(got, " "), "act:4→zhangsan:色号 02 呢") {
		t.Fatalf("after the second callback: %v", got)
	}
	wantCalls := []map[string]any{
		{"cursor": "", "token": true, "open_kfid": "wkShop"},
		{"cursor": "kfc2", "token": true, "open_kfid": "wkShop"},
		{"cursor": "kfc4", "token": true, "open_kfid": "wkShop"},
	}
	if got := kfSyncBodies(t, fake); !reflect.DeepEqual(got, wantCalls) {
		t.Errorf("sync_msg calls = %v\nwant %v", got, wantCalls)
	}
	if cur, err := m.Store.ActivityCursor("kf:wkShop"); err != nil || cur != "kfc5" {
		t.Errorf("stored cursor = %q, %v; want kfc5", cur, err)
	}
	servicer, err := m.Store.Activity(2)
	if err != nil || servicer.From != classify.FromEmployee || servicer.Employee != "zhangsan" || servicer.Source != "kf" {
		t.Errorf("servicer message stored as %+v, %v; want from employee zhangsan, source kf", servicer, err)
	}
}
