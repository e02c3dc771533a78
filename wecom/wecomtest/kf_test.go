package wecomtest

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestKFSyncMsg(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	s.AddKFMessage(KFMessage{OpenKfID: "wkA", ExternalUserID: "wm1", Origin: 3, Text: "一"})
	s.AddKFMessage(KFMessage{OpenKfID: "wkB", ExternalUserID: "wm2", Origin: 3, Text: "二"})
	s.AddKFMessage(KFMessage{OpenKfID: "wkA", ExternalUserID: "wm1", Origin: 5, ServicerUserID: "zhangsan", Text: "三"})
	xml := string(s.CallbackKF("wkA"))
	token := xml[strings.Index(xml, "<Token><![CDATA[")+len("<Token><![CDATA[") : strings.Index(xml, "]]></Token>")]
	tests := []struct {
		name     string
		body     string
		wantCode int
		wantMsgs string // texts, in order
		wantNext string
		wantMore int
	}{
		{"all of wkA", `{"token":"` + token + `","open_kfid":"wkA"}`, 0, "一三", "kfc3", 0},
		{"from a cursor", `{"cursor":"kfc1","open_kfid":"wkA"}`, 0, "三", "kfc3", 0},
		{"limit pages", `{"limit":1}`, 0, "一", "kfc1", 1},
		{"unknown token", `{"token":"nope"}`, kfInvalidToken, "", "", 0},
		{"bad cursor", `{"cursor":"zzz"}`, kfInvalidCursor, "", "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.mu.Lock()
			out, aerr := s.kfSyncMsg(&apiRequest{body: []byte(tc.body), now: s.opts.Now()})
			s.mu.Unlock()
			if tc.wantCode != 0 {
				if aerr == nil || aerr.code != tc.wantCode {
					t.Fatalf("err = %v, want errcode %d", aerr, tc.wantCode)
				}
				return
			}
			if aerr != nil {
				t.Fatal(aerr.msg)
			}
			b, _ := json.Marshal(out)
			var page struct {
				NextCursor string `json:"next_cursor"`
				HasMore    int    `json:"has_more"`
				MsgList    []struct {
					Text struct{ Content string } `json:"text"`
				} `json:"msg_list"`
			}
			json.Unmarshal(b, &page)
			var texts string
			for _, m := range page.MsgList {
				texts += m.Text.Content
			}
			if texts != tc.wantMsgs || page.NextCursor != tc.wantNext || page.HasMore != tc.wantMore {
				t.Errorf("texts, next, more = %q, %q, %d; want %q, %q, %d", texts, page.NextCursor, page.HasMore, tc.wantMsgs, tc.wantNext, tc.wantMore)
			}
		})
	}
}
