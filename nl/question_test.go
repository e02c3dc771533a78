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
