package app

import (
	"time"

	"github.com/tagbot/tagbot/config"
)

// demoLifecycleRule is the demo's lifecycle rule when its config has
// none: customers quoted a price more than a day ago who have not written
// since (or ever) fall to 低意向. In the demo, 王小明, 李华 and 陈静 have
// 已报价; `~李华: 还在考虑` takes 李华 out of /lifecycle preview.
var demoLifecycleRule = config.LifecycleRule{
	Name: "报价后沉默", Every: 24 * time.Hour, Add: []string{"低意向"},
}

// demoLifecycleWhen is demoLifecycleRule's condition.
const demoLifecycleWhen = `has_tag("已报价") and days_since(tag_added("已报价")) >= 1 and days_since(customer.last_message) >= 1 and not has_tag("已成交")`

// demoLifecycle gives the demo its lifecycle rule unless the config has
// lifecycle rules of its own (Start loads them like serve's).
func demoLifecycle(cfg *config.Config) error {
	if len(cfg.Lifecycle) > 0 {
		return nil
	}
	r := demoLifecycleRule
	if err := r.SetProgram(demoLifecycleWhen); err != nil {
		return err
	}
	cfg.Lifecycle = []config.LifecycleRule{r}
	return nil
}
