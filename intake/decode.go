package intake

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tagbot/tagbot/classify"
)

// apiItem is one item of an API request as sent: pointers tell a missing
// field from an empty one; time and id may be strings or numbers.
type apiItem struct {
	ID       json.RawMessage `json:"id"`
	Customer *string         `json:"customer"`
	Employee *string         `json:"employee"`
	From     *string         `json:"from"`
	Text     *string         `json:"text"`
	Type     *string         `json:"type"`
	Time     json.RawMessage `json:"time"`
	Attrs    json.RawMessage `json:"attrs"`
}

// decodeItems reads a request body: one JSON object or an array of up to
// MaxItems objects. Errors name the item.
func decodeItems(body []byte) ([]apiItem, *Error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, itemErr(-1, CodeBadJSON, "empty body: send a JSON object or an array of objects")
	}
	raws := []json.RawMessage{body}
	if body[0] == '[' {
		raws = nil
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, itemErr(-1, CodeBadJSON, "bad JSON: %s", jsonReason(err))
		}
		if len(raws) > MaxItems {
			return nil, &Error{Code: CodeTooMany, Index: -1, Message: "at most " + strconv.Itoa(MaxItems) + " items per request, got " + strconv.Itoa(len(raws))}
		}
		if len(raws) == 0 {
			return nil, itemErr(-1, CodeBadJSON, "empty array")
		}
	}
	items := make([]apiItem, len(raws))
	for i, raw := range raws {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || raw[0] != '{' {
			return nil, itemErr(i, CodeBadJSON, "not a JSON object")
		}
		if err := json.Unmarshal(raw, &items[i]); err != nil {
			return nil, itemErr(i, CodeBadJSON, "bad JSON: %s", jsonReason(err))
		}
	}
	return items, nil
}

// jsonReason is a decoding error without Go type names.
func jsonReason(err error) string {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		return "field " + strconv.Quote(te.Field) + " has the wrong type (" + te.Value + ")"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// toMessage validates the presence and form of item i as a message; the
// rest is checked with every submission (messageActivity).
func (it *apiItem) toMessage(i int) (classify.Message, *Error) {
	for _, f := range []struct {
		name string
		v    *string
	}{{"customer", it.Customer}, {"employee", it.Employee}, {"from", it.From}, {"text", it.Text}} {
		if f.v == nil || *f.v == "" {
			return classify.Message{}, itemErr(i, CodeMissingField, "%s is missing", f.name)
		}
	}
	id, t, e := it.idAndTime(i)
	if e != nil {
		return classify.Message{}, e
	}
	return classify.Message{ID: id, Customer: *it.Customer, Employee: *it.Employee, From: *it.From, Text: *it.Text, Time: t}, nil
}

// toEvent validates the presence and form of item i as an event.
func (it *apiItem) toEvent(i int) (classify.Event, *Error) {
	for _, f := range []struct {
		name string
		v    *string
	}{{"customer", it.Customer}, {"type", it.Type}} {
		if f.v == nil || *f.v == "" {
			return classify.Event{}, itemErr(i, CodeMissingField, "%s is missing", f.name)
		}
	}
	id, t, e := it.idAndTime(i)
	if e != nil {
		return classify.Event{}, e
	}
	ev := classify.Event{ID: id, Customer: *it.Customer, Type: *it.Type, Time: t}
	if it.Employee != nil {
		ev.Employee = *it.Employee
	}
	if len(it.Attrs) > 0 && string(it.Attrs) != "null" {
		if it.Attrs[0] != '{' || json.Unmarshal(it.Attrs, &ev.Attrs) != nil {
			return classify.Event{}, itemErr(i, CodeBadField, "attrs must be a JSON object")
		}
	}
	return ev, nil
}

// idAndTime reads the optional id and the required time.
func (it *apiItem) idAndTime(i int) (string, time.Time, *Error) {
	id, ok := scalar(it.ID)
	if !ok {
		return "", time.Time{}, itemErr(i, CodeBadField, "id must be a string or a number")
	}
	if len(it.Time) == 0 || string(it.Time) == "null" {
		return "", time.Time{}, itemErr(i, CodeMissingField, "time is missing")
	}
	t, ok := parseTime(it.Time)
	if !ok {
		return "", time.Time{}, itemErr(i, CodeBadTime, "time must be RFC 3339 (2026-11-01T09:00:00+08:00) or unix seconds")
	}
	return id, t, nil
}

// scalar reads a JSON string or number as text; "" for absent or null.
func scalar(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", true
	}
	var s string
	if raw[0] == '"' {
		return s, json.Unmarshal(raw, &s) == nil
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return "", false
	}
	return canonicalNumber(n.String()), true
}

// canonicalNumber writes a whole number the one way ("1.0", "1e0" and
// "10E-1" are "1"), so an id sent as 1 and as 1.0 is the same id. Other
// numbers, and whole ones too large for exact float64, stay as written.
func canonicalNumber(t string) string {
	if !strings.ContainsAny(t, ".eE") {
		return t
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) >= 1<<53 {
		return t
	}
	return strconv.FormatInt(int64(f), 10)
}

// parseTime reads an RFC 3339 string or unix seconds (a number, or a string
// of digits).
func parseTime(raw json.RawMessage) (time.Time, bool) {
	s, ok := scalar(raw)
	if !ok || s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}
