package commands

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestBadInputRepliesSayWhatNext runs input a user gets wrong: each reply
// says what to do instead, and nothing is written unless the row says so.
func TestBadInputRepliesSayWhatNext(t *testing.T) {
	type row struct {
		user, cmd string
		setup     []string // tag ids on c1/zhangsan beforehand (by mgr)
		want      string
		not       string   // must not appear
		wrote     bool     // an effective change-set expected
		tags      []string // c1/zhangsan afterwards, sorted
	}
	rows := []row{
		// /untag only removes.
		{user: "zhangsan", cmd: "/untag 王小明 +咖啡", want: "/untag 只删除标签；加标签请用 /tag 王小明 +咖啡"},
		{user: "zhangsan", cmd: "/删标签 王小明 保健品 +咖啡 @zhangsan", setup: []string{"t11"}, want: "加标签请用 /tag 王小明 +咖啡 @zhangsan", tags: []string{"保健品"}},
		// A sign standing alone.
		{user: "zhangsan", cmd: "/tag 王小明 + 高意向", want: "「+」后面不要有空格：/tag 王小明 +高意向"},
		{user: "zhangsan", cmd: "/tag 王小明 ＋ 高意向 咖啡", want: "「+」后面不要有空格：/tag 王小明 +高意向 咖啡"},
		{user: "zhangsan", cmd: "/tag 王小明 - 咖啡", setup: []string{"t12"}, want: "「-」后面不要有空格：/tag 王小明 -咖啡", tags: []string{"咖啡"}},
		{user: "zhangsan", cmd: "/untag 王小明 + 咖啡", want: "「+」后面不要有空格：/tag 王小明 +咖啡"},
		{user: "zhangsan", cmd: "/tag 王小明 +", want: "「+」后面要紧跟标签名，不要有空格，例如 /tag 王小明 +高意向"},
		// Lists at commas: every part keeps the sign.
		{user: "zhangsan", cmd: "/tag 王小明 +高意向，咖啡", want: "添加「高意向」「咖啡」", wrote: true, tags: []string{"咖啡", "高意向"}},
		{user: "zhangsan", cmd: "/tag 王小明 +高意向,咖啡 保健品", want: "添加「高意向」「咖啡」「保健品」", wrote: true, tags: []string{"保健品", "咖啡", "高意向"}},
		{user: "zhangsan", cmd: "/untag 王小明 咖啡、保健品", setup: []string{"t11", "t12"}, want: "移除「咖啡」「保健品」", wrote: true},
		{user: "zhangsan", cmd: "/tag 王小明 +高意向，火星", want: "没有标签「火星」"},
		// Conflicting or exclusive tags in one command.
		{user: "zhangsan", cmd: "/tag 王小明 +咖啡 -咖啡", want: "「咖啡」不能同时加和删。请只写一次：要加写 +咖啡，要删写 -咖啡。"},
		{user: "zhangsan", cmd: "/tag 王小明 +高意向 +低意向", want: "只能选一个：「高意向」或「低意向」。请只保留一个再发送，例如 /tag 王小明 +高意向"},
		// @mentions.
		{user: "mgr", cmd: "/tag 王小明 +高意向 @nobody", want: "nobody 不是 王小明 的跟进人（跟进人：lisi、zhangsan）。请改成 @lisi 或 @zhangsan，或去掉 @nobody。"},
		{user: "mgr", cmd: "/tags 王小明 @nobody", want: "nobody 不是 王小明 的跟进人（跟进人：lisi、zhangsan）。请改成 @lisi"},
		{user: "zhangsan", cmd: "/tags 王小明 @lisi", want: "你只能查看自己跟进关系上的标签（@lisi 是别人的）。去掉 @lisi 即可查看你自己的。"},
		// Reading a colleague's customer.
		{user: "zhangsan", cmd: "/tags 赵敏", want: "你不能查看 赵敏 的标签：你不是这位客户的跟进人。请联系跟进人 lisi 或主管。"},
		{user: "zhangsan", cmd: "/history 赵敏", want: "你不能查看 赵敏 的标签：你不是这位客户的跟进人。请联系跟进人 lisi 或主管。"},
		{user: "zhangsan", cmd: "/find 赵敏", want: "你跟进的客户里没有「赵敏」。同事跟进的客户里有 1 位：\n· 赵敏 跟进人：lisi\n你不能查看或修改他们的标签", not: "标签："},
		{user: "zhangsan", cmd: "/find 火星人", want: "没有找到「火星人」。可以用姓名、备注、手机号查找"},
		// A fragment: reads resolve it, writes ask for #1.
		{user: "zhangsan", cmd: "/tag 小红 +高意向", want: "「小红」只是部分匹配，找到 1 位客户：\n1. 王小红\n为免改错客户，请确认：直接发送 #1，或 /tag #1 +高意向"},
		{user: "zhangsan", cmd: "/tags 小红", want: "王小红 的标签："},
		{user: "zhangsan", cmd: "/tag 王总 +咖啡", want: "已为 王小明 添加「咖啡」", wrote: true, tags: []string{"咖啡"}},
		{user: "zhangsan", cmd: "/tag 13800000001 +咖啡", want: "已为 王小明 添加「咖啡」", wrote: true, tags: []string{"咖啡"}},
		// Extra arguments.
		{user: "zhangsan", cmd: "/tags 王小明 王小红", want: "看不懂「王小红」：/tags 一次查看一位客户（名字里有空格请加引号）。用法：/tags <客户> [@跟进人]"},
		{user: "zhangsan", cmd: "/whoami extra", want: "/whoami 不带参数，直接发送 /whoami 即可。"},
		{user: "zhangsan", cmd: "/groups x", want: "/groups 不带参数，直接发送 /groups 即可。"},
		{user: "zhangsan", cmd: "/cancel now", want: "/cancel 不带参数，直接发送 /cancel 即可。"},
		{user: "zhangsan", cmd: "/help tag untag", want: "/help 一次说明一个命令，例如 /help tag。用法：/help [命令]"},
		// /find by one tag or several.
		{user: "zhangsan", cmd: "/find tag:咖啡", want: "没有客户有「咖啡」。发送 /groups 查看标签库。", not: "同时"},
		{user: "zhangsan", cmd: "/find tag:咖啡 tag:高意向", want: "没有客户同时有「咖啡」「高意向」。可以少写几个标签再找。"},
		// Unknown commands: suggestions only when close.
		{user: "zhangsan", cmd: "/xyz", want: "没有这个命令 /xyz。发送 /help 查看全部命令", not: "是不是"},
		{user: "zhangsan", cmd: "/abcdefgh 王小明", want: "没有这个命令 /abcdefgh。", not: "是不是"},
		{user: "zhangsan", cmd: "/分组", want: "没有这个命令 /分组，你是不是想用 /groups？"},
		{user: "zhangsan", cmd: "/查看历史", want: "你是不是想用 /history？"},
		{user: "zhangsan", cmd: "/hist", want: "你是不是想用 /history？"},
		{user: "zhangsan", cmd: "/un 王小明", want: "你是不是想用 /untag 或 /undo？"},
		{user: "zhangsan", cmd: "/tga 王小明 +咖啡", want: "你是不是想用 /tag？"},
		{user: "zhangsan", cmd: "/help 分组", want: "你是不是想用 /groups？"},
	}
	for i, tc := range rows {
		t.Run(fmt.Sprintf("%02d_%s", i, tc.cmd), func(t *testing.T) {
			e := newEnv(t)
			if len(tc.setup) > 0 {
				e.apply("mgr", "c1", "zhangsan", tc.setup...)
			}
			before := len(e.ledger())
			got := e.mustSay(tc.user, tc.cmd, tc.want)
			if tc.not != "" && strings.Contains(got, tc.not) {
				t.Fatalf("reply has %q:\n%s", tc.not, got)
			}
			added := e.ledger()[:len(e.ledger())-before]
			if wrote := len(added) > 0 && added[0].Effective(); wrote != tc.wrote || (!tc.wrote && len(added) > 0) {
				t.Fatalf("ledger grew by %+v, want a change: %v", added, tc.wrote)
			}
			if got := e.tagNames("c1", "zhangsan"); !slices.Equal(got, tc.tags) {
				t.Fatalf("c1/zhangsan tags %v, want %v", got, tc.tags)
			}
		})
	}
}

// TestFragmentWriteConfirmedWithPick: the #1 the fragment list asks for
// writes to the customer shown.
func TestFragmentWriteConfirmedWithPick(t *testing.T) {
	e := newEnv(t)
	e.mustSay("zhangsan", "/tag 小红 +高意向", "直接发送 #1")
	if n := len(e.ledger()); n != 0 {
		t.Fatalf("a fragment wrote %d change-sets", n)
	}
	e.mustSay("zhangsan", "#1", "已为 王小红 添加「高意向」")
	e.mustSay("zhangsan", "/untag 小红 高意向", "只是部分匹配")
	e.mustSay("zhangsan", "/untag #1 高意向", "已为 王小红 移除「高意向」")
}

// TestLongInputRefusedAndEchoesClipped: a message over MaxInputRunes gets
// one short reply; user text quoted back is clipped.
func TestLongInputRefusedAndEchoesClipped(t *testing.T) {
	e := newEnv(t)
	long := "/tag 王小明 +" + strings.Repeat("高", 5000)
	got := e.mustSay("zhangsan", long, "消息太长（5010 字），我只处理 500 字以内的命令，什么都没有改。")
	if len(got) > 300 {
		t.Fatalf("refusal is %d bytes", len(got))
	}
	if n := len(e.ledger()); n != 0 {
		t.Fatalf("long input wrote %d change-sets", n)
	}
	name := strings.Repeat("李", 400)
	cut := strings.Repeat("李", echoRunes/2) + "…" + strings.Repeat("李", echoRunes/2) // cut in the middle
	for _, tc := range []struct{ cmd, want string }{
		{"/tag " + name + " +咖啡", "没有找到客户「" + cut + "」"},
		{"/tag 王小明 +" + name, "没有标签「" + cut + "」"},
		{"/" + name, "没有这个命令 /" + cut},
		{"/undo " + name, "「" + cut + "」不是变更号"},
		{"/history since:" + name, "看不懂时间「" + cut + "」"},
		{"/find " + name, "没有找到「" + cut + "」"},
	} {
		got := e.mustSay("zhangsan", tc.cmd, tc.want)
		if n := utf8.RuneCountInString(got); n > 200 {
			t.Errorf("%.20s…: reply has %d runes:\n%s", tc.cmd, n, got)
		}
	}
	if got := clip("王小明"); got != "王小明" {
		t.Fatalf("clip of a short text: %q", got)
	}
}
