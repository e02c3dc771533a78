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
