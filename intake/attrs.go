package intake

import (
	"encoding/json"
	"fmt"
)

// marshalAttrs encodes an event's attributes as a JSON object; nil for none.
func marshalAttrs(attrs map[string]any) (json.RawMessage, error) {
	if len(attrs) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(attrs)
	if err != nil {
		return nil, fmt.Errorf("not encodable as JSON: %w", err)
	}
	return b, nil
}

// unmarshalAttrs decodes stored attributes; numbers become float64, as
// encoding/json gives them (expr compares them with ints fine).
func unmarshalAttrs(raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}
