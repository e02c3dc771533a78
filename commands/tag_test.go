package commands

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

func TestAmbiguousCustomerPick(t *testing.T) {
	e := newEnv(t)
	// 王 matches 王小明, 王小红, 王大明 (sorted by id: c1, c2, c4).
	got := e.mustSay("zhangsan", "/tag 王 +高意向", "找到 3 位客户：\n1. 王小明（小明科技，备注 王总）\n2. 王小红\n3. 王大明")
	if !strings.Contains(got, "请用 #2 这样的编号指定") || !strings.Contains(got, "/tag #1 +高意向") {
		t.Fatalf("no pick hint: %s", got)
	}
	if n := len(e.ledger()); n != 0 {
		t.Fatalf("ambiguous command wrote %d change-sets", n)
	}
	e.mustSay("zhangsan", "/tag #2 +高意向", "已为 王小红 添加「高意向」")
	if got := e.tagNames("c2", "zhangsan"); !slices.Equal(got, []string{"高意向"}) {
		t.Fatalf("c2 tags %v", got)
	}
	// A bare #3 reruns the command that produced the list.
	e.mustSay("zhangsan", "＃3", "已为 王大明 添加「高意向」")
	// The list is per user.
	e.mustSay("lisi", "/tag #1 +咖啡", "没有可以用 # 选择的列表")
	e.mustSay("zhangsan", "/tag #9 +咖啡", "#9 不在列表里（/tag 王 +高意向 的列表），请用 #1 到 #3。")
	// Lists expire after PickTTL.
	e.clk.Advance(PickTTL + time.Second)
	e.mustSay("zhangsan", "#1", "没有可以用 # 选择的列表")
	// Managers see every follower's customers; employees only their own.
	// A fragment matching one customer is confirmed with #1 before a write.
	e.mustSay("lisi", "/tag 王 +咖啡", "「王」只是部分匹配，找到 1 位客户：\n1. 王小明")
	e.mustSay("lisi", "#1", "已为 王小明 添加「咖啡」")
	e.mustSay("mgr", "/tags 王", "找到 3 位客户")
	e.mustSay("mgr", "#1", "王小明（小明科技，备注 王总） 的标签：\n跟进人 lisi：\n兴趣：咖啡")
}

func TestFindListFeedsPick(t *testing.T) {
	e := newEnv(t)
	e.apply("zhangsan", "c1", "zhangsan", "t3")
	e.apply("zhangsan", "c4", "zhangsan", "t3")
	e.apply("lisi", "c3", "lisi", "t3")
	got := e.mustSay("zhangsan", "/find tag:高意向", "有「高意向」的客户（第 1 页）：\n1. 王小明（小明科技，备注 王总）\n2. 王大明\n")
	if strings.Contains(got, "赵敏") {
		t.Fatalf("employee sees another's customer: %s", got)
	}
	e.mustSay("zhangsan", "/tags #2", "王大明 的标签")
	e.mustSay("mgr", "/find tag:高意向", "2. 赵敏 跟进人 lisi")
	e.mustSay("mgr", "/find tag:高意向 tag:咖啡", "没有客户同时有「高意向」「咖啡」")
	e.mustSay("mgr", "/find tag:高意向 小明", "1. 王小明")
}

func TestFindPaging(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 23; i++ {
		id := "p" + string(rune('a'+i))
		if err := e.st.UpsertCustomer(store.Customer{ID: id, Name: "批量客户" + id}, []store.FollowInfo{{Follower: "zhangsan"}}); err != nil {
			t.Fatal(err)
		}
		e.apply("zhangsan", id, "zhangsan", "t12")
	}
	e.mustSay("zhangsan", "/find tag:咖啡", "下一页：/find tag:咖啡 page:2")
	got := e.mustSay("zhangsan", "/find tag:咖啡 page:3", "（第 3 页）")
	if strings.Count(got, "批量客户") != 3 || strings.Contains(got, "下一页") {
		t.Fatalf("page 3: %s", got)
	}
	e.mustSay("zhangsan", "/find tag:咖啡 page:4", "没有第 4 页")
	e.mustSay("zhangsan", "/find 批量", "找到 23 位客户（第 1 页）")
	got = e.mustSay("zhangsan", "/find 批量 page:3", "（第 3 页）")
	if strings.Count(got, "批量客户") != 3 {
		t.Fatalf("text page 3: %s", got)
	}
}

func TestUnknownTagDidYouMean(t *testing.T) {
	e := newEnv(t)
	e.mustSay("zhangsan", "/tag 王小明 +高意象", "没有标签「高意象」。相近的有：「高意向」")
	e.mustSay("zhangsan", "/tag 王小明 +意向", "相近的有：「中意向」「低意向」「高意向」（/groups 查看标签库）")
	e.mustSay("zhangsan", "/tag 王小明 +火星人", "没有标签「火星人」。发送 /groups 查看标签库。")
	e.mustSay("zhangsan", "/tag 王小明 +vip", "受保护标签") // case-insensitive match of VIP
	e.mustSay("zhangsan", "/tag 王小明 +兴趣/咖啡", "添加「咖啡」")
	// A deleted tag points to /restore.
	lib := testLibrary
	lib.Tags = slices.DeleteFunc(slices.Clone(lib.Tags), func(t store.Tag) bool { return t.ID == "t11" })
	if _, err := e.st.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	e.mustSay("zhangsan", "/tag 王小明 +保健品", "标签「保健品」已在 11-21 15:04 从标签库删除。管理员可以用 /restore tag 保健品 恢复。")
	if n := len(e.ledger()); n != 2 { // the denied +vip and the +咖啡
		t.Fatalf("ledger has %d change-sets", n)
	}
}

func TestDuplicateTagNamesAcrossGroups(t *testing.T) {
	e := newEnv(t)
	lib := testLibrary
	lib.Tags = append(slices.Clone(lib.Tags), store.Tag{ID: "t20", GroupID: "g5", GroupName: "兴趣", Name: "高意向"})
	if _, err := e.st.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	e.mustSay("zhangsan", "/tag 王小明 +高意向", "「高意向」在多个标签组里")
	e.mustSay("zhangsan", "/tag 王小明 +兴趣/高意向", "添加「高意向」")
	if cs := e.ledger()[0]; cs.Add[0].ID != "t20" {
		t.Fatalf("added %v", cs.Add)
	}
}

func TestExclusiveReplacementInOneChangeSet(t *testing.T) {
	e := newEnv(t)
	e.mustSay("zhangsan", "/tag 王小明 +低意向 +咖啡", "添加「低意向」「咖啡」")
	got := e.mustSay("zhangsan", "/tag 王小明 +高意向", "添加「高意向」，移除「低意向」")
	if !strings.Contains(got, "「意向程度」组内互斥，已自动去掉其它标签") {
		t.Fatalf("no exclusivity note: %s", got)
	}
	cs := e.ledger()[0]
	if len(cs.Add) != 1 || cs.Add[0].Name != "高意向" || len(cs.Remove) != 1 || cs.Remove[0].Name != "低意向" {
		t.Fatalf("replacement not one change-set: %+v", cs)
	}
	if got := e.tagNames("c1", "zhangsan"); !slices.Equal(got, []string{"咖啡", "高意向"}) {
		t.Fatalf("tags %v", got)
	}
	// One /undo takes back the whole replacement.
	e.mustSay("zhangsan", "/undo", "已撤销 #2：王小明 添加「低意向」，移除「高意向」")
	if got := e.tagNames("c1", "zhangsan"); !slices.Equal(got, []string{"低意向", "咖啡"}) {
		t.Fatalf("after undo %v", got)
	}
	// Exclusive groups are per relationship: lisi's relationship is separate.
	e.mustSay("lisi", "/tag 王小明 +中意向", "添加「中意向」（变更")
	// Adding and removing the same tag is refused.
	e.mustSay("zhangsan", "/tag 王小明 +咖啡 -咖啡", "「咖啡」不能同时加和删")
	e.verify()
}

func TestPlainTextUnknownCommandAndInternalError(t *testing.T) {
	e := newEnv(t)
	e.mustSay("zhangsan", "给王小明打个高意向", "我现在只认识以 / 开头的命令")
	e.mustSay("zhangsan", "/xxx", "没有这个命令 /xxx。发送 /help 查看全部命令")
	e.mustSay("zhangsan", "/histroy", "你是不是想用 /history？")
	e.mustSay("zhangsan", "/untg 王小明 咖啡", "你是不是想用 /untag？")
	e.mustSay("zhangsan", `/tag "王 小明 +高意向`, "引号没有配对")
	// A store failure is logged under an id; the user sees only the id.
	e.st.Close()
	got := e.mustSay("zhangsan", "/tag 王小明 +高意向", "内部错误（编号 ")
	e.mustSay("zhangsan", "/tags 王小明", "内部错误（编号 ")
	id := strings.TrimSuffix(strings.TrimPrefix(got, "内部错误（编号 "), "），请稍后再试")
	logs := e.logs.String()
	if !strings.Contains(logs, "error_id="+id) || !strings.Contains(logs, "database closed") {
		t.Fatalf("internal error not logged: %s", logs)
	}
	if strings.Contains(logs, "王小明") {
		t.Fatalf("message body logged: %s", logs)
	}
}
