package tagmatch

import (
	"reflect"
	"testing"

	"github.com/tagbot/tagbot/store"
)

// seedSynonyms are the examples the seed articles and the issue give.
var seedSynonyms = [][]string{{"北上广", "北京上海广州"}, {"客户", "用户"}}

// tag is a live library tag with an id derived from its name and group.
func tag(group, name string) store.Tag {
	return store.Tag{ID: "et-" + group + "-" + name, GroupID: "g-" + group, GroupName: group, Name: name}
}

// seedLibrary holds the tags of the seed articles, with near-duplicates.
func seedLibrary() []store.Tag {
	return []store.Tag{
		tag("地区", "北上广客户"),
		tag("客群", "北京上海广州用户"),
		tag("等级", "VIP客户"),
		tag("等级", "ＶＩＰ客户"),
		tag("等级", "vip 客户"),
		tag("意向", "高意向用户"),
		tag("意向", "低意向用户"),
		tag("意向", "高意向客户"),
		tag("活动", "618意向用户"),
		tag("活动", "双十一意向用户"),
		tag("活动", "2023双十一"),
		tag("活动", "2024双十一"),
		tag("状态", "待付款"),
		tag("状态", "已完结"),
		tag("状态", "投诉用户"),
		tag("兴趣", "智能硬件关注者"),
		tag("兴趣", "智能硬件关注着"),
		tag("兴趣", "怀旧型用户"),
	}
}

func TestNearest(t *testing.T) {
	m := New(seedLibrary(), seedSynonyms)
	type hit struct {
		Name, Why string
	}
	tests := []struct {
		query string
		want  []hit
	}{
		{"北京上海广州用户", []hit{{"北京上海广州用户", "名称相同"}, {"北上广客户", "同义词 北京上海广州≈北上广、用户≈客户"}}},
		{"ＶＩＰ客户", []hit{{"ＶＩＰ客户", "名称相同"}, {"VIP客户", "仅全角/半角不同"}, {"vip 客户", "仅全角/半角、大小写、标点或空格不同"}}},
		{"Vip客户", []hit{{"VIP客户", "仅大小写不同"}, {"ＶＩＰ客户", "仅全角/半角、大小写不同"}, {"vip 客户", "仅大小写、标点或空格不同"}}},
		{"投诉 用户", []hit{{"投诉用户", "仅标点或空格不同"}}},
		{"投诉客户", []hit{{"投诉用户", "同义词 客户≈用户"}}},
		{"智能硬件关注", []hit{{"智能硬件关注着", "相差 1 个字"}, {"智能硬件关注者", "相差 1 个字"}}},
		{"高意像用户", []hit{{"高意向客户", "同义词 用户≈客户，相差 1 个字"}, {"高意向用户", "相差 1 个字"}}},
		{"2025双十一", nil},
		{"待收款", []hit{{"待付款", "相差 1 个字"}}},
		{"待完结", nil},
		{"完全无关", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got []hit
			for _, mt := range m.Nearest(tt.query, 5) {
				got = append(got, hit{mt.Tag.Name, mt.Why})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Nearest(%q) names/why = %q, want %q", tt.query, got, tt.want)
			}
		})
	}
}

func TestNearestLimitAndOrder(t *testing.T) {
	m := New(seedLibrary(), seedSynonyms)
	got := m.Nearest("VIP客户", 2)
	if len(got) != 2 {
		t.Fatalf("Nearest n=2 returned %d matches", len(got))
	}
	if got[0].Score != 1 || got[1].Score >= got[0].Score {
		t.Errorf("scores = %v, %v; want 1 then lower", got[0].Score, got[1].Score)
	}
}

func TestDuplicates(t *testing.T) {
	m := New(seedLibrary(), seedSynonyms)
	var got [][]string
	for _, g := range m.Duplicates() {
		var names []string
		for _, tg := range g {
			names = append(names, tg.Name)
		}
		got = append(got, names)
	}
	want := [][]string{
		{"VIP客户", "vip 客户", "ＶＩＰ客户"},
		{"北上广客户", "北京上海广州用户"},
		{"智能硬件关注着", "智能硬件关注者"},
		{"高意向客户", "高意向用户"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Duplicates() = %q\nwant %q", got, want)
	}
}

func TestCompare(t *testing.T) {
	m := New(nil, seedSynonyms)
	tests := []struct {
		name string
		a, b store.Tag
		want bool
		why  string
	}{
		{"same name other group", tag("A", "其他"), tag("B", "其他"), true, "同名，不同标签组"},
		{"siblings", tag("意向", "高意向"), tag("意向", "低意向"), false, ""},
		{"siblings in two groups", tag("A", "已付款"), tag("B", "待付款"), false, ""},
		{"typo", tag("A", "已付款"), tag("B", "已付歀"), true, "相差 1 个字"},
		{"digits differ", tag("A", "1星客户"), tag("B", "2星客户"), false, ""},
		{"insertion in one group", tag("兴趣", "智能硬件关注"), tag("兴趣", "智能硬件关注者"), true, "相差 1 个字"},
		{"single runes", tag("A", "甲"), tag("B", "乙"), false, ""},
		{"only punctuation", tag("A", "！！"), tag("B", "？"), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := m.Compare(tt.a, tt.b)
			if ok != tt.want || (ok && got.Why != tt.why) {
				t.Errorf("Compare(%q, %q) = %v %q, want %v %q", tt.a.Name, tt.b.Name, ok, got.Why, tt.want, tt.why)
			}
		})
	}
}

func TestDeletedTagsLeftOut(t *testing.T) {
	gone := tag("地区", "北上广用户")
	gone.Deleted = true
	m := New([]store.Tag{tag("地区", "北上广客户"), gone}, seedSynonyms)
	if got := m.Nearest("北上广用户", 0); len(got) != 1 || got[0].Tag.ID != "et-地区-北上广客户" {
		t.Errorf("Nearest with a deleted tag = %+v, want only the live 北上广客户", got)
	}
}

func TestSynonymsConfig(t *testing.T) {
	tests := []struct {
		name   string
		groups [][]string
		in     string
		want   string
	}{
		{"longest variant wins", [][]string{{"北上广", "北京上海广州", "北京"}}, "北京上海广州用户", "北上广用户"},
		{"first group keeps a repeated entry", [][]string{{"客户", "用户"}, {"用户", "会员"}}, "会员", "客户"},
		{"normalised entries", [][]string{{"ＶＩＰ", "贵宾"}}, "贵宾客户", "vip客户"},
		{"empty entries ignored", [][]string{{"", "！"}, {"客户", " "}}, "客户", "客户"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newForm(tt.in, newSynonyms(tt.groups))
			if f.canon != tt.want {
				t.Errorf("canonical form of %q = %q, want %q", tt.in, f.canon, tt.want)
			}
		})
	}
}
