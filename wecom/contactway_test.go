package wecom

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/internal/clocktest"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

func TestContactWays(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	e := newEnv(t, wecomtest.Options{Now: clk.Now}, nil)
	ctx := context.Background()
	e.s.AddUser("zhangsan", "张三")
	e.s.AddUser("lisi", "李四")
	tests := []struct {
		name     string
		users    []string
		wantType int
	}{
		{"one follower: single", []string{"zhangsan"}, ContactWaySingle},
		{"two followers: multi", []string{"zhangsan", "lisi"}, ContactWayMulti},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			way, err := e.c.AddContactWay(ctx, ContactWayRequest{Users: tc.users, State: "qr-test", Remark: "展会"})
			if err != nil {
				t.Fatal(err)
			}
			got := e.s.ContactWays()[i]
			if got.ConfigID != way.ConfigID || got.QRCode != way.QRCode || got.Type != tc.wantType || got.Scene != SceneQRCode || got.State != "qr-test" {
				t.Fatalf("fake has %+v, want type %d scene 2 state qr-test for %+v", got, tc.wantType, way)
			}
			var body map[string]any
			if err := json.Unmarshal(e.s.CallsTo(pathAddContactWay)[i].Body, &body); err != nil {
				t.Fatal(err)
			}
			if body["skip_verify"] != true || body["conclusions"] != nil || body["is_temp"] != nil {
				t.Fatalf("add_contact_way body %v: want skip_verify true and no temporary-session fields", body)
			}
		})
	}
	if _, err := e.c.AddContactWay(ctx, ContactWayRequest{Users: []string{"zhangsan"}, State: strings.Repeat("长", MaxStateLen+1)}); err == nil {
		t.Fatal("a state over 30 characters was sent")
	}
	way := e.s.ContactWays()[0]
	if err := e.c.DelContactWay(ctx, way.ConfigID); err != nil {
		t.Fatal(err)
	}
	if err := e.c.DelContactWay(ctx, way.ConfigID); Code(err) != errcode.InvalidParam {
		t.Fatalf("second delete err = %v, want errcode %d", err, errcode.InvalidParam)
	}
}

func TestSendWelcomeMsg(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	e := newEnv(t, wecomtest.Options{Now: clk.Now}, nil)
	ctx := context.Background()
	e.s.AddUser("zhangsan", "张三")
	way, err := e.c.AddContactWay(ctx, ContactWayRequest{Users: []string{"zhangsan"}, State: "qr-w"})
	if err != nil {
		t.Fatal(err)
	}
	// The callback XML carries the code; read it back from there.
	xml, err := e.s.ScanContactWay(way.ConfigID, "wmA", "客户A")
	if err != nil {
		t.Fatal(err)
	}
	code := between(string(xml), "<WelcomeCode><![CDATA[", "]]>")
	if err := e.c.SendWelcomeMsg(ctx, code, "欢迎"); err != nil {
		t.Fatal(err)
	}
	if err := e.c.SendWelcomeMsg(ctx, code, "欢迎"); Code(err) != errcode.InvalidParam {
		t.Fatalf("reused code err = %v, want refused", err)
	}
	xml, _ = e.s.ScanContactWay(way.ConfigID, "wmB", "客户B")
	clk.Advance(21 * time.Second)
	if err := e.c.SendWelcomeMsg(ctx, between(string(xml), "<WelcomeCode><![CDATA[", "]]>"), "欢迎"); Code(err) != errcode.InvalidParam {
		t.Fatalf("code after 21 s err = %v, want refused", err)
	}
	if ws := e.s.Welcomes(); len(ws) != 1 || ws[0].ExternalUserID != "wmA" || ws[0].Text != "欢迎" {
		t.Fatalf("welcomes = %+v, want one to wmA", ws)
	}
}

// between returns the text of s between the first from and the next to.
func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(rest, to)
	return v
}
