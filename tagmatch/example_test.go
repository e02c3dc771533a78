package tagmatch_test

import (
	"fmt"

	"github.com/tagbot/tagbot/store"
	"github.com/tagbot/tagbot/tagmatch"
)

func ExampleMatcher_Nearest() {
	m := tagmatch.New([]store.Tag{
		{ID: "et1", Name: "北上广客户"},
		{ID: "et2", Name: "VIP客户"},
	}, [][]string{{"北上广", "北京上海广州"}, {"客户", "用户"}})
	for _, mt := range m.Nearest("北京上海广州用户", 3) {
		fmt.Println(mt.Tag.Name, mt.Why)
	}
	for _, mt := range m.Nearest("ＶＩＰ客户", 3) {
		fmt.Println(mt.Tag.Name, mt.Why)
	}
	// Output:
	// 北上广客户 同义词 北京上海广州≈北上广、用户≈客户
	// VIP客户 仅全角/半角不同
}
