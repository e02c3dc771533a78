package suggestion_test

import (
	"fmt"

	"github.com/tagbot/tagbot/suggestion"
)

// A click on 只加 X of suggestion card #12 names the suggestion by its
// task id and the tag by the button's key.
func ExampleParseCardEvent() {
	a, err := suggestion.ParseCardEvent("tbsg-12", suggestion.KeyOnly+"etT000007")
	fmt.Println(a.ID, a.Reject, a.Tag, err)
	_, err = suggestion.ParseCardEvent("rollback-3", "confirm")
	fmt.Println(err)
	// Output:
	// 12 false etT000007 <nil>
	// suggestion: task id "rollback-3" is not a suggestion's
}
