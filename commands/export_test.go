package commands

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tagbot/tagbot/internal/sheet"
	"github.com/tagbot/tagbot/store"
)

// exportEnv seeds customers whose tags sit on different followers'
// relationships:
//
//	c1 王小明  zhangsan (王总, 13800000001): 高意向 展会 · lisi: VIP 展会
//	c2 王小红  zhangsan: 高意向 咖啡
//	c3 赵敏    lisi: 高意向 · zhangsan (13700000003): no tags
//	c4 王大明  zhangsan: VIP
//	c5 =HYPERLINK(…)  zhangsan (+86, 13912345678): 高意向
func exportEnv(t *testing.T) *env {
	e := newEnv(t)
	for _, c := range []struct {
		c store.Customer
		f []store.FollowInfo
	}{
		{store.Customer{ID: "c3", Name: "赵敏"}, []store.FollowInfo{{Follower: "lisi"}, {Follower: "zhangsan", Mobiles: []string{"13700000003"}}}},
		{store.Customer{ID: "c5", Name: `=HYPERLINK("http://x","点我")`}, []store.FollowInfo{{Follower: "zhangsan", Remark: "+86", Mobiles: []string{"13912345678"}}}},
	} {
		if err := e.st.UpsertCustomer(c.c, c.f); err != nil {
			t.Fatal(err)
		}
	}
	e.apply("zhangsan", "c1", "zhangsan", "t3", "t7")
	e.apply("lisi", "c1", "lisi", "t1", "t7")
	e.apply("zhangsan", "c2", "zhangsan", "t3", "t12")
	e.apply("lisi", "c3", "lisi", "t3")
	e.apply("zhangsan", "c4", "zhangsan", "t1")
	e.apply("zhangsan", "c5", "zhangsan", "t3")
	return e
}

// The rows of exportEnv's customers, written out by hand: one per
// customer, every follower, the mobiles of any relationship, the union of
// the tags in library order (by group, as /tags shows them).
var (
	rowWang = sheet.Row{ID: "c1", Name: "王小明", Remark: "王总", Follower: "lisi、zhangsan", Mobile: "13800000001", Tags: []string{"VIP", "高意向", "展会"}}
	rowHong = sheet.Row{ID: "c2", Name: "王小红", Follower: "zhangsan", Tags: []string{"高意向", "咖啡"}}
	rowZhao = sheet.Row{ID: "c3", Name: "赵敏", Follower: "lisi、zhangsan", Mobile: "13700000003", Tags: []string{"高意向"}}
	rowDa   = sheet.Row{ID: "c4", Name: "王大明", Follower: "zhangsan", Tags: []string{"VIP"}}
	rowHref = sheet.Row{ID: "c5", Name: `=HYPERLINK("http://x","点我")`, Remark: "+86", Follower: "zhangsan", Mobile: "13912345678", Tags: []string{"高意向"}}
)

// masked is row as a manager gets it: mobiles masked.
func masked(row sheet.Row) sheet.Row {
	row.Mobile = map[string]string{"": "", "13800000001": "138****0001", "13700000003": "137****0003", "13912345678": "139****5678"}[row.Mobile]
	return row
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

// TestExportRoundTrip: a customer is selected when the tags of all the
// relationships the reader sees, together, satisfy the selection (as
// /stats counts), and is one row.
func TestExportRoundTrip(t *testing.T) {
	tests := []struct {
		name, user, cmd string
		want            []sheet.Row
	}{
		{"tags on two followers", "boss", "/export tag:高意向 and tag:VIP", []sheet.Row{rowWang}},
		{"and left out", "boss", "/export tag:VIP tag:高意向", []sheet.Row{rowWang}},
		{"not sees every follower", "mgr", "/export tag:高意向 and not tag:VIP", []sheet.Row{masked(rowHong), masked(rowZhao), masked(rowHref)}},
		{"chinese not", "boss", "/export 标签:高意向 且 不含 tag:咖啡", []sheet.Row{rowWang, rowZhao, rowHref}},
		{"one row per customer", "boss", "/export tag:展会", []sheet.Row{rowWang}},
		{"mobile of the other follower", "boss", "/export tag:高意向", []sheet.Row{rowWang, rowHong, rowZhao, rowHref}},
		{"manager sees masked mobiles", "mgr", "/导出 tag:VIP", []sheet.Row{masked(rowWang), masked(rowDa)}},
		{"text in another follower's remark", "boss", "/export tag:VIP 王总", []sheet.Row{rowWang}},
		{"tag named twice", "boss", "/export tag:VIP tag:VIP", []sheet.Row{rowWang, rowDa}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := exportEnv(t)
			text, got := exported(t, e, tt.user, tt.cmd)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("reply %q\nrows read back:\n%+v\nwant:\n%+v", text, got, tt.want)
			}
			if want := "已导出 " + strconv.Itoa(len(tt.want)) + " 位客户"; !strings.Contains(text, want) {
				t.Errorf("reply %q, want %q", text, want)
			}
		})
	}
}

// TestExportTagOrder: the tag column lists a customer's tags as /tags and
// the library do: groups by their order, then tags by theirs (咖啡 put
// before 保健品 in 兴趣), whatever the tag ids.
func TestExportTagOrder(t *testing.T) {
	e := exportEnv(t)
	lib := store.Library{Groups: testLibrary.Groups, Tags: slices.Clone(testLibrary.Tags)}
	for i, tg := range lib.Tags {
		if tg.Name == "咖啡" {
			lib.Tags[i].Order = 10
		}
	}
	if _, err := e.st.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	e.apply("zhangsan", "c4", "zhangsan", "t11", "t12", "t7")
	_, rows := exported(t, e, "boss", "/export tag:保健品")
	if len(rows) != 1 {
		t.Fatalf("rows %+v, want 王大明's", rows)
	}
	if want := []string{"VIP", "展会", "咖啡", "保健品"}; !reflect.DeepEqual(rows[0].Tags, want) {
		t.Errorf("tags %v, want %v (group order 客户等级, 渠道, 兴趣; 咖啡 before 保健品)", rows[0].Tags, want)
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
		{"excluded on another follower", "boss", "/export tag:展会 and not tag:VIP", "没有符合条件的客户"},
		{"text matches nobody", "boss", "/export tag:VIP 赵", "没有符合条件的客户"},
		{"included and excluded", "boss", "/export tag:VIP and not tag:VIP", "没有符合条件的客户"},
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

// TestExportInBackground: over the threshold the notice is sent at once
// (through Deliver, the handler returning nothing) and the customers are
// read and the file built afterwards: a name changed after the notice is
// in the file.
func TestExportInBackground(t *testing.T) {
	e := exportEnv(t)
	e.r.exportBackground = 2
	release := make(chan struct{})
	e.r.exportHold = func() { <-release }
	var mu sync.Mutex
	done := make(chan []Reply, 2)
	e.r.deliver = func(_ context.Context, user string, rs []Reply) {
		mu.Lock()
		defer mu.Unlock()
		if user == "boss" {
			done <- rs
		}
	}
	if text, rows := exported(t, e, "boss", "/export tag:高意向"); text != "" || rows != nil {
		t.Fatalf("handler replied %q with %d rows, want nothing (the notice is delivered)", text, len(rows))
	}
	if rs := <-done; len(rs) != 1 || rs[0].File != nil || !strings.Contains(rs[0].Text, "共 4 位客户，正在生成") {
		t.Fatalf("first delivered %+v, want 共 4 位客户，正在生成 and no file", rs)
	}
	if err := e.st.UpsertCustomer(store.Customer{ID: "c2", Name: "王小红（改名）"}, []store.FollowInfo{{Follower: "zhangsan"}}); err != nil {
		t.Fatal(err)
	}
	close(release)
	e.r.Wait()
	var rs []Reply
	select {
	case rs = <-done:
	default:
		t.Fatal("Wait returned before the export was delivered")
	}
	if len(rs) != 1 || rs[0].File == nil || !strings.Contains(rs[0].Text, "已导出 4 位客户") {
		t.Fatalf("delivered %+v, want one reply with a file of 4 customers", rs)
	}
	got, err := sheet.ReadCustomers(rs[0].File.Data)
	if err != nil {
		t.Fatal(err)
	}
	renamed := rowHong
	renamed.Name = "王小红（改名）"
	if want := []sheet.Row{rowWang, renamed, rowZhao, rowHref}; !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %+v, want %+v", got, want)
	}
}

// TestExportNoticeFirst: a large export's 共 N 位客户，正在生成 reaches the
// member before its file even when the file is built at once, before the
// loop gets to queue what the handler returned (no exportHold here). The
// log is the member's one ordered reply queue: what Deliver queues, then
// the handler's replies as the loop queues them.
func TestExportNoticeFirst(t *testing.T) {
	e := exportEnv(t)
	e.r.exportBackground = 2
	var mu sync.Mutex
	var queue []Reply
	e.r.deliver = func(_ context.Context, _ string, rs []Reply) {
		mu.Lock()
		defer mu.Unlock()
		queue = append(queue, rs...)
	}
	replies := e.r.HandleText(context.Background(), "boss", "/export tag:高意向")
	e.r.Wait() // a fast build: delivered before the loop queues the replies
	mu.Lock()
	queue = append(queue, replies...)
	mu.Unlock()
	var order []string
	for _, rp := range queue {
		switch {
		case rp.File != nil:
			order = append(order, "file")
		case strings.Contains(rp.Text, "共 4 位客户，正在生成"):
			order = append(order, "notice")
		default:
			order = append(order, rp.Text)
		}
	}
	if want := []string{"notice", "file"}; !reflect.DeepEqual(order, want) {
		t.Fatalf("the member gets %q, want %q", order, want)
	}
}

// TestExportTextInBackground: a large selection narrowed by a text is
// filtered in the background; when nobody is left the member is told so.
func TestExportTextInBackground(t *testing.T) {
	e := exportEnv(t)
	e.r.exportBackground = 2
	done := make(chan []Reply, 4)
	e.r.deliver = func(_ context.Context, _ string, rs []Reply) { done <- rs }
	notice := func(cmd string) {
		t.Helper()
		if got := e.say("boss", cmd); got != "" {
			t.Fatalf("%s: handler replied %q, want nothing (the notice is delivered)", cmd, got)
		}
		if rs := <-done; len(rs) != 1 || !strings.Contains(rs[0].Text, "共 4 位，按「") || !strings.Contains(rs[0].Text, "」筛选后正在生成") {
			t.Fatalf("%s: first delivered %+v, want 共 4 位，按「…」筛选后正在生成", cmd, rs)
		}
	}
	notice("/export tag:高意向 没有这个人")
	e.r.Wait()
	if rs := <-done; len(rs) != 1 || rs[0].File != nil || !strings.Contains(rs[0].Text, "没有符合条件的客户") {
		t.Fatalf("delivered %+v, want 没有符合条件的客户 and no file", rs)
	}
	notice("/export tag:高意向 王")
	e.r.Wait()
	rs := <-done
	if len(rs) != 1 || rs[0].File == nil {
		t.Fatalf("delivered %+v, want a file", rs)
	}
	got, err := sheet.ReadCustomers(rs[0].File.Data)
	if err != nil {
		t.Fatal(err)
	}
	if want := []sheet.Row{rowWang, rowHong}; !reflect.DeepEqual(got, want) {
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
