package commands

import (
	"errors"
	"reflect"
	"testing"
)

func TestParseSelection(t *testing.T) {
	tests := []struct {
		in   string
		want Selection
		err  bool
	}{
		{"/export tag:高意向", Selection{Include: []string{"高意向"}}, false},
		{"/export tag:高意向 and not tag:已成交", Selection{Include: []string{"高意向"}, Exclude: []string{"已成交"}}, false},
		{"/export not tag:已成交 tag:VIP AND tag:华东", Selection{Include: []string{"VIP", "华东"}, Exclude: []string{"已成交"}}, false},
		{"/export 标签:高意向 且 非 标签:VIP 王", Selection{Include: []string{"高意向"}, Exclude: []string{"VIP"}, Text: "王"}, false},
		{"/export \"tag:a b\" tag:\"c d\"", Selection{Include: []string{"c d"}, Text: "tag:a b"}, false},
		{"/export not tag:已成交", Selection{}, true},
		{"/export tag:a not", Selection{}, true},
		{"/export not 王 tag:a", Selection{}, true},
		{"/export tag:a or tag:b", Selection{}, true},
		{"/export tag:a page:2", Selection{}, true},
		{"/export tag:a +b", Selection{}, true},
		{"/export", Selection{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cmd, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseSelection(cmd.Args)
			var ue *UserError
			if tt.err != (err != nil) || (err != nil && !errors.As(err, &ue)) {
				t.Fatalf("err = %v, want error %v (a *UserError)", err, tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v (Include, Exclude or Text differs)", got, tt.want)
			}
		})
	}
}

// FuzzParseSelection: any message parses to a selection with at least one
// included tag and no empty tag name, or to a user error; never a panic.
func FuzzParseSelection(f *testing.F) {
	for _, s := range []string{"/export tag:高意向 and not tag:已成交", "/export not not tag:a", "/export tag: and", "/export 标签:「a b」 非 tag:c 文字"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cmd, err := Parse(s)
		if err != nil {
			return
		}
		sel, err := ParseSelection(cmd.Args)
		if err != nil {
			var ue *UserError
			if !errors.As(err, &ue) {
				t.Fatalf("%q: error %v is not a *UserError", s, err)
			}
			return
		}
		if len(sel.Include) == 0 {
			t.Fatalf("%q: selection without an included tag: %+v", s, sel)
		}
		for _, name := range append(sel.Include, sel.Exclude...) {
			if name == "" {
				t.Fatalf("%q: empty tag name in %+v", s, sel)
			}
		}
	})
}

// TestFindByTagsPerCustomer: /find tag: picks customers as /export and
// /stats do — the tags of the relationships the reader sees, together —
// and lists each customer once, naming the followers whose relationships
// carry a named tag.
func TestFindByTagsPerCustomer(t *testing.T) {
	e := exportEnv(t)
	for _, tc := range []struct{ user, cmd, want string }{
		{"mgr", "/find tag:高意向 tag:VIP", "有「高意向」「VIP」的客户（第 1 页）：\n1. 王小明（小明科技，备注 王总） 跟进人 lisi、zhangsan\n用编号"},
		{"mgr", "/find tag:展会", "有「展会」的客户（第 1 页）：\n1. 王小明（小明科技，备注 王总） 跟进人 lisi、zhangsan\n用编号"},
		{"mgr", "/find tag:VIP 王总", "：\n1. 王小明（小明科技，备注 王总） 跟进人 lisi\n用编号"},
		{"lisi", "/find tag:展会 tag:VIP", "有「展会」「VIP」的客户（第 1 页）：\n1. 王小明（小明科技）\n用编号"},
		{"zhangsan", "/find tag:高意向 tag:VIP", "没有客户同时有「高意向」「VIP」"},
		{"zhangsan", "/find tag:VIP 王总", "没有客户同时有「VIP」、名字或备注含「王总」。可以去掉文字"},
		{"zhangsan", "/find tag:高意向 王小明", "有「高意向」、名字或备注含「王小明」的客户（第 1 页）：\n1. 王小明"},
		// the selection of /export: not rules a tag out (it is not a word
		// to look for), or is refused rather than read as and
		{"mgr", "/find tag:展会 and not tag:VIP", "没有客户有「展会」而没有「VIP」"},
		{"zhangsan", "/find tag:展会 not tag:VIP", "有「展会」而没有「VIP」的客户（第 1 页）：\n1. 王小明"},
		{"mgr", "/find tag:展会 or tag:VIP", "暂不支持 or"},
		{"mgr", "/find tag:展会 not", "not 后面要写 tag:标签"},
	} {
		e.mustSay(tc.user, tc.cmd, tc.want)
	}
}
