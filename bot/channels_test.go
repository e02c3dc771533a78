package bot

import (
	"reflect"
	"testing"
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
