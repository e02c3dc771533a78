package store

import (
	"strings"
	"testing"
)

func TestHasCustomerNamed(t *testing.T) {
	s, _ := openTest(t)
	if err := s.UpsertCustomer(Customer{ID: "wm1", Name: "王小明"}, []FollowInfo{{Follower: "zs", Remark: "王总", Mobiles: []string{"13800000001"}}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"王小明", true}, {"王总", true}, {"13800000001", true}, {"wm1", true}, {" 王小明 ", true},
		{"王", false}, {"小明", false}, {"王小明明", false}, {"", false}, {"wm", false},
	} {
		t.Run(tc.text, func(t *testing.T) {
			if got := s.HasCustomerNamed(tc.text); got != tc.want {
				t.Errorf("HasCustomerNamed(%q) = %v, want %v", tc.text, got, tc.want)
			}
		})
	}
}

func TestTagNames(t *testing.T) {
	s, _ := openTest(t)
	lib := Library{Groups: []Group{{ID: "g", Name: "G"}}, Tags: []Tag{
		{ID: "t1", GroupID: "g", GroupName: "G", Name: "VIP"}, {ID: "t2", GroupID: "g", GroupName: "G", Name: "官网"}}}
	if _, err := s.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	n := s.TagNames(nil)
	if got, ok := n.Live("vip"); !ok || got != "VIP" {
		t.Errorf("Live(vip) = %q, %v; want VIP", got, ok)
	}
	if s.TagNames(n) != n {
		t.Error("TagNames rebuilt without a library change")
	}
	lib.Tags = lib.Tags[:1] // 官网 deleted
	if _, err := s.PutLibrary(lib, "sync"); err != nil {
		t.Fatal(err)
	}
	n2 := s.TagNames(n)
	_, live := n2.Live("官网")
	del, deleted := n2.Deleted("官网")
	if n2 == n || live || !deleted || del != "官网" || len(n2.Names()) != 1 {
		t.Errorf("after deleting 官网: new %v, live %v, deleted %q %v, names %v", n2 != n, live, del, deleted, n2.Names())
	}
}

// TestMembersNamed: members are found by name, folded; a renamed member
// is found only by the new name, and two members may share a name.
func TestMembersNamed(t *testing.T) {
	s, _ := openTest(t)
	must(t, s.SetMemberName("zhangsan", "张三"))
	must(t, s.SetMemberName("zhangsan2", "张三"))
	must(t, s.SetMemberName("lisi", "Li Si"))
	must(t, s.SetMemberName("lisi", "李四"))
	for _, tc := range []struct {
		text string
		want string
	}{
		{"张三", "zhangsan,zhangsan2"}, {" 张三 ", "zhangsan,zhangsan2"}, {"李四", "lisi"}, {"li si", ""}, {"张", ""}, {"", ""},
	} {
		t.Run(tc.text, func(t *testing.T) {
			if got := strings.Join(s.MembersNamed(tc.text), ","); got != tc.want {
				t.Errorf("MembersNamed(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
	if n, err := s.MemberName("lisi"); err != nil || n != "李四" {
		t.Errorf("MemberName(lisi) = %q, %v; want 李四", n, err)
	}
}
