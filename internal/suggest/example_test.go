package suggest_test

import (
	"fmt"

	"github.com/tagbot/tagbot/internal/suggest"
)

// A caller picks the nearest candidate under its own limit.
func Example() {
	got := "stauts"
	best, bestD := "", 2 // accept at most one edit
	for _, c := range []string{"status", "start", "state"} {
		if d := suggest.OSADistance(got, c); d < bestD {
			best, bestD = c, d
		}
	}
	fmt.Printf("did you mean %s?\n", best)
	fmt.Println(suggest.Distance(got, "status"), suggest.OSADistance(got, "status"))
	// Output:
	// did you mean status?
	// 2 1
}

func ExampleDistance() {
	fmt.Println(suggest.Distance("kitten", "sitting"))
	fmt.Println(suggest.Distance("高意向", "低意向"))
	// Output:
	// 3
	// 1
}
