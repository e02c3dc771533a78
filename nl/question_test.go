package nl

import "testing"

// TestTagQuestionsDoNotWrite: "张三打上VIP了吧" asks whether it was done; it
// is never a write, whatever the confirmation setting.
func TestTagQuestionsDoNotWrite(t *testing.T) {
	names := testNames()
	for _, text := range []string{"张三打上VIP了吧", "张三打上VIP了吧。", "张三打上VIP了么", "给张三打上VIP了么"} {
		if r := Parse(text, names); r.Kind == Run && r.Write {
			t.Errorf("Parse(%q) = write %s, want a read, a question back or nothing", text, r.Slash)
		}
	}
}

// TestUnknownTagInQuestion: a question naming no tag the speaker knows is
// answered as /find answers it, without talk of writing.
func TestUnknownTagInQuestion(t *testing.T) {
	names := testNames()
	for _, text := range []string{"有多少客户是敏感小猫", "敏感小猫客户有多少", "敏感小猫这个月的趋势"} {
		t.Run(text, func(t *testing.T) {
			r := Parse(text, names)
			if r.Kind != Ask || r.Ask != "没有标签「敏感小猫」。发送 /groups 查看标签库。" {
				t.Errorf("Parse(%q) = kind %v question %q; want the unknown-tag answer of /find", text, r.Kind, r.Ask)
			}
		})
	}
}

// TestANotAQuestions: an A-not-A question (该不该, 需不需要, 打不打 …) is
// asked back like 要不要 is, never written; in a sentence of several
// commands it makes the whole sentence asked back.
func TestANotAQuestions(t *testing.T) {
	names := testNames()
	const add = "你是想执行 /tag 张三 +高意向 吗？我没有改任何东西。如果是，请直接说（不带问号），或发送这条命令。"
	type want struct {
		Kind  Kind
		Write bool
		Ask   string
	}
	for _, c := range []struct {
		text string
		want want
	}{
		{"要不要给张三打上高意向", want{Ask, false, add}},
		{"张三该不该打上高意向", want{Ask, false, add}},
		{"该不该给张三打上高意向", want{Ask, false, add}},
		{"张三需不需要打上高意向", want{Ask, false, add}},
		{"需不需要给张三打上高意向", want{Ask, false, add}},
		{"张三应不应该打上高意向", want{Ask, false, add}},
		{"应不应该给张三打上高意向", want{Ask, false, add}},
		{"用不用给张三打上高意向", want{Ask, false, add}},
		{"是不是要给张三打上高意向", want{Ask, false, add}},
		{"张三是不是该打上高意向", want{Ask, false, add}},
		{"张三加不加高意向", want{Ask, false, "你是想执行 /tag 张三 +高意向 吗？我没有改任何东西。如果是，请直接说（不带问号），或发送这条命令。"}},
		{"张三打不打高意向", want{Ask, false, add}},
		{"给张三打不打上高意向", want{Ask, false, add}},
		{"张三的VIP删不删", want{Ask, false, "你是想执行 /untag 张三 VIP 吗？我没有改任何东西。如果是，请直接说（不带问号），或发送这条命令。"}},
		{"李四该不该打高意向，给张三打上低意向", want{Ask, false, "第 1 句「李四该不该打高意向」：你是想执行 /tag 李四 +高意向 吗？我没有改任何东西。如果是，请直接说（不带问号），或发送这条命令。\n整句话什么都没有改。请改好后再说一次，或一句一句发。"}},
		{"给张三打上低意向，李四需不需要打高意向", want{Ask, false, "第 2 句「李四需不需要打高意向」：你是想执行 /tag 李四 +高意向 吗？我没有改任何东西。如果是，请直接说（不带问号），或发送这条命令。\n整句话什么都没有改。请改好后再说一次，或一句一句发。"}},
	} {
		t.Run(c.text, func(t *testing.T) {
			r := Parse(c.text, names)
			got := want{r.Kind, r.Write, r.Ask}
			if got != c.want {
				t.Errorf("Parse(%q) = %+v (slash %q), want %+v", c.text, got, r.Slash, c.want)
			}
		})
	}
}
