package commands

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tagbot/tagbot/internal/sheet"
	"github.com/tagbot/tagbot/store"
)

// exportEnv seeds tags on the test customers and a customer whose name is
// a formula.
func exportEnv(t *testing.T) *env {
	e := newEnv(t)
	if err := e.st.UpsertCustomer(store.Customer{ID: "c5", Name: `=HYPERLINK("http://x","点我")`},
		[]store.FollowInfo{{Follower: "zhangsan", Remark: "+86", Mobiles: []string{"13912345678"}}}); err != nil {
		t.Fatal(err)
	}
	e.apply("zhangsan", "c1", "zhangsan", "t3", "t1")
	e.apply("lisi", "c1", "lisi", "t3")
	e.apply("zhangsan", "c2", "zhangsan", "t3", "t12")
	e.apply("lisi", "c3", "lisi", "t4")
	e.apply("zhangsan", "c5", "zhangsan", "t3")
	return e
}

// wantRows computes the export from the store directly: every
// relationship with all of include and none of exclude, mobiles masked
// unless full.
func wantRows(t *testing.T, e *env, include, exclude []string, full bool) []sheet.Row {
	var out []sheet.Row
	for _, id := range []string{"c1", "c2", "c3", "c4", "c5"} {
		c, err := e.st.Customer(id)
		if err != nil {
			t.Fatal(err)
		}
		rels, err := e.st.Relationships(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, rel := range rels {
			ids := rel.TagIDs()
			if !allIn(include, ids) || slices.ContainsFunc(exclude, func(x string) bool { return slices.Contains(ids, x) }) {
				continue
			}
			row := sheet.Row{Name: c.Name, Remark: rel.Remark, Follower: rel.Follower}
			for _, m := range rel.Mobiles {
				if !full {
					m = m[:3] + "****" + m[len(m)-4:]
				}
				row.Mobile = m
			}
			for _, tid := range ids {
				tg, _ := e.st.Tag(tid)
				row.Tags = append(row.Tags, tg.Name)
			}
			out = append(out, row)
		}
	}
	return out
}

func allIn(want, have []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// exported runs /export as user and reads the file back.
func exported(t *testing.T, e *env, user, cmd string) (text string, rows []sheet.Row) {
	t.Helper()
	replies := e.r.HandleText(context.Background(), user, cmd)
	for _, r := range replies {
		if r.File != nil {
			got, err := sheet.ReadCustomers(r.File.Data)
			if err != nil {
				t.Fatalf("%s: read export: %v", cmd, err)
			}
			if !strings.HasSuffix(r.File.Name, ".xlsx") || r.File.Fallback == "" {
				t.Fatalf("file %q, fallback %q", r.File.Name, r.File.Fallback)
			}
			rows = got
		}
	}
	return joinReplies(replies), rows
}

func TestExportRoundTrip(t *testing.T) {
	tests := []struct {
		name, user, cmd  string
		include, exclude []string
		full             bool
	}{
		{"admin, and not", "boss", "/export tag:高意向 and not tag:咖啡", []string{"t3"}, []string{"t12"}, true},
		{"manager sees masked mobiles", "mgr", "/导出 tag:高意向", []string{"t3"}, nil, false},
		{"two tags, and left out", "boss", "/export tag:高意向 tag:VIP", []string{"t3", "t1"}, nil, true},
		{"chinese not", "mgr", "/export 标签:高意向 且 不含 tag:VIP", []string{"t3"}, []string{"t1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := exportEnv(t)
			text, got := exported(t, e, tt.user, tt.cmd)
			want := wantRows(t, e, tt.include, tt.exclude, tt.full)
			if len(want) == 0 {
				t.Fatal("test selects nobody")
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("reply %q\nrows read back:\n%+v\nwant (from the store):\n%+v", text, got, want)
			}
		})
	}
}

func TestExportRefusals(t *testing.T) {
	tests := []struct{ name, user, cmd, want string }{
		{"employee", "zhangsan", "/export tag:高意向", "主管"},
		{"no tag", "boss", "/export 王", "至少写一个"},
		{"not without tag", "boss", "/export tag:高意向 and not", "not 后面"},
		{"or", "boss", "/export tag:高意向 or tag:VIP", "暂不支持 or"},
		{"unknown tag", "boss", "/export tag:不存在", "不存在"},
		{"nobody", "boss", "/export tag:高意向 and tag:低意向", "没有符合条件的客户"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := exportEnv(t)
			text, rows := exported(t, e, tt.user, tt.cmd)
			if !strings.Contains(text, tt.want) || rows != nil {
				t.Fatalf("reply %q (file rows %d), want text containing %q and no file", text, len(rows), tt.want)
			}
		})
	}
}

// TestExportInBackground: over the threshold the reply comes at once and
// the file is delivered later.
func TestExportInBackground(t *testing.T) {
	e := exportEnv(t)
	e.r.exportBackground = 2
	var mu sync.Mutex
	done := make(chan []Reply, 1)
	e.r.deliver = func(_ context.Context, user string, rs []Reply) {
		mu.Lock()
		defer mu.Unlock()
		if user == "boss" {
			done <- rs
		}
	}
	text, rows := exported(t, e, "boss", "/export tag:高意向")
	if !strings.Contains(text, "正在生成") || rows != nil {
		t.Fatalf("first reply %q with %d rows, want 正在生成 and no file", text, len(rows))
	}
	e.r.Wait()
	var rs []Reply
	select {
	case rs = <-done:
	default:
		t.Fatal("Wait returned before the export was delivered")
	}
	if len(rs) != 1 || rs[0].File == nil {
		t.Fatalf("delivered %+v, want one reply with a file", rs)
	}
	got, err := sheet.ReadCustomers(rs[0].File.Data)
	if err != nil {
		t.Fatal(err)
	}
	if want := wantRows(t, e, []string{"t3"}, nil, true); !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %+v, want %+v", got, want)
	}
}

func TestMaskMobile(t *testing.T) {
	for in, want := range map[string]string{"13812345678": "138****5678", "+8613812345678": "+86****5678", "12345": "****", "": ""} {
		if got := MaskMobile(in); got != want {
			t.Errorf("MaskMobile(%q) = %q, want %q", in, got, want)
		}
	}
}
