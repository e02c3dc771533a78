package stats

import (
	"fmt"
	"strings"
	"time"

	"github.com/tagbot/tagbot/internal/display"
)

// Channels is /stats channels: the customers each channel QR code
// brought (relationships whose state is the channel's, as WeCom reports
// it; package channel).
type Channels struct {
	Rows []ChannelRow
}

// ChannelRow is one channel.
type ChannelRow struct {
	Name      string
	Tags      []string // tag names
	Customers int
	Last      time.Time // when the newest customer came; zero if none
}

// Channels counts each channel's customers within sc.
func (s *Stats) Channels(sc Scope) (*Channels, error) {
	chs, err := s.Store.Channels()
	if err != nil {
		return nil, fmt.Errorf("stats channels: %w", err)
	}
	out := &Channels{}
	for _, ch := range chs {
		n, err := s.Store.ChannelCount(ch.State, sc.Follower)
		if err != nil {
			return nil, fmt.Errorf("stats channel %s: %w", ch.Name, err)
		}
		row := ChannelRow{Name: ch.Name, Customers: n.Customers, Last: n.Last}
		for _, t := range ch.Tags {
			row.Tags = append(row.Tags, t.Name)
		}
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// renderChannels writes the channels, in name order.
func renderChannels(c *Channels, loc *time.Location) string {
	if c == nil || len(c.Rows) == 0 {
		return ChannelsText
	}
	lines := []string{"各渠道二维码带来的客户："}
	for _, r := range c.Rows {
		tags := make([]string, len(r.Tags))
		for i, t := range r.Tags {
			tags[i] = display.Name(t)
		}
		last := ""
		if r.Customers > 0 {
			last = "，最近 " + r.Last.In(loc).Format("01-02 15:04")
		}
		lines = append(lines, fmt.Sprintf("%s：%d 位%s（标签 %s）", display.Name(r.Name), r.Customers, last, strings.Join(tags, "、")))
	}
	return strings.Join(lines, "\n")
}
