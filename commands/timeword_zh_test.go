package commands

import "testing"

func TestCanonTime(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"11月20日", "11-20"},
		{"2026年11月20号", "2026-11-20"},
		{"昨天下午3点", "昨天 15:00"},
		{"昨天 下午3点", "昨天 15:00"},
		{"下午3点半", "今天 15:30"},
		{"前天上午10点20分", "前天 10:20"},
		{"11月20日晚上八点", "11-20 20:00"},
		{"中午12点", "今天 12:00"},
		{"昨天", "昨天"},
		{"2026-11-20 15:00", "2026-11-20 15:00"},
		{"3天前", "3天前"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := canonTime(tc.in); got != tc.want {
				t.Errorf("canonTime(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
