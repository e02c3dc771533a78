package commands

import (
	"context"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/store"
)

// echoExt is an extension with one manager command that proposes a write
// and one that fails as a user error.
type echoExt struct{ ran []string }

func (x *echoExt) Commands() []ExtCommand {
	return []ExtCommand{
		{Name: "echo", Aliases: []string{"回声"}, Usage: "/echo <词>", Summary: "测试", MinRole: RoleManager,
			Run: func(_ context.Context, req *ExtRequest) ([]Reply, error) {
				if len(req.Args) == 0 {
					return nil, UserErrorf(CodeUsage, "请写一个词，例如 /echo 你好")
				}
				word := req.Args[0].Value
				return req.Propose("回声 "+word, "回声？", "将会回声「"+word+"」。", []string{word}, func(context.Context) ([]Reply, error) {
					x.ran = append(x.ran, word)
					return []Reply{{Text: "已回声 " + word}}, nil
				}), nil
			}},
	}
}

func TestExtensionCommands(t *testing.T) {
	e := newEnv(t)
	x := &echoExt{}
	r, err := NewRouter(Options{Store: e.st, Config: testConfig(), Now: e.clk.Now, Extensions: []Extension{x}})
	if err != nil {
		t.Fatal(err)
	}
	say := func(user, text string) string { return joinReplies(r.HandleText(context.Background(), user, text)) }

	t.Run("role checked before the extension runs", func(t *testing.T) {
		if got := say("zhangsan", "/echo 你好"); !strings.Contains(got, "/echo 只有") {
			t.Errorf("employee got %q, want a role refusal", got)
		}
	})
	t.Run("user error shown as is", func(t *testing.T) {
		if got := say("mgr", "/回声"); !strings.Contains(got, "请写一个词") {
			t.Errorf("got %q", got)
		}
	})
	t.Run("proposal runs on confirm, once", func(t *testing.T) {
		got := say("mgr", "/echo 你好")
		if !strings.Contains(got, "将会回声「你好」") || !strings.Contains(got, "/confirm") || len(x.ran) != 0 {
			t.Fatalf("proposal reply %q, ran %v", got, x.ran)
		}
		if got := say("mgr", "/confirm"); !strings.Contains(got, "已回声 你好") {
			t.Errorf("confirm got %q", got)
		}
		if got := say("mgr", "/confirm"); !strings.Contains(got, "没有等待确认的操作") || len(x.ran) != 1 {
			t.Errorf("second confirm got %q, ran %v", got, x.ran)
		}
	})
	t.Run("name clash refused", func(t *testing.T) {
		if _, err := NewRouter(Options{Store: e.st, Config: testConfig(), Extensions: []Extension{x, x}}); err == nil {
			t.Error("two extensions with the same command were accepted")
		}
	})
	t.Run("CheckTags applies group policies", func(t *testing.T) {
		live, err := e.st.Tags(false)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]store.Tag{}
		for _, tg := range live {
			byName[tg.Name] = tg
		}
		req := &ExtRequest{UserID: "zhangsan", Role: RoleEmployee, r: r}
		if _, err := req.CheckTags(store.Relationship{Customer: "c1", Follower: "zhangsan"}, []store.Tag{byName["展会"]}, nil, live); err == nil {
			t.Error("employee may add a managers-only tag")
		}
		e.apply("zhangsan", "c1", "zhangsan", "t4")
		rel, err := e.st.Relationship("c1", "zhangsan")
		if err != nil {
			t.Fatal(err)
		}
		auto, err := req.CheckTags(rel, []store.Tag{byName["高意向"]}, nil, live)
		if err != nil || len(auto) != 1 || auto[0].Name != "低意向" {
			t.Errorf("exclusive group: auto %v, err %v; want 低意向 removed", auto, err)
		}
	})
}
