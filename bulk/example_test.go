package bulk_test

import (
	"fmt"
	"time"

	"github.com/tagbot/tagbot/bulk"
	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/config"
)

func ExampleParse() {
	cmd, _ := commands.Parse("/bulk (tag:老客户 或 tag:VIP) 且 非 tag:已流失 since:2026-11-01 +双十一 -待跟进")
	r, err := bulk.Parse(cmd.Args, time.Date(2026, 11, 20, 9, 0, 0, 0, config.ChinaZone), config.ChinaZone)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Select)
	fmt.Println(r.Add, r.Remove)
	_, err = bulk.Parse(cmd.Args[:2], time.Now(), config.ChinaZone)
	fmt.Println(err)
	// Output:
	// (tag:老客户 or tag:VIP) and not tag:已流失 and since:2026-11-01
	// [双十一] [待跟进]
	// 请写要加的 +标签 或要去掉的 -标签，例如 /bulk tag:老客户 and not tag:已流失 +双十一。
}
