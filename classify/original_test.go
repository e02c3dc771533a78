package classify

import "testing"

// TestOriginalSnippet: evidence found in the normalised text is quoted
// from what the customer wrote; where normalising merged white space, or
// the snippet is not from the normalised text, it stays as it is.
func TestOriginalSnippet(t *testing.T) {
	for _, tc := range []struct{ name, original, snippet, want string }{
		{"full-width and traditional", "ＤＵＯ 價格多少", "duo 价格多少", "ＤＵＯ 價格多少"},
		{"middle", "請問這個價格多少呢", "价格", "價格"},
		{"unchanged", "这个多少钱", "多少钱", "多少钱"},
		{"spaces merged", "價格  多少", "价格 多少", "价格 多少"},
		{"not from the text", "价格多少", "别的", "别的"},
		{"empty", "價格", "", ""},
		{"at the end", "ABC價格", "价格", "價格"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OriginalSnippet(tc.original, tc.snippet); got != tc.want {
				t.Errorf("OriginalSnippet(%q, %q) = %q, want %q", tc.original, tc.snippet, got, tc.want)
			}
		})
	}
}

// TestEventEvidence: an event's evidence names its type and attributes,
// sorted, in Chinese.
func TestEventEvidence(t *testing.T) {
	for _, tc := range []struct {
		ev   Event
		want string
	}{
		{Event{Type: "coupon_claim"}, "行为 coupon_claim"},
		{Event{Type: "coupon_claim", Attrs: map[string]any{"delay_seconds": 3.0, "coupon": "满100减20"}}, "行为 coupon_claim：coupon=满100减20 delay_seconds=3"},
	} {
		if got := eventEvidence(&tc.ev); got != tc.want {
			t.Errorf("eventEvidence(%v) = %q, want %q", tc.ev, got, tc.want)
		}
	}
}
