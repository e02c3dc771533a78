package intake

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

// kfFixture is a KFSyncer on a real wecom.Client against the fake WeCom.
type kfFixture struct {
	fake  *wecomtest.Server
	queue *Queue
	sync  *KFSyncer
}

func newKF(t *testing.T, only ...string) kfFixture {
	t.Helper()
	s, clk, _ := openStore(t)
	fake := wecomtest.New(wecomtest.Options{Now: clk.Now})
	t.Cleanup(fake.Close)
	o := fake.Options()
	api, err := wecom.New(wecom.Config{CorpID: o.CorpID, Secret: o.Secret, AgentID: o.AgentID, APIBase: fake.URL()})
	must(t, err)
	q := NewQueue(s, QueueOptions{Now: clk.Now})
	return kfFixture{fake: fake, queue: q, sync: NewKFSyncer(api, q, KFOptions{OpenKfIDs: only, Now: clk.Now})}
}

// token is the Token of a kf_msg_or_event callback for account.
func (f kfFixture) token(account string) string {
	m := regexp.MustCompile(`<Token><!\[CDATA\[([^\]]*)\]\]>`).FindSubmatch(f.fake.CallbackKF(account))
	return string(m[1])
}

func TestKFSyncEdges(t *testing.T) {
	t.Run("account not in kf.open_kfids: no call", func(t *testing.T) {
		f := newKF(t, "wkOnly")
		f.fake.AddKFMessage(wecomtest.KFMessage{OpenKfID: "wkOther", ExternalUserID: "c1", Origin: 3, Text: "色号"})
		must(t, f.sync.SyncKF(context.Background(), f.token("wkOther"), "wkOther"))
		if n := len(f.fake.CallsTo("kf/sync_msg")); n != 0 {
			t.Errorf("%d sync_msg calls, want 0", n)
		}
	})
	t.Run("bad token: error, cursor kept", func(t *testing.T) {
		f := newKF(t)
		f.fake.AddKFMessage(wecomtest.KFMessage{OpenKfID: "wkA", ExternalUserID: "c1", Origin: 3, Text: "一"})
		must(t, f.sync.SyncKF(context.Background(), f.token("wkA"), "wkA"))
		err := f.sync.SyncKF(context.Background(), "forged", "wkA")
		if wecom.Code(err) != 95007 {
			t.Errorf("err = %v, want errcode 95007", err)
		}
		if cur, _ := f.queue.store.ActivityCursor("kf:wkA"); cur != "kfc1" {
			t.Errorf("cursor = %q, want kfc1 (kept)", cur)
		}
	})
	t.Run("unknown customer stored, bad and non-text messages skipped", func(t *testing.T) {
		f := newKF(t)
		for _, m := range []wecomtest.KFMessage{
			{ExternalUserID: "wmStranger", Origin: 3, Text: "第一次来"},                    // not anyone's contact: stored
			{ExternalUserID: "c1", Origin: 3, Text: strings.Repeat("长", MaxTextBytes)}, // too long: skipped
			{ExternalUserID: "c1", Origin: 4, MsgType: "event"},                        // system event: skipped
			{ExternalUserID: "c1", Origin: 3, MsgType: "image"},                        // not text: skipped
			{ExternalUserID: "c1", Origin: 5, ServicerUserID: "zhangsan", Text: "您好"},
		} {
			m.OpenKfID = "wkA"
			f.fake.AddKFMessage(m)
		}
		must(t, f.sync.SyncKF(context.Background(), f.token("wkA"), "wkA"))
		acts, err := f.queue.store.ActivitiesAfter(0, 0)
		must(t, err)
		var got []string
		for _, a := range acts {
			got = append(got, a.Customer+"/"+a.From+"/"+a.Employee+"/"+a.Text)
		}
		want := "wmStranger/customer//第一次来 c1/employee/zhangsan/您好"
		if strings.Join(got, " ") != want {
			t.Errorf("stored %q, want %q", strings.Join(got, " "), want)
		}
		// The same messages again (a repeated callback with a stale cursor) are duplicates.
		_, _, err = f.queue.store.PutActivities(store.ActivityBatch{CursorName: "kf:wkA", Cursor: ""})
		must(t, err)
		must(t, f.sync.SyncKF(context.Background(), f.token("wkA"), "wkA"))
		if acts, _ := f.queue.store.ActivitiesAfter(0, 0); len(acts) != 2 {
			t.Errorf("after a re-read from the start: %d activities, want 2", len(acts))
		}
	})
}
