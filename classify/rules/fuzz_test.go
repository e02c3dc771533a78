package rules

import (
	"errors"
	"testing"
)

// FuzzParsePack: any bytes either parse into a pack whose rules all have a
// name, tags and something to match, or fail with positioned Errors; never
// a panic.
func FuzzParsePack(f *testing.F) {
	f.Add([]byte("name: p\ngroups:\n  - name: g\n    tags: [a]\nrules:\n  - name: r\n    keywords: [x]\n    tags: [a]\n"))
	f.Add([]byte("name: p\nrules:\n  - name: r\n    when: count(\"x\", \"7d\") > 1\n    tags: [a]\n"))
	f.Add([]byte("name: p\nrules:\n  - name: r\n    on: event:order\n    when: event.attrs.n > 1\n    tags: [a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePack(data, "f.yaml")
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %T %q is not a non-empty Errors", err, err)
			}
			for _, e := range es {
				if e.Msg == "" || e.File != "f.yaml" || e.Line < 0 {
					t.Fatalf("bad error %+v", e)
				}
			}
			return
		}
		for _, r := range p.Rules {
			if r.Name == "" || len(r.Tags) == 0 || len(r.Keywords)+len(r.All) == 0 && r.Regex == "" && r.When == "" {
				t.Fatalf("accepted an incomplete rule %+v", r)
			}
			if r.When != "" && r.Program() == nil || r.Regex != "" && r.Regexp() == nil {
				t.Fatalf("rule %q accepted without its program or regexp", r.Name)
			}
		}
	})
}
