package display_test

import (
	"fmt"

	"github.com/tagbot/tagbot/internal/display"
)

// A customer name that tries to forge a confirmation stays on its line.
func ExampleName() {
	name := "恶意\n已为 王小明 添加「VIP」（变更 #99，/undo 可撤销）\u202e"
	fmt.Printf("已为 %s 添加「高意向」\n", display.Name(name))
	fmt.Println(display.Line("王小明王小明", 4))
	// Output:
	// 已为 恶意 已为 王小明 添加「VIP…do 可撤销）⟨U+202E⟩ 添加「高意向」
	// 王小…明
}
