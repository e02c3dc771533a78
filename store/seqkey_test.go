package store

import (
	"fmt"
	"testing"
)

// TestSeqKeyPadsLikeSprintf: keys sort by number, so the hand-made padding
// must be exactly fmt's %012d, also past 12 digits.
func TestSeqKeyPadsLikeSprintf(t *testing.T) {
	for _, n := range []uint64{0, 1, 42, 999_999_999_999, 1_000_000_000_000, 1<<64 - 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			if got, want := seqKey("cs:", n), fmt.Sprintf("cs:%012d", n); got != want {
				t.Errorf("seqKey = %q, want %q", got, want)
			}
			if got, want := obrKey("c1", "zhangsan", n), fmt.Sprintf("obr:c1:zhangsan:%012d", n); got != want {
				t.Errorf("obrKey = %q, want %q", got, want)
			}
		})
	}
}
