package commands

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tagbot/tagbot/store"
)

// fakeNatural stands in for nl.Natural: it knows a few sentences, and
// checks them against the store through the Names it is given.
func fakeNatural(_ context.Context, text string, names Names) Natural {
	switch text {
	case "给王小明打上高意向":
		if !names.Customer("王小明") {
			return Natural{Ask: "no customer"}
		}
		t, _ := names.Tag("高意向")
		return Natural{Cmd: &Command{Slash: true, Name: "tag", Args: []Token{{Kind: Word, Value: "王小明"}, {Kind: AddTag, Value: t}}}, Write: true}
	case "给王小打上高意向": // a fragment: the command lists 王小明 and 王小红
		return Natural{Cmd: &Command{Slash: true, Name: "tag", Args: []Token{{Kind: Word, Value: "王小"}, {Kind: AddTag, Value: "高意向"}}}, Write: true}
	case "王小明有哪些标签":
		return Natural{Cmd: &Command{Slash: true, Name: "tags", Args: []Token{{Kind: Word, Value: "王小明"}}}}
	case "高意":
		return Natural{Ask: "「高意」是指「高意向」吗？"}
	case "撤销":
		return Natural{Cmd: &Command{Slash: true, Name: "undo"}, Write: true}
	case "两条":
		return Natural{Write: true, Steps: []NaturalStep{{Cmd: natTag("高意向"), Write: true}, {Cmd: natTag("咖啡"), Write: true}}}
	case "一读一写":
		read := Command{Slash: true, Name: "tags", Args: []Token{{Kind: Word, Value: "王小明"}}}
		return Natural{Write: true, Steps: []NaturalStep{{Cmd: read}, {Cmd: natTag("高意向"), Write: true}}}
	case "给王小明打上VIP": // VIP is protected: employees may not change it
		c := natTag("VIP")
		return Natural{Cmd: &c, Write: true}
	case "给赵敏打上高意向": // zhangsan does not follow 赵敏
		return Natural{Cmd: &Command{Slash: true, Name: "tag", Args: []Token{{Kind: Word, Value: "赵敏"}, {Kind: AddTag, Value: "高意向"}}}, Write: true}
	case "两条，一条被拒":
		return Natural{Write: true, Steps: []NaturalStep{{Cmd: natTag("高意向"), Write: true}, {Cmd: natTag("VIP"), Write: true}}}
	case "有几个客户是高意向":
		return Natural{Cmd: &Command{Slash: true, Name: "stats", Args: []Token{{Kind: Filter, Key: "tag", Value: "高意向"}}}}
	case "模型提议":
		c := natTag("高意向")
		return Natural{Cmd: &c, Write: true, Confirm: true}
	}
	return Natural{}
}

// natTag is /tag 王小明 +tag.
func natTag(tag string) Command {
	return Command{Slash: true, Name: "tag", Args: []Token{{Kind: Word, Value: "王小明"}, {Kind: AddTag, Value: tag}}}
}

// natEnv is env with a router that has the fake natural-language parser.
func natEnv(t *testing.T) *env {
	e := newEnv(t)
	r, err := NewRouter(Options{Store: e.st, Config: testConfig(), Now: e.clk.Now, Natural: fakeNatural})
	if err != nil {
		t.Fatal(err)
	}
	e.r = r
	return e
}

func TestNaturalDialogue(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps [][2]string // say, want in the reply
		tags  int         // tags of 王小明 via zhangsan at the end
	}{
		{"write waits for 确认", [][2]string{{"给王小明打上高意向", "（即 /tag 王小明 +高意向）确认吗？回复 确认 / 取消"}, {"确认", "已为 王小明 添加「高意向」"}}, 1},
		{"好 confirms too", [][2]string{{"给王小明打上高意向", "确认吗"}, {"好", "添加「高意向」"}}, 1},
		{"算了 cancels", [][2]string{{"给王小明打上高意向", "确认吗"}, {"算了", "已取消「/tag 王小明 +高意向」"}, {"确认", "没看懂"}}, 0},
		{"确认 alone is just text", [][2]string{{"确认", "没看懂这句话，什么都没有改"}}, 0},
		{"expired", [][2]string{{"给王小明打上高意向", "确认吗"}, {"@11m", ""}, {"确认", "没看懂"}}, 0},
		{"#1 after 确认 picks from the command's list", [][2]string{{"给王小打上高意向", "确认吗"}, {"确认", "找到 2 位客户"}, {"#1", "已为 王小明 添加「高意向」"}}, 1},
		{"read at once", [][2]string{{"王小明有哪些标签", "（即 /tags 王小明）"}}, 0},
		{"an employee's count says whose customers it counts", [][2]string{{"有几个客户是高意向", "（即 /stats tag:高意向；只算你跟进的客户）"}}, 0},
		{"question back", [][2]string{{"高意", "「高意」是指「高意向」吗？"}}, 0},
		{"confirm off", [][2]string{{"/set confirm off", "不再先问确认"}, {"给王小明打上高意向", "已为 王小明 添加「高意向」"}}, 1},
		{"confirm back on", [][2]string{{"/set confirm off", "不再"}, {"/set confirm on", "先问你确认"}, {"给王小明打上高意向", "确认吗"}}, 0},
		{"/set usage", [][2]string{{"/set confirm maybe", "用法：/set confirm on|off"}}, 0},
		// 撤销 names the change it means when asked: a change made before
		// 确认 is not the one undone (a review: it was)
		{"several writes, one 确认", [][2]string{{"两条", "要执行这 2 条命令：\n1. /tag 王小明 +高意向\n2. /tag 王小明 +咖啡\n确认吗"},
			{"确认", "添加「咖啡」"}}, 2},
		{"several writes cancelled together", [][2]string{{"两条", "确认吗"}, {"取消", "已取消"}}, 0},
		{"several writes, confirm off", [][2]string{{"/set confirm off", "不再"}, {"两条", "（即 /tag 王小明 +咖啡）"}}, 2},
		{"a read runs, the write waits", [][2]string{{"一读一写", "（即 /tags 王小明）"}, {"取消", "已取消"}}, 0},
		{"the model's write asks even with confirm off", [][2]string{{"/set confirm off", "不再"}, {"模型提议", "确认吗"}, {"确认", "添加「高意向」"}}, 1},
		{"撤销 pins its target", [][2]string{{"/tag 王小明 +高意向", "变更 #1"}, {"撤销", "（即 /undo 1）确认吗"},
			{"/tag 王小明 +咖啡", "变更 #2"}, {"确认", "#1"}}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := natEnv(t)
			for _, st := range tc.steps {
				if d, ok := strings.CutPrefix(st[0], "@"); ok {
					dur, _ := time.ParseDuration(d)
					e.clk.Advance(dur)
					continue
				}
				e.mustSay("zhangsan", st[0], st[1])
			}
			rel, err := e.st.Relationship("c1", "zhangsan")
			if err != nil {
				t.Fatal(err)
			}
			if len(rel.Tags) != tc.tags {
				t.Errorf("王小明 has %d tags via zhangsan (%v), want %d", len(rel.Tags), rel.Tags, tc.tags)
			}
		})
	}
}

func TestStoreNames(t *testing.T) {
	e := natEnv(t)
	n := e.r.names("zhangsan")
	type got struct {
		Customer, Fragment, Mobile bool
		Tag                        string
		Me                         string
	}
	tag, _ := n.Tag("高意向")
	have := got{n.Customer("王小明"), n.Customer("王"), n.Customer("13800000001"), tag, n.Me()}
	want := got{true, false, true, "高意向", "zhangsan"}
	if have != want {
		t.Errorf("names = %+v, want %+v", have, want)
	}
	if n2 := e.r.names("lisi"); n2.(storeNames).tags != n.(storeNames).tags {
		t.Error("tag names rebuilt although the library did not change")
	}
}

// TestNaturalRefusedAtOnce: a plain-language write the user may not make
// (a protected tag, a customer they do not follow) is refused when said,
// not proposed and refused after 确认; the refusal is recorded once, like
// a denied command, and nothing waits for 确认.
func TestNaturalRefusedAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name, say, want string
		customer        string // whose ledger holds the denied attempt
	}{
		{"protected tag", "给王小明打上VIP", "VIP", "c1"},
		{"not the user's customer", "给赵敏打上高意向", "赵敏", "c3"},
		{"one of several steps", "两条，一条被拒", "VIP", "c1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := natEnv(t)
			got := e.say("zhangsan", tc.say)
			if strings.Contains(got, "确认吗") || !strings.Contains(got, tc.want) {
				t.Fatalf("say %q = %q, want the refusal naming %q at once, no 确认", tc.say, got, tc.want)
			}
			if got := e.say("zhangsan", "确认"); !strings.Contains(got, "没看懂") {
				t.Errorf("确认 after the refusal = %q, want nothing pending", got)
			}
			css, err := e.st.History(store.Query{Customer: tc.customer, IncludeDenied: true})
			if err != nil {
				t.Fatal(err)
			}
			denied := 0
			for _, cs := range css {
				if cs.Denied != "" {
					denied++
				}
				if cs.Denied == "" && cs.Actor == "zhangsan" {
					t.Errorf("change-set %v applied; nothing must be written", cs.ID)
				}
			}
			if denied != 1 {
				t.Errorf("%d denied attempts recorded, want 1", denied)
			}
		})
	}
}
