package wecomtest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/wecom/errcode"
)

func TestSendMessage(t *testing.T) {
	s := fake(t, Options{})
	s.AddUser("zhangsan", "张三")
	s.AddUser("lisi", "李四")
	card := `{"card_type":"button_interaction","main_title":{"title":"确认打标签","desc":"王五 → VIP"},"task_id":"t1","button_list":[{"text":"确认","key":"ok"}]}`
	tests := []struct {
		name        string
		body        string
		want        Message
		invalidUser string
	}{
		{"text", `{"touser":"zhangsan","msgtype":"text","agentid":1000002,"text":{"content":"你好"}}`,
			Message{ToUser: "zhangsan", MsgType: "text", Text: "你好"}, ""},
		{"markdown with string agentid", `{"touser":"zhangsan|Ghost","msgtype":"markdown","agentid":"1000002","markdown":{"content":"**b**"}}`,
			Message{ToUser: "zhangsan|Ghost", MsgType: "markdown", Text: "**b**"}, "ghost"},
		{"template card", `{"touser":"@all","msgtype":"template_card","agentid":1000002,"template_card":` + card + `}`,
			Message{ToUser: "@all", MsgType: "template_card", Text: "确认打标签\n王五 → VIP"}, ""},
		{"notice card", `{"touser":"lisi","msgtype":"template_card","agentid":1000002,"template_card":{"card_type":"text_notice","main_title":{"title":"只读"}}}`,
			Message{ToUser: "lisi", MsgType: "template_card", Text: "只读"}, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, s, "message/send", []byte(tt.body))
			wantCode(t, r, errcode.OK)
			if r["invaliduser"] != tt.invalidUser || r["msgid"] == "" {
				t.Fatalf("answer = %v", r)
			}
			msgs := s.Messages()
			if len(msgs) != i+1 {
				t.Fatalf("%d messages recorded", len(msgs))
			}
			got := msgs[i]
			want := tt.want
			want.MsgID, want.ResponseCode, want.Raw = r["msgid"].(string), got.ResponseCode, json.RawMessage(tt.body)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("message (-want +got):\n%s", diff)
			}
			rc, hasRC := r["response_code"].(string)
			if interactive := strings.Contains(tt.body, "button_interaction"); interactive != hasRC || rc != got.ResponseCode {
				t.Fatalf("response_code %q (present %v) vs recorded %q", rc, hasRC, got.ResponseCode)
			}
		})
	}
}

func TestSendMessageErrors(t *testing.T) {
	s := fake(t, Options{AgentID: 42})
	s.AddUser("u", "U")
	tests := []struct {
		name string
		body string
		want int
	}{
		{"wrong agent", `{"touser":"u","msgtype":"text","agentid":43,"text":{"content":"x"}}`, errcode.InvalidAgentID},
		{"missing agent", `{"touser":"u","msgtype":"text","text":{"content":"x"}}`, errcode.MissingAgentID},
		{"bad agent", `{"touser":"u","msgtype":"text","agentid":"abc","text":{"content":"x"}}`, errcode.InvalidParam},
		{"empty text", `{"touser":"u","msgtype":"text","agentid":42,"text":{"content":""}}`, errcode.EmptyContent},
		{"no text", `{"touser":"u","msgtype":"text","agentid":42}`, errcode.EmptyContent},
		{"empty markdown", `{"touser":"u","msgtype":"markdown","agentid":42,"markdown":{}}`, errcode.EmptyContent},
		{"card without type", `{"touser":"u","msgtype":"template_card","agentid":42,"template_card":{}}`, errcode.InvalidParam},
		{"unsupported type", `{"touser":"u","msgtype":"mpnews","agentid":42}`, errcode.InvalidMsgType},
		{"no recipients", `{"msgtype":"text","agentid":42,"text":{"content":"x"}}`, errcode.NoRecipient},
		{"all invalid", `{"touser":"ghost|nobody","msgtype":"text","agentid":42,"text":{"content":"x"}}`, errcode.AllInvalid},
		{"party only", `{"toparty":"2","msgtype":"text","agentid":42,"text":{"content":"x"}}`, errcode.AllInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, post(t, s, "message/send", []byte(tt.body)), tt.want)
		})
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("%d failed sends were recorded", n)
	}
}

func TestUpdateTemplateCard(t *testing.T) {
	s := fake(t, Options{})
	s.AddUser("u", "U")
	tests := []struct {
		name    string
		body    string
		want    int
		invalid []any
	}{
		{"replace button", `{"userids":["u"],"agentid":1000002,"response_code":"rc1","button":{"replace_name":"已确认"}}`, errcode.OK, []any{}},
		{"replace card", `{"userids":["u","ghost"],"agentid":"1000002","response_code":"rc2","template_card":{"card_type":"text_notice","main_title":{"title":"完成"}}}`, errcode.OK, []any{"ghost"}},
		{"wrong agent", `{"agentid":1,"response_code":"rc","button":{"replace_name":"x"}}`, errcode.InvalidAgentID, nil},
		{"no response code", `{"agentid":1000002,"button":{"replace_name":"x"}}`, errcode.InvalidParam, nil},
		{"nothing to update", `{"agentid":1000002,"response_code":"rc","template_card":null}`, errcode.InvalidParam, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, s, "message/update_template_card", []byte(tt.body))
			wantCode(t, r, tt.want)
			if tt.want == errcode.OK {
				if got, _ := json.Marshal(r["invaliduser"]); string(got) != mustJSON(t, tt.invalid) {
					t.Fatalf("invaliduser = %s", got)
				}
			}
		})
	}
	ups := s.CardUpdates()
	var gotUps []string
	for _, u := range ups {
		gotUps = append(gotUps, string(u))
	}
	if diff := cmp.Diff([]string{tests[0].body, tests[1].body}, gotUps); diff != "" {
		t.Fatalf("card updates (-want +got):\n%s", diff)
	}
}

// mustJSON marshals v.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
