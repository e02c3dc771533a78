package mirror

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/wecom/errcode"
	"github.com/tagbot/tagbot/wecom/wecomtest"
)

func TestFailureText(t *testing.T) {
	cs := &store.ChangeSet{
		ID:     7,
		Add:    []store.TagRef{{ID: "t1", Name: "VIP", Group: "客户等级"}},
		Remove: []store.TagRef{{ID: "t9"}},
	}
	cases := []struct {
		name     string
		entry    store.OutboxEntry
		cs       *store.ChangeSet
		customer string
		code     int
		want     []string
		notWant  []string
	}{
		{
			name:  "no relationship",
			entry: store.OutboxEntry{CS: 7, Customer: "wm1", Compensated: 8},
			cs:    cs, customer: "王小明", code: errcode.NoRelation,
			want: []string{"#7", "王小明", "加上「VIP」", "去掉「t9」", "客户已不是你的客户，标签未生效", "更正（#8）"},
		},
		{
			name:  "deleted tag, no change-set, no name",
			entry: store.OutboxEntry{CS: 3, Customer: "wm2"}, code: errcode.InvalidTagID,
			want:    []string{"#3", "「wm2」", "标签已在企业微信中被删除"},
			notWant: []string{"更正", "加上"},
		},
		{
			name:  "unknown code",
			entry: store.OutboxEntry{CS: 4, Customer: "wm3"}, customer: "赵敏", code: errcode.InvalidParam,
			want: []string{"#4", "赵敏", "错误码 40058", "标签未生效"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := failureText(tc.entry, tc.cs, tc.customer, tc.code)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("%q contains %q", got, w)
				}
			}
		})
	}
}

func TestDelayText(t *testing.T) {
	got := delayText(store.OutboxEntry{CS: 12, Customer: "wm1"})
	if want := "企业微信暂时不可用，变更 #12 还没同步上，会自动重试，不需要重做。"; got != want {
		t.Errorf("delayText = %q, want %q", got, want)
	}
}

func TestSendTextNotifier(t *testing.T) {
	e := newEnv(t)
	e.fake.AddUser("zhangsan", "张三")
	SendTextNotifier(e.api, e.log)(context.Background(), "zhangsan", "变更 #1 没能同步到企业微信")
	msgs := e.fake.Messages()
	type msg struct{ ToUser, MsgType, Text string }
	var got []msg
	for _, m := range msgs {
		got = append(got, msg{m.ToUser, m.MsgType, m.Text})
	}
	if diff := cmp.Diff([]msg{{"zhangsan", "text", "变更 #1 没能同步到企业微信"}}, got); diff != "" {
		t.Fatalf("messages (-want +got):\n%s", diff)
	}
	// A failing send is logged, not fatal.
	e.fake.Fault("message/send", wecomtest.Fault{ErrCode: errcode.AllInvalid, Times: 1})
	SendTextNotifier(e.api, e.log)(context.Background(), "zhangsan", "x")
	if n := len(e.fake.Messages()); n != 1 {
		t.Errorf("messages = %d", n)
	}
}
