package commands

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Span is the stretch of time a time word names: a whole day for 昨天 or
// 2026-11-01, a week for 上周, a single instant (From == To) for 3小时前 or
// 2026-11-01 15:04. 时间词表示的时间段。
type Span struct {
	From, To time.Time
}

var (
	reFullDate = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$`)
	reMonthDay = regexp.MustCompile(`^(\d{1,2})[-/.](\d{1,2})$`)
	reAgo      = regexp.MustCompile(`^(\d{1,4}|[一二两三四五六七八九十]{1,3})\s*(天|小时|个小时|分钟|周|个星期|个月)前$`)
	reClock    = regexp.MustCompile(`^(\d{1,2}):(\d{2})$`)
)

// dayWords are words naming a day relative to today (days back).
var dayWords = map[string]int{"今天": 0, "today": 0, "昨天": 1, "yesterday": 1, "前天": 2}

// badTime is the reply for an unreadable time.
func badTime(s string) error {
	return userErr(CodeBadTime, "看不懂时间「%s」。可以写：今天、昨天、前天、周五、上周三、3天前、三天前、2小时前、本周、上周、本月、上个月、2026-11-01、11-01、2026-11-01 15:04", clip(s))
}

// isDayWord reports whether s names a day without a clock time, so a
// following "15:04" belongs to it.
func isDayWord(s string) bool {
	if _, ok := dayWords[strings.ToLower(s)]; ok {
		return true
	}
	return reFullDate.MatchString(s) || reMonthDay.MatchString(s) || isWeekday(s)
}

// ParseTime reads a time as users write it, relative to now, in loc:
// 今天 昨天 前天, N天前 N小时前 N分钟前 N周前 N个月前 (N in digits or
// Chinese numerals: 三天前, 两小时前), 本周 上周, 本月 上个月, 2026-11-01,
// 11-01 (this year, or last year if that is ahead in a later month: a
// day later this month is this year's, still ahead), each day
// optionally followed by a clock time "15:04", or a bare "15:04" (today).
// Full-width digits and punctuation read as ASCII. Chinese dates and clock
// times read too (canonTime): 11月20日, 2026年11月20号, 昨天下午3点,
// 今天上午10点半, 下午3点20分, and weekday names (parseWeekday): 周五,
// 星期一, 上周三, 这周二下午3点. Times in the future are refused. 解析时间词。
func ParseTime(s string, now time.Time, loc *time.Location) (Span, error) {
	s = canonTime(halfWidth(strings.TrimSpace(s)))
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	day, clock, hasClock := strings.Cut(s, " ")
	clock = strings.TrimSpace(clock)
	if !hasClock && reClock.MatchString(s) {
		day, clock, hasClock = "今天", s, true
	}
	var span Span
	lower := strings.ToLower(day)
	switch {
	case !hasClock && (lower == "本周" || lower == "这周"):
		from := today.AddDate(0, 0, -weekdayMon(today))
		span = Span{from, from.AddDate(0, 0, 7)}
	case !hasClock && (lower == "上周" || lower == "上星期"):
		from := today.AddDate(0, 0, -weekdayMon(today)-7)
		span = Span{from, from.AddDate(0, 0, 7)}
	case !hasClock && (lower == "本月" || lower == "这个月"):
		from := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, loc)
		span = Span{from, from.AddDate(0, 1, 0)}
	case !hasClock && (lower == "上个月" || lower == "上月"):
		from := time.Date(today.Year(), today.Month()-1, 1, 0, 0, 0, 0, loc)
		span = Span{from, from.AddDate(0, 1, 0)}
	case reAgo.MatchString(s):
		m := reAgo.FindStringSubmatch(s)
		n, ok := number(m[1])
		if !ok {
			return Span{}, badTime(s)
		}
		var t time.Time
		switch m[2] {
		case "天":
			t = now.AddDate(0, 0, -n)
		case "个月":
			t = now.AddDate(0, -n, 0)
		case "小时", "个小时":
			t = now.Add(-time.Duration(n) * time.Hour)
		case "分钟":
			t = now.Add(-time.Duration(n) * time.Minute)
		default:
			t = now.AddDate(0, 0, -7*n)
		}
		span = Span{t, t}
	default:
		d, ok := parseDay(lower, today)
		if !ok {
			return Span{}, badTime(s)
		}
		span = Span{d, d.AddDate(0, 0, 1)}
		if hasClock {
			m := reClock.FindStringSubmatch(clock)
			if m == nil {
				return Span{}, badTime(s)
			}
			h, _ := strconv.Atoi(m[1])
			mi, _ := strconv.Atoi(m[2])
			if h > 23 || mi > 59 {
				return Span{}, badTime(s)
			}
			t := time.Date(d.Year(), d.Month(), d.Day(), h, mi, 0, 0, loc)
			span = Span{t, t}
		}
	}
	if span.From.After(now) {
		return Span{}, userErr(CodeFutureTime, "时间「%s」还没到，请写过去的时间。", clip(s))
	}
	return span, nil
}

// futureWords name a time to come, which ParseTime does not read.
var futureWords = []string{"大后天", "后天", "明天", "明早", "明晚", "下下周", "下周", "下星期", "下个星期", "下礼拜", "下个月", "下月", "明年"}

// FutureWord returns the word in s naming a time to come (明天, 下周,
// 下个月 …), or "". 未来的时间词。
func FutureWord(s string) string {
	for _, w := range futureWords {
		if strings.Contains(s, w) {
			return w
		}
	}
	return ""
}

// chineseDigits are the values of the Chinese numerals 一 to 九 (两 is 二).
var chineseDigits = map[rune]int{'一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// number reads a count written in ASCII digits or Chinese numerals up to
// 九十九: 3, 三, 两, 十, 十二, 二十, 二十五.
func number(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	rs := []rune(s)
	tens, ones, ok := 0, 0, false
	switch {
	case len(rs) == 1 && rs[0] == '十':
		return 10, true
	case len(rs) == 1:
		ones, ok = chineseDigits[rs[0]]
		return ones, ok
	case len(rs) == 2 && rs[0] == '十':
		ones, ok = chineseDigits[rs[1]]
		return 10 + ones, ok
	case len(rs) == 2 && rs[1] == '十':
		tens, ok = chineseDigits[rs[0]]
		return tens * 10, ok
	case len(rs) == 3 && rs[1] == '十':
		tens, ok = chineseDigits[rs[0]]
		if !ok {
			return 0, false
		}
		ones, ok = chineseDigits[rs[2]]
		return tens*10 + ones, ok
	}
	return 0, false
}

// parseDay reads a day word or date as local midnight.
func parseDay(s string, today time.Time) (time.Time, bool) {
	if n, ok := dayWords[s]; ok {
		return today.AddDate(0, 0, -n), true
	}
	if d, ok := parseWeekday(s, today); ok {
		return d, true
	}
	var y, mo, d int
	if m := reFullDate.FindStringSubmatch(s); m != nil {
		y, _ = strconv.Atoi(m[1])
		mo, _ = strconv.Atoi(m[2])
		d, _ = strconv.Atoi(m[3])
	} else if m := reMonthDay.FindStringSubmatch(s); m != nil {
		y = today.Year()
		mo, _ = strconv.Atoi(m[1])
		d, _ = strconv.Atoi(m[2])
	} else {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, today.Location())
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d {
		return time.Time{}, false // 2026-02-30 and the like
	}
	if reMonthDay.MatchString(s) && t.After(today) && t.Month() != today.Month() { // later this month stays ahead
		t = t.AddDate(-1, 0, 0)
		if t.Day() != d { // 02-29 of a leap year
			return time.Time{}, false
		}
	}
	return t, true
}

// weekdayMon counts days since Monday (Chinese weeks start on Monday).
func weekdayMon(t time.Time) int { return (int(t.Weekday()) + 6) % 7 }

// timeFormat writes times for replies in the users' time zone.
type timeFormat struct {
	loc *time.Location
	now func() time.Time
}

// at formats a time for replies: "11-21 15:04", with the year when it
// is not the current one.
func (f timeFormat) at(t time.Time) string {
	t = t.In(f.loc)
	if t.Year() != f.now().In(f.loc).Year() {
		return t.Format("2006-01-02 15:04")
	}
	return t.Format("01-02 15:04")
}

// day formats a day for replies: "11-21", with the year when it is
// not the current one.
func (f timeFormat) day(t time.Time) string {
	t = t.In(f.loc)
	if t.Year() != f.now().In(f.loc).Year() {
		return t.Format("2006-01-02")
	}
	return t.Format("01-02")
}

// until shows an until: bound: the last day it includes for a day, week
// or month ("2020-01-01"), else the instant.
func (f timeFormat) until(span Span) string {
	if span.From.Equal(span.To) {
		return f.at(span.To)
	}
	return f.day(span.To.Add(-time.Nanosecond))
}
