package bot

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestParseAddExternalContactState: the State and WelcomeCode of an
// add_external_contact callback (企业客户事件 / 添加企业客户事件).
func TestParseAddExternalContactState(t *testing.T) {
	body := []byte(`<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
		`<CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event>` +
		`<ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID>` +
		`<ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA]]></ExternalUserID><State><![CDATA[qr-618-1a2b3c4d]]></State>` +
		`<WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode></xml>`)
	m, err := ParseMessage(body)
	if err != nil {
		t.Fatal(err)
	}
	want := Message{ToUserName: "toUser", FromUserName: "sys", CreateTime: 1403610513, MsgType: "event", Event: EventExternalContact,
		ChangeType: "add_external_contact", UserID: "zhangsan", ExternalUser: "woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA",
		State: "qr-618-1a2b3c4d", WelcomeCode: "WELCOMECODE"}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("parsed %+v\nwant %+v", m, want)
	}
	bad := []byte(`<xml><FromUserName>sys</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType><Event>change_external_contact</Event><State>a` + "\x01" + `b</State></xml>`)
	if _, err := ParseMessage(bad); err == nil {
		t.Fatal("a control character in State was accepted (it ends up in store keys)")
	}
}

// testChannels records Welcome and Arrived in the refresher's call log,
// so the order of all three shows.
type testChannels struct{ r *testRefresher }

func (c testChannels) Welcome(_ context.Context, userID, ext, state, code string) {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	c.r.calls = append(c.r.calls, refreshCall{"welcome:" + code, ext, userID, state})
}

func (c testChannels) Arrived(_ context.Context, userID, ext, state string) error {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	c.r.calls = append(c.r.calls, refreshCall{"arrived", ext, userID, state})
	return nil
}

// TestChannelCallbackOrder: the welcome goes out before the customer is
// read from WeCom (its code lasts 20 seconds), the channel's tags after;
// a callback without State, or another change type, calls neither.
func TestChannelCallbackOrder(t *testing.T) {
	e := newEnv(t)
	e.loop = NewLoop(LoopOptions{Store: e.st, Handler: e.handler, Refresher: e.refresher, Sender: e.sender,
		Channels: testChannels{e.refresher}, Now: e.clk.Now, Logger: e.log})
	e.deliver(t, e.event("sys", "Event", "change_external_contact", "ChangeType", "add_external_contact",
		"UserID", "alice", "ExternalUserID", "wmA", "State", "qr-1", "WelcomeCode", "W1"))
	e.clk.Advance(time.Second)
	e.deliver(t, e.event("sys", "Event", "change_external_contact", "ChangeType", "add_external_contact",
		"UserID", "alice", "ExternalUserID", "wmB"))
	e.clk.Advance(time.Second)
	e.deliver(t, e.event("sys", "Event", "change_external_contact", "ChangeType", "edit_external_contact",
		"UserID", "alice", "ExternalUserID", "wmA", "State", "qr-1"))
	e.drain(t)
	want := []refreshCall{
		{"welcome:W1", "wmA", "alice", "qr-1"}, {"customer", "wmA", "alice", "add_external_contact"}, {"arrived", "wmA", "alice", "qr-1"},
		{"customer", "wmB", "alice", "add_external_contact"},
		{"customer", "wmA", "alice", "edit_external_contact"},
	}
	if got := e.refresher.recorded(); !reflect.DeepEqual(got, want) {
		t.Fatalf("calls %v\nwant  %v", got, want)
	}
}
