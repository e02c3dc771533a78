package chart

import (
	"reflect"
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
		days  int
		first []string
		n     int
	}{
		{3, []string{"11-01", "11-02", "11-03"}, 3},
		{14, []string{"11-01", "11-03"}, 7},
		{60, []string{"11-01", "11-07"}, 10},
	}
	for _, tt := range tests {
		ticks := dayTicks(lo, lo.AddDate(0, 0, tt.days-1))
		var labels []string
		for _, tk := range ticks {
			labels = append(labels, tk.Label)
		}
		if len(labels) != tt.n || !reflect.DeepEqual(labels[:len(tt.first)], tt.first) {
			t.Errorf("%d days: labels %v, want %d starting %v", tt.days, labels, tt.n, tt.first)
		}
	}
}
