package bot

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParseMessage(t *testing.T) {
	tests := []struct {
		name string
		xml  string
		want Message
		key  string
	}{
		{"official text sample",
			`<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><FromUserName><![CDATA[mycreate]]></FromUserName><CreateTime>1409659813</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[ hello ]]></Content><MsgId>4561255354251345929</MsgId><AgentID>218</AgentID></xml>`,
			Message{ToUserName: "wx5823bf96d3bd56c7", FromUserName: "mycreate", CreateTime: 1409659813, MsgType: "text", Content: " hello ", MsgID: "4561255354251345929", AgentID: "218"},
			"msg:4561255354251345929"},
		{"card click at top level",
			`<xml><ToUserName>c</ToUserName><FromUserName>alice</FromUserName><CreateTime>5</CreateTime><MsgType>event</MsgType><Event>template_card_event</Event><EventKey>k1</EventKey><TaskId>t1</TaskId><CardType>button_interaction</CardType><ResponseCode>rc</ResponseCode><AgentID>1</AgentID></xml>`,
			Message{ToUserName: "c", FromUserName: "alice", CreateTime: 5, MsgType: "event", Event: "template_card_event", EventKey: "k1", TaskID: "t1", CardType: "button_interaction", ResponseCode: "rc", AgentID: "1"},
			"ev:alice:5:template_card_event:t1:k1"},
		{"card fields nested",
			`<xml><FromUserName>alice</FromUserName><CreateTime>6</CreateTime><MsgType>event</MsgType><Event>template_card_event</Event><Card><TaskId>t2</TaskId><EventKey>k2</EventKey></Card></xml>`,
			Message{FromUserName: "alice", CreateTime: 6, MsgType: "event", Event: "template_card_event", EventKey: "k2", TaskID: "t2"},
			"ev:alice:6:template_card_event:t2:k2"},
		{"vote card submitted (SelectedItems)",
			`<xml><ToUserName>c</ToUserName><FromUserName>alice</FromUserName><CreateTime>5</CreateTime><MsgType>event</MsgType><Event>template_card_event</Event><EventKey>sg:sel</EventKey><TaskId>tbsg-3</TaskId><CardType>vote_interaction</CardType><ResponseCode>rc</ResponseCode><AgentID>1</AgentID><SelectedItems><SelectedItem><QuestionKey>choices</QuestionKey><OptionIds><OptionId>et1</OptionId><OptionId>et3</OptionId></OptionIds></SelectedItem></SelectedItems></xml>`,
			Message{ToUserName: "c", FromUserName: "alice", CreateTime: 5, MsgType: "event", Event: "template_card_event", EventKey: "sg:sel", TaskID: "tbsg-3", CardType: "vote_interaction", ResponseCode: "rc", AgentID: "1", Selected: []string{"et1", "et3"}},
			"ev:alice:5:template_card_event:tbsg-3:sg:sel"},
		{"external contact",
			`<xml><FromUserName>sys</FromUserName><CreateTime>7</CreateTime><MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType><UserID>zhangsan</UserID><ExternalUserID>wmX</ExternalUserID></xml>`,
			Message{FromUserName: "sys", CreateTime: 7, MsgType: "event", Event: "change_external_contact", ChangeType: "add_external_contact", UserID: "zhangsan", ExternalUser: "wmX"},
			"ev:sys:7:change_external_contact:add_external_contact:wmX:zhangsan"},
		{"external tag",
			`<xml><FromUserName>sys</FromUserName><CreateTime>8</CreateTime><MsgType>event</MsgType><Event>change_external_tag</Event><Id>etA</Id><TagType>tag</TagType><ChangeType>delete</ChangeType></xml>`,
			Message{FromUserName: "sys", CreateTime: 8, MsgType: "event", Event: "change_external_tag", ChangeType: "delete", TagID: "etA", TagType: "tag"},
			"ev:sys:8:change_external_tag:delete:tag:etA"},
		{"enter agent",
			`<xml><FromUserName>bob</FromUserName><CreateTime>9</CreateTime><MsgType>event</MsgType><Event>enter_agent</Event><EventKey></EventKey></xml>`,
			Message{FromUserName: "bob", CreateTime: 9, MsgType: "event", Event: "enter_agent"},
			"ev:bob:9:enter_agent"},
		{"message without MsgId",
			`<xml><FromUserName>bob</FromUserName><CreateTime>10</CreateTime><MsgType>image</MsgType></xml>`,
			Message{FromUserName: "bob", CreateTime: 10, MsgType: "image"},
			"ev:bob:10:image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMessage([]byte(tt.xml))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("ParseMessage (-want +got):\n%s", diff)
			}
			if k := got.DedupKey(); k != tt.key {
				t.Fatalf("key %q, want %q", k, tt.key)
			}
		})
	}
}

func TestParseMessageRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"not xml", "not xml"},
		{"unclosed root", "<xml>"},
		{"wrong root", "<root><FromUserName>a</FromUserName></root>"},
		{"no CreateTime", "<xml><FromUserName>a</FromUserName><MsgType>text</MsgType></xml>"},
		{"bad CreateTime", "<xml><FromUserName>a</FromUserName><CreateTime>x</CreateTime><MsgType>text</MsgType></xml>"},
		{"negative CreateTime", "<xml><FromUserName>a</FromUserName><CreateTime>-1</CreateTime><MsgType>text</MsgType></xml>"},
		{"no sender", "<xml><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>"},
		{"event without Event", "<xml><FromUserName>a</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType></xml>"},
		{"control char in sender", "<xml><FromUserName>a&#10;b</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>"},
		{"two roots", "<xml><FromUserName>a</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml><xml/>"},
		{"too deep", "<xml>" + strings.Repeat("<a>", 20) + strings.Repeat("</a>", 20) + "</xml>"},
		{"too many elements", "<xml>" + strings.Repeat("<a/>", 300) + "</xml>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if m, err := ParseMessage([]byte(tt.in)); !errors.Is(err, ErrMalformed) {
				t.Errorf("ParseMessage(%.60q) = %+v, %v; want ErrMalformed", tt.in, m, err)
			}
		})
	}
}

func TestCutAndPackText(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		limit      int
		head, tail string
	}{
		{"fits", "abc", 3, "abc", ""},
		{"at newline", "ab\ncd\nef", 6, "ab\ncd", "ef"},
		{"newline exactly at limit", "abcd\nef", 4, "abcd", "ef"},
		{"no newline, multibyte", "标签标签", 7, "标签", "标签"},
		{"leading newline only", "\nabcdef", 3, "\nab", "cdef"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, tl := cutText(tt.in, tt.limit)
			if h != tt.head || tl != tt.tail {
				t.Fatalf("cutText = %q, %q; want %q, %q", h, tl, tt.head, tt.tail)
			}
			if len(h) > tt.limit || !utf8.ValidString(h) {
				t.Fatalf("bad head %q", h)
			}
		})
	}
	msg, used, rest := packTexts([]string{"a", "b", strings.Repeat("c", 10)}, 8)
	type packed struct {
		Msg  string
		Used int
		Rest string
	}
	if diff := cmp.Diff(packed{"a\n\nb", 2, ""}, packed{msg, used, rest}); diff != "" {
		t.Fatalf("packTexts (-want +got):\n%s", diff)
	}
}

func TestWindows(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	var w windows
	for i := 0; i < 3; i++ {
		if !w.allow(t0.Add(time.Duration(i)*time.Second), 3, 5) {
			t.Fatalf("send %d refused", i)
		}
		w.record(t0.Add(time.Duration(i) * time.Second))
	}
	if w.allow(t0.Add(59*time.Second), 3, 5) {
		t.Fatal("4th send within a minute allowed")
	}
	if !w.allow(t0.Add(60*time.Second), 3, 5) {
		t.Fatal("send a minute after the first refused")
	}
	w.record(t0.Add(60 * time.Second))
	w.record(t0.Add(61 * time.Second))
	if w.allow(t0.Add(30*time.Minute), 3, 5) {
		t.Fatal("6th send within an hour allowed")
	}
	if !w.allow(t0.Add(time.Hour), 3, 5) || w.idle(t0.Add(time.Hour)) {
		t.Fatal("hour window wrong")
	}
	if !w.idle(t0.Add(2 * time.Hour)) {
		t.Fatal("not idle after two hours")
	}
}

// FuzzParseMessage checks that ParseMessage never panics, fails only with
// ErrMalformed, and reads every body exactly as encoding/xml does (it reads
// flat ones through flatxml): the same message, or an error in both.
func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(`<xml><FromUserName><![CDATA[a]]></FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		want, werr := parseMessageXML(b)
		if (err != nil) != (werr != nil) {
			t.Fatalf("ParseMessage(%q) error %v, through encoding/xml %v", b, err, werr)
		}
		if diff := cmp.Diff(want, m); diff != "" {
			t.Fatalf("ParseMessage(%q) differs from encoding/xml (-xml +got):\n%s", b, diff)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if m.FromUserName == "" || m.MsgType == "" || m.CreateTime < 0 {
			t.Fatalf("accepted incomplete message %+v", m)
		}
		key := m.DedupKey()
		if key == "" || strings.ContainsAny(key, "\r\n") {
			t.Fatalf("bad dedup key %q", key)
		}
		m2, err := ParseMessage(b)
		if err != nil || !cmp.Equal(m2, m) {
			t.Fatalf("not deterministic")
		}
	})
}

// parseMessageXML is ParseMessage reading every body with encoding/xml.
func parseMessageXML(body []byte) (Message, error) {
	l, err := leafFields(body)
	if err != nil {
		return Message{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return messageOf(body, l)
}
