package commands

import (
	"testing"
	"time"
)

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

// TestParseTimeChinese: the Chinese forms give the same span as the
// forms they stand for.
func TestParseTimeChinese(t *testing.T) {
	now := time.Date(2026, 11, 21, 16, 0, 0, 0, cst)
	at := func(d, h, m int) Span {
		x := time.Date(2026, 11, d, h, m, 0, 0, cst)
		return Span{x, x}
	}
	day := func(d int) Span {
		x := time.Date(2026, 11, d, 0, 0, 0, 0, cst)
		return Span{x, x.AddDate(0, 0, 1)}
	}
	for _, tc := range []struct {
		in   string
		want Span
	}{
		{"昨天下午3点", at(20, 15, 0)},
		{"今天上午10点半", at(21, 10, 30)},
		{"11月20日", day(20)},
		{"2026年11月19号", day(19)},
		{"11月20日晚上8点", at(20, 20, 0)},
		{"两小时前", at(21, 14, 0)},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTime(tc.in, now, cst)
			if err != nil || !got.From.Equal(tc.want.From) || !got.To.Equal(tc.want.To) {
				t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
	if _, err := ParseTime("今天晚上8点", now, cst); err == nil {
		t.Error("今天晚上8点 (still ahead at 16:00) accepted")
	}
}

// TestParseTimeWeekdays: weekday names on Saturday 2026-11-21 (the week
// runs Monday 16 to Sunday 22); a bare weekday is the latest one so far.
func TestParseTimeWeekdays(t *testing.T) {
	now := time.Date(2026, 11, 21, 16, 0, 0, 0, cst)
	day := func(d int) Span {
		x := time.Date(2026, 11, d, 0, 0, 0, 0, cst)
		return Span{x, x.AddDate(0, 0, 1)}
	}
	at := func(d, h int) Span {
		x := time.Date(2026, 11, d, h, 0, 0, 0, cst)
		return Span{x, x}
	}
	for _, tc := range []struct {
		in   string
		want Span
	}{
		{"周五", day(20)},
		{"星期一", day(16)},
		{"星期六", day(21)},
		{"周日", day(15)},
		{"礼拜天", day(15)},
		{"上周三", day(11)},
		{"上星期五", day(13)},
		{"上上周一", day(2)},
		{"这周二", day(17)},
		{"本周一", day(16)},
		{"这周二下午3点", at(17, 15)},
		{"上周五 10:00", at(13, 10)},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTime(tc.in, now, cst)
			if err != nil || !got.From.Equal(tc.want.From) || !got.To.Equal(tc.want.To) {
				t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
	for _, in := range []string{"本周日", "这周日下午3点", "周八", "下周一"} {
		if got, err := ParseTime(in, now, cst); err == nil {
			t.Errorf("ParseTime(%q) = %v, want an error (ahead or not a weekday)", in, got)
		}
	}
}

// FuzzParseTime: any text reads without panicking; a time read is a
// span that does not end before it starts and does not start after now.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"周五", "上周三", "这周二下午3点", "上上周一", "星期天", "昨天下午3点", "11月20日", "2026-11-20 15:00", "3天前", "礼拜七"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 21, 16, 0, 0, 0, cst)
	f.Fuzz(func(t *testing.T, s string) {
		span, err := ParseTime(s, now, cst)
		if err != nil {
			return
		}
		if span.To.Before(span.From) || span.From.After(now) {
			t.Fatalf("ParseTime(%q) = %v … %v (now %v)", s, span.From, span.To, now)
		}
	})
}
