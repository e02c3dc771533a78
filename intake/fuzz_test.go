package intake

import "testing"

// FuzzDecodeItems feeds arbitrary bodies to the API's decoder: it must
// never panic, never return more than MaxItems items, and an item it turns
// into a message or event has every required field.
func FuzzDecodeItems(f *testing.F) {
	f.Add([]byte(okMsg))
	f.Add([]byte(`[{"customer":"c1","type":"coupon_claim","time":"1793520000","attrs":{"delay_seconds":3}}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		items, e := decodeItems(body)
		if e != nil {
			if e.Message == "" || e.Status() < 400 {
				t.Fatalf("error without reason or status: %+v", e)
			}
			return
		}
		if len(items) == 0 || len(items) > MaxItems {
			t.Fatalf("%d items", len(items))
		}
		for i := range items {
			if m, e := items[i].toMessage(i); e == nil {
				if m.Customer == "" || m.Employee == "" || m.From == "" || m.Text == "" || m.Time.IsZero() {
					t.Fatalf("message missing a field: %+v", m)
				}
			} else if e.Index != i {
				t.Fatalf("error names item %d, want %d", e.Index, i)
			}
			if ev, e := items[i].toEvent(i); e == nil {
				if ev.Customer == "" || ev.Type == "" || ev.Time.IsZero() {
					t.Fatalf("event missing a field: %+v", ev)
				}
			}
		}
	})
}
