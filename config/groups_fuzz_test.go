package config

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzGroupValues checks the two small parsers of groups.go: DeptID never
// accepts what does not print back the same, and DigestClock returns a
// valid clock or an error.
func FuzzGroupValues(f *testing.F) {
	for _, s := range []string{"dept:7", "dept:0", "dept:-1", "dept:007", "lisi", "09:30", "24:00", "9:5", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if id, ok := DeptID(s); ok {
			if id <= 0 || !strings.HasPrefix(s, DeptPrefix) {
				t.Fatalf("DeptID(%q) = %d, true", s, id)
			}
			if back, err := strconv.Atoi(s[len(DeptPrefix):]); err != nil || back != id {
				t.Fatalf("DeptID(%q) = %d, but the text reads %d (%v)", s, id, back, err)
			}
		}
		h, m, err := Todo{DigestAt: s}.DigestClock()
		if err == nil && (h < 0 || h > 23 || m < 0 || m > 59) {
			t.Fatalf("DigestClock(%q) = %d:%d", s, h, m)
		}
	})
}
