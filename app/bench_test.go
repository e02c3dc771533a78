package app

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/tagbot/tagbot/config"
)

// BenchmarkCommandsEndToEnd measures commands per second through the whole
// bot: an encrypted callback into the real HTTP server, the durable inbox,
// the message loop, /tag or /untag through the router into the ledger, the
// outbox worker's mark_tag to the fake WeCom and the reply via message/send.
// Each op is one command; the clock stops when every reply and every
// mark_tag has reached the fake WeCom.
func BenchmarkCommandsEndToEnd(b *testing.B) {
	cfg := config.Default()
	// Rate limits and per-member message caps off: this measures tagbot,
	// not WeCom's quotas.
	cfg.WeCom.RateLimits = map[string]int{"externalcontact/mark_tag": -1, "message/send": -1}
	cfg.Messages.PerUserPerMinute, cfg.Messages.PerUserPerHour = -1, -1
	d, err := StartDemo(context.Background(), cfg, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	users := []string{"zhangsan", "zhaoliu", "lisi"}
	customer := map[string]string{"zhangsan": "李华", "zhaoliu": "刘洋", "lisi": "陈静"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u := users[i%len(users)]
		verb := "/tag"
		if (i/len(users))%2 == 1 {
			verb = "/untag"
		}
		line := fmt.Sprintf("%s %s 抖音", verb, customer[u])
		resp, err := d.Fake.Deliver(ctx, d.Main.CallbackURL(), d.Fake.CallbackText(u, line, fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), i)))
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("deliver: %v", err)
		}
		resp.Body.Close()
	}
	if _, err := d.settle(ctx); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commands/s")
	if n := len(markTagCalls(b, d)); n != b.N {
		b.Fatalf("%d mark_tag calls for %d commands", n, b.N)
	}
}
