package commands

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
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
