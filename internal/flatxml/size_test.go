package flatxml

import (
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/tagbot/tagbot/internal/cputime"
)

// manySections is a document whose one child holds n CDATA sections, the
// shape of an unsigned callback body built to make a reader join many parts.
func manySections(n int) []byte {
	var b strings.Builder
	b.WriteString("<xml><Encrypt>")
	for range n {
		b.WriteString("<![CDATA[abcdefghijkl]]>")
	}
	b.WriteString("</Encrypt></xml>")
	return []byte(b.String())
}

// bytesAllocated is how many bytes one Parse of body allocates (the
// median of a few runs, so a stray allocation elsewhere does not count).
func bytesAllocated(body []byte) uint64 {
	var runs [5]uint64
	var before, after runtime.MemStats
	for i := range runs {
		runtime.ReadMemStats(&before)
		if _, ok := Parse(body, "xml", nil); !ok {
			panic("Parse declined the test document")
		}
		runtime.ReadMemStats(&after)
		runs[i] = after.TotalAlloc - before.TotalAlloc
	}
	slices.Sort(runs[:])
	return runs[len(runs)/2]
}

// TestParseManySectionsIsLinear checks that the work of joining a value's
// text and CDATA parts grows with the body, not with its square: the bytes
// Parse allocates stay within a small multiple of the body for 1,000 and
// for 20,000 sections (joining them one by one allocated about 2.4 GB for
// the second), and doubling the sections at most about doubles them.
func TestParseManySectionsIsLinear(t *testing.T) {
	const maxPerBodyByte = 6
	var prev uint64
	for _, n := range []int{1000, 2000, 20000} {
		body := manySections(n)
		got := bytesAllocated(body)
		if limit := uint64(maxPerBodyByte * len(body)); got > limit {
			t.Errorf("%d sections (%d bytes): Parse allocated %d bytes, want at most %d", n, len(body), got, limit)
		}
		if n == 2000 && got > 3*prev {
			t.Errorf("2000 sections: Parse allocated %d bytes, 1000 sections %d: want at most 3 times as much", got, prev)
		}
		prev = got
	}
}

// BenchmarkParseManySections parses a 1 MiB document of small CDATA
// sections in one child, the largest body a callback accepts by default.
func BenchmarkParseManySections(b *testing.B) {
	body := manySections((1 << 20) / len("<![CDATA[abcdefghijkl]]>"))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	start := cputime.Process()
	for b.Loop() {
		if _, ok := Parse(body, "xml", nil); !ok {
			b.Fatal("Parse declined")
		}
	}
	cputime.Report(b, start)
}
