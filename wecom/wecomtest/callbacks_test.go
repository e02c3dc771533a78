package wecomtest

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/wecom/wxcrypt"
)

// receiver is a bot-side callback endpoint built on wxcrypt.
type receiver struct {
	t      *testing.T
	crypto *wxcrypt.Crypto

	mu     sync.Mutex
	plains [][]byte
	envs   []wxcrypt.Envelope
	tenant []string
}

// received returns copies of what the endpoint accepted so far.
func (rc *receiver) received() (plains [][]byte, envs []wxcrypt.Envelope, tenants []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([][]byte(nil), rc.plains...), append([]wxcrypt.Envelope(nil), rc.envs...), append([]string(nil), rc.tenant...)
}

// newReceiver starts a callback endpoint for s's callback settings.
func newReceiver(t *testing.T, s *Server) (*receiver, *httptest.Server) {
	t.Helper()
	o := s.Options()
	c, err := wxcrypt.New(o.Token, o.EncodingAESKey, o.CorpID)
	if err != nil {
		t.Fatal(err)
	}
	rc := &receiver{t: t, crypto: c}
	hs := httptest.NewServer(rc)
	t.Cleanup(hs.Close)
	return rc, hs
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method == http.MethodGet {
		plain, err := rc.crypto.VerifyURL(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), q.Get("echostr"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		_, _ = w.Write(plain)
		return
	}
	body, _ := io.ReadAll(r.Body)
	plain, err := rc.crypto.Decrypt(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	env, _ := wxcrypt.ParseEnvelope(body)
	rc.mu.Lock()
	rc.plains = append(rc.plains, plain)
	rc.envs = append(rc.envs, env)
	rc.tenant = append(rc.tenant, q.Get("tenant"))
	rc.mu.Unlock()
	_, _ = w.Write([]byte("success"))
}

// callbackXML is the union of inner-XML fields the tests read.
type callbackXML struct {
	ToUserName     string `xml:"ToUserName"`
	FromUserName   string `xml:"FromUserName"`
	CreateTime     int64  `xml:"CreateTime"`
	MsgType        string `xml:"MsgType"`
	Content        string `xml:"Content"`
	MsgID          string `xml:"MsgId"`
	AgentID        int    `xml:"AgentID"`
	Event          string `xml:"Event"`
	ChangeType     string `xml:"ChangeType"`
	UserID         string `xml:"UserID"`
	ExternalUserID string `xml:"ExternalUserID"`
	EventKey       string `xml:"EventKey"`
}

func TestDeliverRoundTrip(t *testing.T) {
	clk := newClock()
	s := fake(t, Options{Now: clk.Now, CorpID: "wwcorp42", AgentID: 7})
	rc, hs := newReceiver(t, s)

	inner := s.CallbackText("zhangsan", "给王五打上 VIP ]]> 标签", "msg-1")
	resp, err := s.Deliver(context.Background(), hs.URL+"/wecom/callback?tenant=acme", inner)
	if err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(b) != "success" {
		t.Fatalf("receiver answered %d %s", resp.StatusCode, b)
	}
	plains, envs, tenants := rc.received()
	if len(plains) != 1 || !bytes.Equal(plains[0], inner) || tenants[0] != "acme" {
		t.Fatalf("receiver got %q (tenant %v), want %q", plains, tenants, inner)
	}
	if env := envs[0]; env.ToUserName != "wwcorp42" || env.AgentID != "7" {
		t.Fatalf("envelope = %+v", env)
	}
	var m callbackXML
	if err := xml.Unmarshal(plains[0], &m); err != nil {
		t.Fatal(err)
	}
	want := callbackXML{ToUserName: "wwcorp42", FromUserName: "zhangsan", CreateTime: clk.Now().Unix(), MsgType: "text",
		Content: "给王五打上 VIP ]]> 标签", MsgID: "msg-1", AgentID: 7}
	if m != want {
		t.Fatalf("inner = %+v, want %+v", m, want)
	}
	if n := len(s.Calls()); n != 0 {
		t.Fatalf("callback delivery logged %d API calls", n)
	}
}

func TestCallbackEvent(t *testing.T) {
	s := fake(t, Options{})
	inner := s.CallbackEvent("sys", map[string]string{
		"Event": "change_external_contact", "ChangeType": "edit_external_contact",
		"UserID": "zhangsan", "ExternalUserID": "wm1",
	})
	var m callbackXML
	if err := xml.Unmarshal(inner, &m); err != nil {
		t.Fatalf("%s: %v", inner, err)
	}
	want := callbackXML{ToUserName: "wwtestcorp", FromUserName: "sys", CreateTime: m.CreateTime, MsgType: "event", AgentID: 1000002,
		Event: "change_external_contact", ChangeType: "edit_external_contact", UserID: "zhangsan", ExternalUserID: "wm1"}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Fatalf("event (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(string(inner), "<xml><ToUserName><![CDATA[wwtestcorp]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>") ||
		!strings.Contains(string(inner), "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType>") {
		t.Fatalf("event layout = %s", inner)
	}
	// Caller-supplied standard fields win.
	inner = s.CallbackEvent("u", map[string]string{"Event": "template_card_event", "CreateTime": "123", "EventKey": "ok", "AgentID": "9"})
	m = callbackXML{}
	if err := xml.Unmarshal(inner, &m); err != nil {
		t.Fatal(err)
	}
	type overrides struct {
		CreateTime int64
		EventKey   string
		AgentID    int64
	}
	if diff := cmp.Diff(overrides{123, "ok", 9}, overrides{int64(m.CreateTime), m.EventKey, int64(m.AgentID)}); diff != "" {
		t.Fatalf("overrides (-want +got):\n%s", diff)
	}
}

func TestVerifyURL(t *testing.T) {
	s := fake(t, Options{})
	_, hs := newReceiver(t, s)
	for range 3 {
		if err := s.VerifyURL(context.Background(), hs.URL+"/cb"); err != nil {
			t.Fatalf("VerifyURL against a correct endpoint: %v", err)
		}
	}
	// An endpoint configured with another token fails verification.
	other := fake(t, Options{Token: "differentToken"})
	if err := other.VerifyURL(context.Background(), hs.URL+"/cb"); err == nil {
		t.Fatal("VerifyURL passed against an endpoint with another token")
	}
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(r.URL.Query().Get("echostr"))) // echoes the ciphertext, not the plaintext
	}))
	defer echo.Close()
	if err := s.VerifyURL(context.Background(), echo.URL); err == nil {
		t.Fatal("VerifyURL accepted an endpoint that does not decrypt")
	}
}

func TestDeliverErrors(t *testing.T) {
	s := fake(t, Options{})
	if _, err := s.Deliver(context.Background(), "://bad url", []byte("<xml/>")); err == nil {
		t.Fatal("Deliver to a malformed URL succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, hs := newReceiver(t, s)
	if _, err := s.Deliver(ctx, hs.URL, []byte("<xml/>")); err == nil {
		t.Fatal("Deliver with a cancelled context succeeded")
	}
}

func TestCallbackCardSubmit(t *testing.T) {
	s := fake(t, Options{})
	inner := s.CallbackCardSubmit("zhangsan", "tbsg-3", "sg:sel", "rc-1", "choices", []string{"et1", "et3"})
	var m struct {
		FromUserName, Event, EventKey, TaskId, CardType, ResponseCode string
		Items                                                         []struct {
			QuestionKey string
			OptionIDs   []string `xml:"OptionIds>OptionId"`
		} `xml:"SelectedItems>SelectedItem"`
	}
	if err := xml.Unmarshal(inner, &m); err != nil {
		t.Fatalf("%s: %v", inner, err)
	}
	if m.FromUserName != "zhangsan" || m.Event != "template_card_event" || m.EventKey != "sg:sel" || m.TaskId != "tbsg-3" ||
		m.CardType != "vote_interaction" || m.ResponseCode != "rc-1" {
		t.Errorf("event fields = %+v", m)
	}
	if len(m.Items) != 1 || m.Items[0].QuestionKey != "choices" || !cmp.Equal(m.Items[0].OptionIDs, []string{"et1", "et3"}) {
		t.Errorf("SelectedItems = %+v, want choices: [et1 et3]", m.Items)
	}
}
