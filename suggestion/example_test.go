package suggestion_test

import (
	"fmt"

	"github.com/tagbot/tagbot/suggestion"
)

// 确认所选 on the checkbox card of suggestion #12: the task id names the
// suggestion, the key says the ticked tags (CardEvent.Selected) apply.
func ExampleParseCardEvent() {
	a, err := suggestion.ParseCardEvent("tbsg-12", suggestion.KeySelected)
	fmt.Println(a.ID, a.Reject, a.Chosen, err)
	_, err = suggestion.ParseCardEvent("rollback-3", "confirm")
	fmt.Println(err)
	// Output:
	// 12 false true <nil>
	// suggestion: task id "rollback-3" is not a suggestion's
}
