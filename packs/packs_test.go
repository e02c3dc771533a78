package packs_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tagbot/tagbot/classify"
	"github.com/tagbot/tagbot/classify/rules"
	"github.com/tagbot/tagbot/config"
)

// packFiles lists the shipped packs.
func packFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no packs: %v", err)
	}
	return files
}

// engineFor loads one pack and compiles it against the tags it declares.
func engineFor(t testing.TB, file string) *classify.Engine {
	t.Helper()
	p, err := rules.LoadPack(file)
	if err != nil {
		t.Fatalf("load %s: %v", file, err)
	}
	set, err := classify.Compile(p.Rules, classify.NewTagNames(p.TagNames()))
	if err != nil {
		t.Fatalf("compile %s: %v", file, err)
	}
	return classify.NewEngine(set, classify.EngineOptions{})
}

// TestPacksLoad: each pack loads and compiles with only the tags it
// declares (so `pack apply` creates every tag its rules suggest), every
// declared tag is suggested by some rule, and all packs load together
// (rule names are unique across packs).
func TestPacksLoad(t *testing.T) {
	files := packFiles(t)
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			engineFor(t, file)
			p, err := rules.LoadPack(file)
			if err != nil {
				t.Fatal(err)
			}
			if p.Description == "" {
				t.Errorf("%s has no description", file)
			}
			used := map[string]bool{}
			for _, r := range p.Rules {
				for _, tg := range r.Tags {
					used[tg] = true
				}
			}
			for _, tg := range p.TagNames() {
				if !used[tg] {
					t.Errorf("%s declares tag %q that no rule suggests", file, tg)
				}
			}
		})
	}
	abs := make([]string, len(files))
	for i, f := range files {
		abs[i], _ = filepath.Abs(f)
	}
	set, err := rules.Load(filepath.Join(t.TempDir(), "config.yaml"), nil, abs)
	if err != nil {
		t.Fatalf("all packs together: %v", err)
	}
	if _, err := classify.Compile(set.All(), classify.NewTagNames(set.PackTags())); err != nil {
		t.Fatalf("all packs compiled together: %v", err)
	}
}

// story is one input to a pack with what came before it.
type story struct {
	name    string
	pack    string
	msg     *classify.Message // the input: a message …
	event   *classify.Event   // … or an event
	history []classify.Message
	events  []classify.Event // earlier events (the input event is added)
	tags    []string         // customer's tags now
	want    []string         // tags suggested, sorted
}

// at is a time in China on the stories' day.
func at(hour, minute int) time.Time {
	return time.Date(2026, 11, 30, hour, minute, 0, 0, config.ChinaZone)
}

func msg(text string, t time.Time) classify.Message {
	return classify.Message{Customer: "wm1", From: classify.FromCustomer, Text: text, Time: t}
}

func ptr[T any](v T) *T { return &v }

// TestPackStories: the users' stories of the seed articles and a few more
// per pack, through the real engine with in-memory facts.
func TestPackStories(t *testing.T) {
	coupon := func(delay float64) *classify.Event {
		return &classify.Event{Customer: "wm1", Type: "coupon_claim", Time: at(10, 0), Attrs: map[string]any{"delay_seconds": delay}}
	}
	view := func(category string, t time.Time) classify.Event {
		return classify.Event{Customer: "wm1", Type: "doc_view", Time: t, Attrs: map[string]any{"category": category}}
	}
	stories := []story{
		{name: "色号 asked a third time", pack: "beauty.yaml",
			msg:     ptr(msg("这个色号黄皮能用吗", at(20, 0))),
			history: []classify.Message{msg("有什么色号推荐", at(9, 0).AddDate(0, 0, -2)), msg("01色号显白吗", at(9, 0).AddDate(0, 0, -1))},
			want:    []string{"色号咨询", "高意向用户"}},
		{name: "色号 asked once", pack: "beauty.yaml", msg: ptr(msg("有什么色号推荐", at(9, 0))), want: []string{"色号咨询"}},
		{name: "色号 three times but over weeks", pack: "beauty.yaml",
			msg:     ptr(msg("色号还有货吗", at(9, 0))),
			history: []classify.Message{msg("色号?", at(9, 0).AddDate(0, 0, -20)), msg("色号!", at(9, 0).AddDate(0, 0, -10))},
			want:    []string{"色号咨询"}},
		{name: "coupon claimed within 3 s", pack: "beauty.yaml", event: coupon(2), want: []string{"价格敏感型"}},
		{name: "coupon claimed next day", pack: "beauty.yaml", event: coupon(90000), want: []string{"观望型"}},
		{name: "coupon claimed after a minute", pack: "beauty.yaml", event: coupon(60), want: nil},
		{name: "sun-care documents viewed three times", pack: "beauty.yaml",
			event:  ptr(view("防晒", at(10, 0))),
			events: []classify.Event{view("防晒", at(9, 0)), view("防晒", at(9, 30))},
			want:   []string{"紫外线焦虑人群"}},
		{name: "sensitive skin and ingredients", pack: "beauty.yaml", msg: ptr(msg("敏感肌能用吗，有没有酒精", at(11, 0))), want: []string{"成分党", "肤质关注"}},
		{name: "睡不着 at 3 a.m.", pack: "health.yaml", msg: ptr(msg("又睡不着了", at(3, 0))), want: []string{"深夜失眠求助者", "睡眠困扰"}},
		{name: "睡不着 in the afternoon", pack: "health.yaml", msg: ptr(msg("晚上老是睡不着", at(15, 0))), want: []string{"睡眠困扰"}},
		{name: "melatonin side effects", pack: "health.yaml", msg: ptr(msg("褪黑素有副作用吗", at(15, 0))), want: []string{"保健品谨慎客群", "睡眠困扰"}},
		{name: "emergency", pack: "health.yaml", msg: ptr(msg("吃错药了怎么办", at(15, 0))), want: []string{"需人工跟进"}},
		{name: "not losing weight", pack: "health.yaml", msg: ptr(msg("我不减肥，就问问血压", at(15, 0))), want: []string{"慢病关注"}},
		{name: "trial lesson for a child", pack: "education.yaml", msg: ptr(msg("孩子三年级，可以先试听吗", at(19, 0))), want: []string{"K12家长", "试听意向"}},
		{name: "no trial wanted", pack: "education.yaml", msg: ptr(msg("不需要试听，直接说学费", at(19, 0))), want: []string{"关注学费"}},
		{name: "refund risk", pack: "education.yaml", msg: ptr(msg("孩子跟不上，想退费", at(19, 0))), want: []string{"K12家长", "退费风险"}},
		{name: "course documents viewed three times", pack: "education.yaml",
			event:  ptr(view("课程", at(10, 0))),
			events: []classify.Event{view("课程", at(9, 0)), view("课程", at(9, 30))},
			want:   []string{"报名意向"}},
		{name: "course documents, already enrolling", pack: "education.yaml",
			event:  ptr(view("课程", at(10, 0))),
			events: []classify.Event{view("课程", at(9, 0)), view("课程", at(9, 30))},
			tags:   []string{"报名意向"}, want: nil},
		{name: "price, not 不问价格", pack: "ecommerce.yaml", msg: ptr(msg("这个多少钱", at(10, 0))), want: []string{"询价"}},
		{name: "refund", pack: "ecommerce.yaml", msg: ptr(msg("收到的杯子碎了，我要退货", at(10, 0))), want: []string{"售后"}},
		{name: "delivery time", pack: "ecommerce.yaml", msg: ptr(msg("能不能周六下午送货", at(10, 0))), want: []string{"预约安装"}},
	}
	engines := map[string]*classify.Engine{}
	for _, s := range stories {
		t.Run(s.name, func(t *testing.T) {
			e := engines[s.pack]
			if e == nil {
				e = engineFor(t, s.pack)
				engines[s.pack] = e
			}
			in, facts := s.input()
			matches, err := e.Classify(context.Background(), in, facts)
			if err != nil {
				t.Fatal(err)
			}
			got := suggested(matches)
			if !slices.Equal(got, s.want) {
				t.Errorf("%s: tags = %v, want %v (matches %+v)", s.pack, got, s.want, matches)
			}
		})
	}
}

// input builds the story's input and facts.
func (s story) input() (classify.Input, classify.Facts) {
	f := &classify.SliceFacts{Cust: classify.CustomerFacts{ID: "wm1", Tags: s.tags}, Messages: s.history, Evts: s.events}
	if s.msg != nil {
		f.Messages = append(slices.Clone(f.Messages), *s.msg)
		f.At = s.msg.Time
		return classify.Input{Message: s.msg}, f
	}
	f.Evts = append(slices.Clone(f.Evts), *s.event)
	f.At = s.event.Time
	return classify.Input{Event: s.event}, f
}

// suggested is the sorted, distinct tags of matches (nil for none).
func suggested(ms []classify.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Tags...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// packOf is the tag names a pack declares.
func packOf(t testing.TB, file string) []string {
	t.Helper()
	p, err := rules.LoadPack(file)
	if err != nil {
		t.Fatal(err)
	}
	return p.TagNames()
}
