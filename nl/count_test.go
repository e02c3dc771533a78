package nl

import (
	"context"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/classify/llmtest"
)

// demoNames is testNames with the demo's tag library (app/demoseed.go):
// channel tags (展会, 抖音 …) live, and tags holding the words a count
// question is made of (中意向 holds 中, 普通客户 holds 客户).
func demoNames() fakeNames {
	n := testNames()
	n.live = []string{"VIP", "普通客户", "潜在客户", "高意向", "中意向", "低意向", "展会", "官网", "转介绍", "抖音",
		"初次接触", "已报价", "已成交", "已流失", "化妆品", "3C数码", "母婴", "价格敏感型", "观望型", "老客户", "和平"}
	n.deleted = []string{"线下活动"}
	for _, c := range []string{"多少", "王有才", "vip张"} { // names made of question words, and of a tag
		n.customers[c] = true
	}
	return n
}

// TestCountPhrasings: the ways a manager asks how many customers carry a
// tag, or several at once, are the /stats of those tags, in the order
// said; nothing else becomes a tag count.
func TestCountPhrasings(t *testing.T) {
	names := demoNames()
	for _, c := range []struct{ say, run string }{
		// how many carry one tag
		{"VIP有多少人", "/stats tag:VIP"},
		{"高意向有多少人", "/stats tag:高意向"},
		{"VIP有几个", "/stats tag:VIP"},
		{"多少个高意向客户", "/stats tag:高意向"},
		{"有多少高意向客户", "/stats tag:高意向"},
		{"有多少VIP", "/stats tag:VIP"},
		{"高意向客户有几位", "/stats tag:高意向"},
		{"有几位VIP客户", "/stats tag:VIP"},
		{"VIP客户有多少位", "/stats tag:VIP"},
		{"有多少位客户是VIP", "/stats tag:VIP"},
		{"VIP多少人", "/stats tag:VIP"},
		{"VIP有多少个客户", "/stats tag:VIP"},
		{"高意向的有几个人", "/stats tag:高意向"},
		{"高意向的人有多少", "/stats tag:高意向"},
		{"已成交客户有多少个？", "/stats tag:已成交"},
		{"总共有多少个VIP", "/stats tag:VIP"},
		{"一共有几个已成交客户", "/stats tag:已成交"},
		{"现在有多少VIP客户", "/stats tag:VIP"},
		{"带VIP标签的客户有几个", "/stats tag:VIP"},
		{"带高意向标签的客户有多少", "/stats tag:高意向"},
		{"打了VIP标签的客户有多少", "/stats tag:VIP"},
		{"VIP的客户数", "/stats tag:VIP"},
		{"高意向客户数量是多少", "/stats tag:高意向"},
		{"中意向客户有多少", "/stats tag:中意向"},
		{"潜在客户有几个", "/stats tag:潜在客户"},
		{"有多少普通客户", "/stats tag:普通客户"},
		{"请问vip有多少人", "/stats tag:VIP"},
		{"看看VIP有多少人", "/stats tag:VIP"},
		{"查一下有多少客户是高意向", "/stats tag:高意向"},
		{"VIP的人数", "/stats tag:VIP"},
		{"VIP的人数是多少", "/stats tag:VIP"},
		{"高意向客户的人数", "/stats tag:高意向"},
		{"多少高意向客户", "/stats tag:高意向"}, // 多少 is a customer, but nothing here asks about them
		{"VIP中高意向有多少", "/stats tag:VIP tag:高意向"},
		{"里面有多少VIP", "/stats tag:VIP"},
		{"中有多少VIP", "/stats tag:VIP"},
		// the asker's own customers: /stats counts those for an employee
		{"我的客户有多少高意向", "/stats tag:高意向"},
		{"我跟进的客户中有多少高意向", "/stats tag:高意向"},
		{"我的客户里有多少VIP", "/stats tag:VIP"},
		{"我负责的客户里面高意向有几个", "/stats tag:高意向"},
		{"我有多少VIP客户", "/stats tag:VIP"},
		{"我的客户中既是高意向又是VIP的有几个", "/stats tag:高意向 tag:VIP"},
		{"我的客户有多少", "/stats"},
		{"我的客户中高意向的有哪些", "/find tag:高意向"},
		// channels
		{"展会来的客户有多少", "/stats tag:展会"},
		{"来自展会的客户有多少", "/stats tag:展会"},
		{"来自抖音渠道的客户有几个", "/stats tag:抖音"},
		{"抖音渠道来的客户有多少", "/stats tag:抖音"},
		{"从官网来的客户有多少", "/stats tag:官网"},
		{"转介绍来的有多少人", "/stats tag:转介绍"},
		{"展会渠道有几个客户", "/stats tag:展会"},
		// overlaps
		{"既是高意向又是VIP的有几个", "/stats tag:高意向 tag:VIP"},
		{"VIP里面有多少高意向", "/stats tag:VIP tag:高意向"},
		{"VIP里有几个高意向", "/stats tag:VIP tag:高意向"},
		{"VIP中有多少是高意向", "/stats tag:VIP tag:高意向"},
		{"VIP当中有几个已成交", "/stats tag:VIP tag:已成交"},
		{"高意向客户中VIP有几位", "/stats tag:高意向 tag:VIP"},
		{"VIP里面中意向的有多少", "/stats tag:VIP tag:中意向"},
		{"高意向和VIP都有的客户有多少", "/stats tag:高意向 tag:VIP"},
		{"高意向和VIP都有的有几个", "/stats tag:高意向 tag:VIP"},
		{"同时有高意向和VIP的客户有多少", "/stats tag:高意向 tag:VIP"},
		{"同时有高意向和VIP标签的有几个", "/stats tag:高意向 tag:VIP"},
		{"是VIP也是高意向的有多少", "/stats tag:VIP tag:高意向"},
		{"高意向的VIP有多少", "/stats tag:高意向 tag:VIP"},
		{"高意向跟VIP重叠的有多少", "/stats tag:高意向 tag:VIP"},
		{"既是VIP又是高意向还是已成交的客户有几个", "/stats tag:VIP tag:高意向 tag:已成交"},
		{"展会来的高意向客户有多少", "/stats tag:展会 tag:高意向"},
		{"高意向又是VIP的有多少", "/stats tag:高意向 tag:VIP"},
		// a change over time is the trend
		{"这个月新增了多少高意向", "/stats trend tag:高意向 since:这个月"},
		{"这周高意向增加了多少", "/stats trend tag:高意向 since:这周"},
		{"这周增加了多少高意向客户", "/stats trend tag:高意向 since:这周"},
		{"VIP这个月减少了多少", "/stats trend tag:VIP since:这个月"},
		// not counts: writes, one customer, history, lists, an employee
		{"给张三打上VIP", "/tag 张三 +VIP"},
		{"张三加个高意向标签", "/tag 张三 +高意向"},
		{"把李四的VIP去掉", "/untag 李四 VIP"},
		{"张三有VIP吗", "/tags 张三"},
		{"张三是不是高意向", "/tags 张三"},
		{"张三是展会来的吗", "/tags 张三"},
		{"张三有多少标签", "/tags 张三"},
		{"李四有几个标签", "/tags 李四"},
		{"王小明昨天有多少标签", "/tags 王小明 at:昨天"},
		{"王小明今天有多少标签", "/tags 王小明"},
		{"VIP张有多少标签", "/tags VIP张"},
		{"VIP张有哪些标签", "/tags VIP张"},
		// a customer whose name is made of question words
		{"多少有哪些标签", "/tags 多少"},
		{"多少有多少标签", "/tags 多少"},
		{"多少有VIP吗", "/tags 多少"},
		{"多少昨天有几个标签", "/tags 多少 at:昨天"},
		{"王有才有多少标签", "/tags 王有才"},
		{"谁改了张三的标签", "/history 张三"},
		{"谁给王小明打了高意向", "/history 王小明 tag:高意向"},
		{"谁把王小明的VIP删了", "/history 王小明 tag:VIP"},
		{"昨天谁删了VIP标签", "/history tag:VIP since:昨天 until:昨天"},
		{"高意向又是VIP的客户有哪些", "/find tag:高意向 tag:VIP"},
		{"lisi这周打了多少标签", "/stats @lisi since:这周"},
		{"高意向这个月的趋势", "/stats trend tag:高意向 since:这个月"},
	} {
		t.Run(c.say, func(t *testing.T) {
			r := Parse(c.say, names)
			if r.Kind != Run || r.Slash != c.run {
				t.Errorf("Parse(%q) = kind %v %q (ask %q), want %q", c.say, r.Kind, r.Slash, r.Ask, c.run)
			}
			if r.Write != isWriteSlash(c.run) {
				t.Errorf("Parse(%q) write = %v", c.say, r.Write)
			}
		})
	}
}

// TestCountAsksBack: a count question naming no tag is asked back in the
// user's own spelling, and one the patterns cannot read at all gets a
// hint showing how to ask for a count; nothing runs.
func TestCountAsksBack(t *testing.T) {
	names := demoNames()
	for _, c := range []struct{ say, ask string }{
		{"VIPP有多少人", "「VIPP」是指「VIP」吗？如果是请用正确的标签名再问一次。"},
		{"Vipp客户有几个", "「Vipp」是指「VIP」吗？如果是请用正确的标签名再问一次。"},
		{"ＶＩＰＰ有多少人", "「VIPP」是指「VIP」吗？如果是请用正确的标签名再问一次。"},
		{"VIP里面有多少高意", "「高意」是指「高意向」吗？如果是请用正确的标签名再问一次。"},
		{"敏感小猫客户有多少", "没有标签「敏感小猫」。发送 /groups 查看标签库。"},
		{"有多少客户是敏感小猫", "没有标签「敏感小猫」。发送 /groups 查看标签库。"},
		{"线下活动来的客户有多少", "没有标签「线下活动」。发送 /groups 查看标签库。"},
		{"VIP有多少钱", countHint},
		// 中 and 和 read as "among" and "and" only after what they join
		{"中高意向有多少", "「中高意向」是指「中意向」吗？如果是请用正确的标签名再问一次。"},
		{"有多少中高意向客户", "「中高意向」是指「中意向」吗？如果是请用正确的标签名再问一次。"},
		{"VIP里面中高意向有几个", "「中高意向」是指「中意向」吗？如果是请用正确的标签名再问一次。"},
		{"和VIP有多少", "「和VIP」是指「VIP」吗？如果是请用正确的标签名再问一次。"},
	} {
		t.Run(c.say, func(t *testing.T) {
			r := Parse(c.say, names)
			if r.Kind == Run || r.Ask != c.ask {
				t.Errorf("Parse(%q) = kind %v %q ask %q, want ask %q", c.say, r.Kind, r.Slash, r.Ask, c.ask)
			}
		})
	}
}

// TestWriteEchoesSpelling: an unknown tag in a write is echoed as typed,
// not lower-cased.
func TestWriteEchoesSpelling(t *testing.T) {
	r := Parse("给张三打上VIPP", demoNames())
	if want := "「VIPP」是指「VIP」吗？"; !strings.HasPrefix(r.Ask, want) {
		t.Errorf("Parse(给张三打上VIPP) ask %q, want it to start %q", r.Ask, want)
	}
}

// TestNotUnderstoodSuggestsCount: the reply to a sentence nothing read
// shows a count among its examples, and the example parses to /stats.
func TestNotUnderstoodSuggestsCount(t *testing.T) {
	for _, reply := range []string{notUnderstood, countHint} {
		if !strings.Contains(reply, "高意向客户有多少") {
			t.Errorf("reply %q shows no count question", reply)
		}
	}
	if r := Parse("高意向客户有多少", demoNames()); r.Slash != "/stats tag:高意向" {
		t.Errorf("the example parses to %q", r.Slash)
	}
}

// TestCountHintAsksModel: a count question the patterns only half read
// goes to the model when one is configured, and is answered with the
// count hint when none is.
func TestCountHintAsksModel(t *testing.T) {
	const say = "VIP客户占多少"
	if r := Parse(say, testNames()); r.Ask != countHint {
		t.Fatalf("patterns: %v %q ask %q, want the count hint", r.Kind, r.Slash, r.Ask)
	}
	srv := llmtest.New(t)
	srv.Script(llmtest.Calls(llmtest.Call("stats", map[string]any{"kind": "tags", "tags": []string{"VIP"}})))
	r := newLLMParser(t, srv, 20, 0).Parse(context.Background(), say, testNames())
	if r.Kind != Run || r.Slash != "/stats tag:VIP" || len(srv.Requests()) != 1 {
		t.Errorf("with a model: %v %q ask %q after %d requests, want /stats tag:VIP after 1", r.Kind, r.Slash, r.Ask, len(srv.Requests()))
	}
	if r := (*Parser)(nil).Parse(context.Background(), say, testNames()); r.Ask != countHint {
		t.Errorf("without a model: %v %q ask %q, want the count hint", r.Kind, r.Slash, r.Ask)
	}
}

// TestCountColleagueCustomers: a count over a colleague's customers has
// no command (/stats counts the asker's own, or all for a manager); the
// reply says so and what to send instead, and nothing runs.
func TestCountColleagueCustomers(t *testing.T) {
	names := demoNames()
	for _, c := range []struct {
		say  string
		want []string
	}{
		{"孙七跟进的客户中有多少高意向", []string{"没有按同事统计客户", "/stats tag:高意向", "/stats @sunqi"}},
		{"孙七有多少VIP客户", []string{"没有按同事统计客户", "/stats tag:VIP", "/stats @sunqi"}},
		{"孙七的客户有多少", []string{"没有按同事统计客户", "/stats ", "/stats @sunqi"}},
		{"王芳的客户里有几个VIP", []string{"/stats tag:VIP", "/stats @wangfang", "/stats @wangfang2"}},
		{"张三跟进的客户有多少高意向", []string{"/stats tag:高意向", "/stats @zhangsan", "/tags 张三"}}, // also a customer
	} {
		t.Run(c.say, func(t *testing.T) {
			r := Parse(c.say, names)
			if r.Kind != Ask {
				t.Fatalf("Parse(%q) = kind %v %q ask %q, want a question back", c.say, r.Kind, r.Slash, r.Ask)
			}
			for _, w := range c.want {
				if !strings.Contains(r.Ask, w) {
					t.Errorf("Parse(%q) ask %q, want it to hold %q", c.say, r.Ask, w)
				}
			}
		})
	}
}

// TestHowManyIsNeverAWrite: a sentence asking how many customers is not a
// write, even when a customer is named 多少 and the rest reads as one
// (多少客户需要打上高意向 wrote 高意向 on that customer at once after
// /set confirm off, and 多少客户打上了高意向 went down the write path). A
// write naming the customer 多少 without 客户 after it stays a write.
func TestHowManyIsNeverAWrite(t *testing.T) {
	names := demoNames()
	for _, say := range []string{"多少客户需要打上高意向", "多少客户该打上高意向", "多少客户打上了高意向", "几位客户要打上VIP", "多少个人打上了VIP"} {
		t.Run(say, func(t *testing.T) {
			if r := Parse(say, names); r.Write || r.Kind == Run && r.Cmd.Name == "tag" {
				t.Errorf("Parse(%q) = %q, a write", say, r.Slash)
			}
		})
	}
	if r := Parse("给多少打上高意向", names); !r.Write {
		t.Errorf("Parse(给多少打上高意向) = kind %v %q ask %q, want the write to the customer 多少", r.Kind, r.Slash, r.Ask)
	}
}
