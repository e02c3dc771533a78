package intake

import "testing"

// TestCanonicalNumber: whole numbers are written one way, so ids 1 and
// 1.0 are one id; others stay as sent.
func TestCanonicalNumber(t *testing.T) {
	for in, want := range map[string]string{
		"1": "1", "1.0": "1", "1e0": "1", "10E-1": "1", "-2.00": "-2", "1.5": "1.5",
		"12345678901234567890": "12345678901234567890", "1e300": "1e300",
	} {
		if got := canonicalNumber(in); got != want {
			t.Errorf("canonicalNumber(%s) = %s, want %s", in, got, want)
		}
	}
}
