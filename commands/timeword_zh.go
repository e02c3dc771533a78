package commands

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var (
	reZhDate  = regexp.MustCompile(`^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]`)
	reZhClock = regexp.MustCompile(`^(凌晨|早上|上午|中午|下午|傍晚|晚上)?(\d{1,2}|[一二两三四五六七八九十]{1,3})(?:点|时)(半|(\d{1,2})分?)?$`)
)

// canonTime rewrites the Chinese forms of a time into the ones ParseTime
// reads: a date "2026年11月20日" or "11月20号" becomes 2026-11-20 or
// 11-20, and a clock time "下午3点", "3点半", "15点20分" after a day
// (or alone: today) becomes " 15:00", " 03:30", " 15:20". Anything else is
// returned as it is.
func canonTime(s string) string {
	day, rest := s, ""
	if m := reZhDate.FindStringSubmatchIndex(s); m != nil {
		mo, d := s[m[4]:m[5]], s[m[6]:m[7]]
		day = mo + "-" + d
		if m[2] >= 0 {
			day = s[m[2]:m[3]] + "-" + day
		}
		rest = strings.TrimSpace(s[m[1]:])
	} else if i := clockStart(s); i >= 0 {
		day, rest = strings.TrimSpace(s[:i]), s[i:]
	}
	if rest == "" {
		return day
	}
	m := reZhClock.FindStringSubmatch(rest)
	if m == nil {
		return s
	}
	h, ok := number(m[2])
	if !ok {
		return s
	}
	switch m[1] {
	case "下午", "傍晚", "晚上":
		if h < 12 {
			h += 12
		}
	case "中午":
		if h < 6 {
			h += 12
		}
	}
	mi := 0
	if m[3] == "半" {
		mi = 30
	} else if m[4] != "" {
		mi, _ = strconv.Atoi(m[4])
	}
	if day == "" {
		day = "今天"
	}
	return fmt.Sprintf("%s %02d:%02d", day, h, mi)
}

// clockStart is where a Chinese clock time ("下午3点", "3点") begins in s,
// or -1.
func clockStart(s string) int {
	for i := range s {
		if reZhClock.MatchString(s[i:]) {
			return i
		}
	}
	return -1
}

// reWeekday reads a weekday name: 周五, 星期一, 礼拜天, 上周三, 这周二,
// 本星期五, 上上周一.
var reWeekday = regexp.MustCompile(`^(上上|上|这|本)?(?:周|星期|礼拜)([一二三四五六日天1-7])$`)

// weekdayNumbers are Monday-based day offsets of the weekday characters.
var weekdayNumbers = map[string]int{"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
	"1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}

// isWeekday reports whether s is a weekday name parseWeekday reads.
func isWeekday(s string) bool { return reWeekday.MatchString(s) }

// parseWeekday reads a weekday name as local midnight of that day:
// 上周三 is Wednesday of last week, 这周二 / 本周二 Tuesday of this week
// (refused later if still ahead), and a bare 周五 / 星期五 the latest
// Friday up to today (today when it is Friday), as a past time is meant.
func parseWeekday(s string, today time.Time) (time.Time, bool) {
	m := reWeekday.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	monday := today.AddDate(0, 0, -weekdayMon(today))
	day := monday.AddDate(0, 0, weekdayNumbers[m[2]])
	switch m[1] {
	case "上":
		day = day.AddDate(0, 0, -7)
	case "上上":
		day = day.AddDate(0, 0, -14)
	case "":
		if day.After(today) {
			day = day.AddDate(0, 0, -7)
		}
	}
	return day, true
}
