package chart

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCountTicks(t *testing.T) {
	tests := []struct {
		top    float64
		labels []string
		max    float64
	}{
		{1, []string{"0", "1", "2"}, 2},
		{7, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8"}, 8},
		{13, []string{"0", "2", "4", "6", "8", "10", "12", "14"}, 14},
		{1234, []string{"0", "200", "400", "600", "800", "1000", "1200", "1400"}, 1400},
	}
	for _, tt := range tests {
		t.Run(tt.labels[len(tt.labels)-1], func(t *testing.T) {
			ticks, max := countTicks(tt.top)
			var labels []string
			for _, tk := range ticks {
				labels = append(labels, tk.Label)
			}
			if !reflect.DeepEqual(labels, tt.labels) || max != tt.max {
				t.Fatalf("countTicks(%v) = %v, max %v; want %v, max %v", tt.top, labels, max, tt.labels, tt.max)
			}
		})
	}
}

func TestDayTicks(t *testing.T) {
	lo := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		span   time.Duration // hi - lo
		labels []string
	}{
		{"3 days", 2 * 24 * time.Hour, []string{"11-01", "11-02", "11-03"}},
		{"14 days: the last day gets a tick, the one before gives way", 13 * 24 * time.Hour, []string{"11-01", "11-03", "11-05", "11-07", "11-09", "11-11", "11-14"}},
		{"60 days", 59 * 24 * time.Hour, []string{"11-01", "11-07", "11-13", "11-19", "11-25", "12-01", "12-07", "12-13", "12-19", "12-30"}},
		{"23 days: a crowding tick gives way", 22 * 24 * time.Hour, []string{"11-01", "11-04", "11-07", "11-10", "11-13", "11-16", "11-19", "11-23"}},
		{"weekly points end mid-step, into the next year", 13 * 7 * 24 * time.Hour, []string{"2026-11-01", "11-11", "11-21", "12-01", "12-11", "12-21", "12-31", "2027-01-10", "01-20", "01-31"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var labels []string
			for _, tk := range dayTicks(lo, lo.Add(tt.span), lo.AddDate(0, 1, 0)) {
				labels = append(labels, tk.Label)
			}
			if !reflect.DeepEqual(labels, tt.labels) {
				t.Errorf("labels %v, want %v", labels, tt.labels)
			}
		})
	}
}

// TestDayTicksYear: a tick shows the year when the range crosses into
// another year (the first tick and the first of each new year) or lies in
// a year other than now's; otherwise MM-DD.
func TestDayTicksYear(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name        string
		lo, hi, now time.Time
		labels      []string
	}{
		{"this year", day(2026, 3, 1), day(2026, 3, 4), day(2026, 11, 1), []string{"03-01", "03-02", "03-03", "03-04"}},
		{"across new year", day(2025, 12, 30), day(2026, 1, 2), day(2026, 1, 2), []string{"2025-12-30", "12-31", "2026-01-01", "01-02"}},
		{"last year", day(2025, 3, 1), day(2025, 3, 3), day(2026, 11, 1), []string{"2025-03-01", "03-02", "03-03"}},
		{"no clock: only a crossing shows it", day(2025, 3, 1), day(2025, 3, 2), time.Time{}, []string{"03-01", "03-02"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var labels []string
			for _, tk := range dayTicks(tt.lo, tt.hi, tt.now) {
				labels = append(labels, tk.Label)
			}
			if !reflect.DeepEqual(labels, tt.labels) {
				t.Errorf("labels %v, want %v", labels, tt.labels)
			}
		})
	}
}

// TestDayTicksCoverRange: go-chart sets the x range to the ticks' extent,
// so the first tick must be lo and the last hi for every span, or the
// first or last point is drawn outside the plot.
func TestDayTicksCoverRange(t *testing.T) {
	lo := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for days := 1; days <= 400; days++ {
		hi := lo.AddDate(0, 0, days)
		ticks := dayTicks(lo, hi, lo)
		if first, last := ticks[0].Value, ticks[len(ticks)-1].Value; first != float64(lo.UnixNano()) || last != float64(hi.UnixNano()) {
			t.Fatalf("%d days: ticks span %v..%v, want %v..%v", days, time.Unix(0, int64(first)).UTC(), time.Unix(0, int64(last)).UTC(), lo, hi)
		}
		for i := 1; i < len(ticks); i++ {
			if ticks[i].Value <= ticks[i-1].Value {
				t.Fatalf("%d days: ticks not increasing at %d", days, i)
			}
		}
	}
}

// TestDayTicksSpaced: no two ticks are closer than the step between the
// first two (their labels would run together, as 01-07 and 01-08 did on
// a 20-day window ending 2027-01-08), and the last day is always
// labelled.
func TestDayTicksSpaced(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	var windows [][2]time.Time
	for _, lo := range []time.Time{day(2026, 12, 20), day(2026, 11, 1), day(2026, 2, 15)} {
		for days := 1; days <= 400; days++ {
			windows = append(windows, [2]time.Time{lo, lo.AddDate(0, 0, days)})
		}
	}
	for _, w := range windows {
		lo, hi := w[0], w[1]
		ticks := dayTicks(lo, hi, hi)
		if last := ticks[len(ticks)-1]; last.Value != float64(hi.UnixNano()) || !strings.HasSuffix(last.Label, hi.Format("01-02")) {
			t.Fatalf("%s → %s: last tick %q, want %s", lo.Format("2006-01-02"), hi.Format("2006-01-02"), last.Label, hi.Format("01-02"))
		}
		if len(ticks) < 3 {
			continue
		}
		step := ticks[1].Value - ticks[0].Value
		for i := 2; i < len(ticks); i++ {
			if gap := ticks[i].Value - ticks[i-1].Value; gap < step {
				var labels []string
				for _, tk := range ticks {
					labels = append(labels, tk.Label)
				}
				t.Fatalf("%s → %s: %s and %s are %v apart, less than the step %v: %v", lo.Format("2006-01-02"), hi.Format("2006-01-02"),
					ticks[i-1].Label, ticks[i].Label, time.Duration(gap), time.Duration(step), labels)
			}
		}
	}
	var labels []string
	for _, tk := range dayTicks(day(2026, 12, 20), day(2027, 1, 8), day(2027, 1, 8)) {
		labels = append(labels, tk.Label)
	}
	if want := []string{"2026-12-20", "12-22", "12-24", "12-26", "12-28", "12-30", "2027-01-01", "01-03", "01-05", "01-08"}; !reflect.DeepEqual(labels, want) {
		t.Errorf("20 days to 2027-01-08: labels %v, want %v", labels, want)
	}
}
