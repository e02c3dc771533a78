package yamlnode

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDescribe: each kind of node is named as errors show it; aliases are
// followed; a long scalar is cut.
func TestDescribe(t *testing.T) {
	var doc yaml.Node
	src := "a: &x [1]\nb: *x\nc: ~\nd: {k: v}\ne: " + strings.Repeat("长", 50) + "\n"
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	m := doc.Content[0]
	want := map[string]string{"a": "a list", "b": "a list", "c": "null", "d": "a mapping",
		"e": `"` + strings.Repeat("长", 40) + `…"`}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i].Value
		if got := Describe(Deref(m.Content[i+1])); got != want[k] {
			t.Errorf("%s: Describe = %s, want %s", k, got, want[k])
		}
	}
	if !IsNull(nil) {
		t.Error("IsNull(nil) = false")
	}
}
