package classify

import (
	"strings"
	"time"
)

// SliceFacts answers Facts from messages and events held in memory: the
// classify CLI (the messages of one JSONL object) and tests. Count and
// Events look back from At. 内存中的事实（命令行与测试用）。
type SliceFacts struct {
	Cust     CustomerFacts
	Messages []Message // the conversation, the input included
	Evts     []Event   // the customer's events, the input included
	At       time.Time // the input's time
}

var _ Facts = (*SliceFacts)(nil)

// Customer returns Cust.
func (f *SliceFacts) Customer() CustomerFacts { return f.Cust }

// Count counts the customer's messages in (At-window, At] whose normalised
// text contains the normalised word.
func (f *SliceFacts) Count(word string, window time.Duration) (int, error) {
	word = Normalize(word)
	n := 0
	for _, m := range f.Messages {
		if (m.From == FromCustomer || m.From == "") && f.within(m.Time, window) && strings.Contains(Normalize(m.Text), word) {
			n++
		}
	}
	return n, nil
}

// Events counts the events of type in (At-window, At].
func (f *SliceFacts) Events(eventType string, window time.Duration) (int, error) {
	n := 0
	for _, e := range f.Evts {
		if e.Type == eventType && f.within(e.Time, window) {
			n++
		}
	}
	return n, nil
}

// Recent returns the last limit messages up to At.
func (f *SliceFacts) Recent(limit int) ([]Message, error) {
	var out []Message
	for _, m := range f.Messages {
		if !m.Time.After(f.At) {
			out = append(out, m)
		}
	}
	if len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}

func (f *SliceFacts) within(t time.Time, window time.Duration) bool {
	return !t.After(f.At) && t.After(f.At.Add(-window))
}
