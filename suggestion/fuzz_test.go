package suggestion

import (
	"strings"
	"testing"

	"github.com/tagbot/tagbot/store"
)

func FuzzParseCardEvent(f *testing.F) {
	for _, s := range [][2]string{{"tbsg-1", "sg:ok"}, {"tbsg-12", "sg:no"}, {"tbsg-3", "sg:sel"}, {"tbsg-01", "sg:ok"},
		{"rb-1", "confirm"}, {"tbsg-", "sg:t:"}, {"tbsg-18446744073709551616", "sg:ok"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, task, key string) {
		a, err := ParseCardEvent(task, key)
		if err != nil {
			return
		}
		if a.ID == 0 || !strings.HasPrefix(task, store.TaskIDPrefix) || task != store.TaskIDPrefix+a.ID.String() {
			t.Errorf("ParseCardEvent(%q, %q) = %+v: id does not round-trip", task, key, a)
		}
		if a.Reject && a.Chosen {
			t.Errorf("ParseCardEvent(%q, %q) = %+v: both reject and chosen", task, key, a)
		}
	})
}

func TestParseCardEvent(t *testing.T) {
	tests := []struct {
		task, key string
		want      Action
		err       bool
	}{
		{"tbsg-7", "sg:ok", Action{ID: 7}, false},
		{"tbsg-7", "sg:no", Action{ID: 7, Reject: true}, false},
		{"tbsg-7", "sg:sel", Action{ID: 7, Chosen: true}, false},
		{"tbsg-7", "sg:t:et1", Action{}, true},
		{"tbsg-07", "sg:ok", Action{}, true},
		{"tbsg-0", "sg:ok", Action{}, true},
		{"rb-7", "sg:ok", Action{}, true},
		{"tbsg-7", "confirm", Action{}, true},
		{"tbsg-7", "sg:t:", Action{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.task+"/"+tt.key, func(t *testing.T) {
			got, err := ParseCardEvent(tt.task, tt.key)
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("ParseCardEvent = %+v, %v; want %+v, error %v", got, err, tt.want, tt.err)
			}
		})
	}
}
