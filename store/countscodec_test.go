package store

import (
	"testing"
	"time"
)

// TestEncodeCountsIsEncode: the hand-made encoding of OutboxCounts is
// byte for byte what the JSON encoder writes, for every field set or not,
// and strings that need escaping go through the encoder.
func TestEncodeCountsIsEncode(t *testing.T) {
	at := time.Date(2026, 11, 1, 9, 0, 0, 123_400_000, time.UTC)
	cases := map[string]OutboxCounts{
		"zero":        {},
		"lane":        {Actor: "zhangsan", Pending: 3, Done: 12, First: at, Last: at.Add(time.Hour)},
		"batch":       {Batch: "bg-bulk-7", Background: true, Actor: "boss", Pending: -1, First: at},
		"failed":      {Actor: "boss", Done: 1, Failed: map[int]int{84061: 2, 40068: 1}, First: at, Last: at},
		"quote":       {Actor: `a"b`, First: at},
		"html":        {Batch: "<b>&", First: at},
		"chinese":     {Actor: "张三", First: at},
		"line break":  {Actor: "a\nb"},
		"other zones": {First: at.In(time.FixedZone("CST", 8*3600)), Last: at.Add(-time.Nanosecond)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got, want := encodeCounts(&c), encode(&c); got != want {
				t.Errorf("encodeCounts\n got %s\nwant %s", got, want)
			}
		})
	}
}
