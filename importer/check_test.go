package importer

import "testing"

func TestMisplacedInTagColumn(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"2026-11-01", "标签列里是日期，疑似整行错位"},
		{"2026/11/1 10:30", "标签列里是日期，疑似整行错位"},
		{"2026年11月1日", "标签列里是日期，疑似整行错位"},
		{"13900000001", "标签列里是手机号，疑似整行错位"},
		{"138-0013-8000", "标签列里是手机号，疑似整行错位"},
		{"+86 139 0000 0001", "标签列里是手机号，疑似整行错位"},
		{"wm0000000000000001", "标签列里是客户ID，疑似整行错位"},
		{"高意向", ""},
	} {
		t.Run(tc.value, func(t *testing.T) {
			if got := misplacedInTagColumn(tc.value); got != tc.want {
				t.Errorf("misplacedInTagColumn(%q) = %q, want %q", tc.value, got, tc.want)
			}
		})
	}
}
