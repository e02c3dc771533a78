package bot

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseKFCallback(t *testing.T) {
	body := []byte(`<xml><ToUserName><![CDATA[ww1]]></ToUserName><CreateTime>1793520000</CreateTime>` +
		`<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event>` +
		`<Token><![CDATA[ENCtoken1]]></Token><OpenKfId><![CDATA[wkShop]]></OpenKfId></xml>`)
	m, err := ParseMessage(body)
	if err != nil {
		t.Fatal(err)
	}
	want := Message{ToUserName: "ww1", FromUserName: "sys", CreateTime: 1793520000, MsgType: "event", Event: EventKF, KFToken: "ENCtoken1", OpenKfID: "wkShop"}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("ParseMessage = %+v\nwant %+v", m, want)
	}
	other, err := ParseMessage([]byte(strings.Replace(string(body), "ENCtoken1", "ENCtoken2", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if m.DedupKey() == other.DedupKey() {
		t.Errorf("two kf callbacks in one second share the dedup key %q", m.DedupKey())
	}
	if _, err := ParseMessage([]byte(strings.Replace(string(body), "kf_msg_or_event", "enter_agent", 1))); err == nil {
		t.Error("an event without FromUserName other than kf_msg_or_event accepted")
	}
}
