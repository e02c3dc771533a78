package wecom

import (
	"math"
	"sync"
	"time"
)

// API paths (relative to /cgi-bin/) used as rate-limit keys and APIError.API.
const (
	pathGetCorpTagList   = "externalcontact/get_corp_tag_list"
	pathAddCorpTag       = "externalcontact/add_corp_tag"
	pathEditCorpTag      = "externalcontact/edit_corp_tag"
	pathDelCorpTag       = "externalcontact/del_corp_tag"
	pathMarkTag          = "externalcontact/mark_tag"
	pathGetFollowUsers   = "externalcontact/get_follow_user_list"
	pathGetContact       = "externalcontact/get"
	pathBatchGetByUser   = "externalcontact/batch/get_by_user"
	pathUserGet          = "user/get"
	pathMessageSend      = "message/send"
	pathUpdateCardButton = "message/update_template_card"
)

// DefaultRateLimits 是每个 API 路径的默认调用上限（次/分钟），可被 Config.RateLimits 覆盖。
//
// 依据（developer.work.weixin.qq.com/document/path/90454 访问频率限制）：每企业调用
// 单个 cgi/api 不可超过 1 万次/分、15 万次/小时，即长期平均约 2500 次/分；超出后
// 按分钟拦截屏蔽 60 秒，按小时拦截屏蔽 60 分钟。同一企业的其它应用共享这份额度，
// 因此默认值取长期平均额度的一半以内：
//   - 打标签 mark_tag 与逐客户读取（客户详情、批量详情、成员）1200 次/分（20 次/秒），
//     这是同步与出队重放的热点路径；
//   - 标签库的增删改查、跟进成员列表是低频管理操作，600 次/分；
//   - 发应用消息：文档限制“每应用对同一成员不超过 30 次/分、1000 次/小时”，
//     本限流器按路径而非按成员计数，取 600 次/分，按成员的节流由调用方负责；
//   - 上传临时素材 media/upload（图表、导出文件）随图片/文件消息发生，600 次/分；
//   - 未列出的路径使用 defaultRatePerMinute。
//
// gettoken 由 SDK 发出且有缓存，不做限流。
var DefaultRateLimits = map[string]int{
	pathGetCorpTagList:   600,
	pathAddCorpTag:       600,
	pathEditCorpTag:      600,
	pathDelCorpTag:       600,
	pathMarkTag:          1200,
	pathGetFollowUsers:   600,
	pathGetContact:       1200,
	pathBatchGetByUser:   1200,
	pathUserGet:          1200,
	pathMessageSend:      600,
	pathUpdateCardButton: 600,
	pathMediaUpload:      600,
}

// defaultRatePerMinute applies to paths missing from both maps.
const defaultRatePerMinute = 600

// MaxDefaultHourly caps the default hourly budget of a path: half of the
// 150,000 calls per hour WeCom allows each API per corp, shared by all the
// corp's apps. 默认每小时额度上限（企业额度的一半）。
const MaxDefaultHourly = 75_000

// DefaultConcurrency 是每个 API 路径默认最多同时进行的调用数；未列出的路径为
// defaultConcurrency。mark_tag 在企业微信约 5 个并发即返回 45033（企业内所有
// 应用共享），默认取 3，给其它应用留出余量。
var DefaultConcurrency = map[string]int{
	pathMarkTag: 3,
}

// defaultConcurrency applies to paths missing from DefaultConcurrency and
// the configured overrides.
const defaultConcurrency = 8

// Default pauses after WeCom answers 45009: its per-minute block lasts 60 s,
// its per-hour block an hour.
const (
	DefaultRatePause    = time.Minute
	DefaultMaxRatePause = time.Hour
)

// LimitOptions are the per-path limits of a Client beyond RateLimits.
type LimitOptions struct {
	// Hourly overrides the default hourly budget per API path (calls per
	// hour; default min(60 × the per-minute rate, MaxDefaultHourly)); 0
	// keeps the default, negative means no budget.
	Hourly map[string]int
	// Concurrency overrides DefaultConcurrency per API path; 0 keeps the
	// default, negative means unlimited.
	Concurrency map[string]int
	// RatePause and MaxRatePause bound the pause after 45009 (defaults
	// DefaultRatePause, DefaultMaxRatePause); tests shorten them.
	RatePause, MaxRatePause time.Duration
	// Now is the clock of the limits (time.Now when nil).
	Now func() time.Time
	// HourlyUsed seeds the hourly budget of API paths with calls already
	// made in the last hour (e.g. before a restart: the store's record of
	// the outbox's calls), so a restart cannot spend the hour's budget twice.
	HourlyUsed map[string][]UsedCalls
}

// UsedCalls is a number of calls made at one time, for LimitOptions.HourlyUsed.
type UsedCalls struct {
	At    time.Time
	Calls int
}

// limiters holds one gate per API path, created lazily.
type limiters struct {
	mu     sync.Mutex
	perMin map[string]int
	opts   LimitOptions
	byPath map[string]*gate
}

// newLimiters merges overrides over DefaultRateLimits. A value of 0 in
// overrides keeps the default; a negative value disables limiting for that path.
func newLimiters(overrides map[string]int, opts LimitOptions) *limiters {
	perMin := make(map[string]int, len(DefaultRateLimits)+len(overrides))
	for k, v := range DefaultRateLimits {
		perMin[k] = v
	}
	for k, v := range overrides {
		if v != 0 {
			perMin[k] = v
		}
	}
	if opts.RatePause <= 0 {
		opts.RatePause = DefaultRatePause
	}
	if opts.MaxRatePause < opts.RatePause {
		opts.MaxRatePause = max(DefaultMaxRatePause, opts.RatePause)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &limiters{perMin: perMin, opts: opts, byPath: map[string]*gate{}}
}

// Limits are the effective limits of one API path. 某接口的生效限额。
type Limits struct {
	PerMinute   int // calls per minute; negative: unlimited
	PerHour     int // calls per hour; negative: no budget
	Concurrency int // calls at once; negative: unlimited
}

// limitsOf resolves the limits of path.
func (l *limiters) limitsOf(path string) Limits {
	n, ok := l.perMin[path]
	if !ok {
		n = defaultRatePerMinute
	}
	h := l.opts.Hourly[path]
	if h == 0 {
		h = -1
		if n > 0 {
			h = min(60*n, MaxDefaultHourly)
		}
	}
	c := l.opts.Concurrency[path]
	if c == 0 {
		if c = DefaultConcurrency[path]; c == 0 {
			c = defaultConcurrency
		}
	}
	return Limits{PerMinute: n, PerHour: h, Concurrency: c}
}

// get returns the gate of path.
func (l *limiters) get(path string) *gate {
	l.mu.Lock()
	defer l.mu.Unlock()
	if g, ok := l.byPath[path]; ok {
		return g
	}
	lim := l.limitsOf(path)
	g := newGate(path, lim.PerMinute, lim.PerHour, lim.Concurrency, l.opts.RatePause, l.opts.MaxRatePause, l.opts.Now)
	g.hour.seed(l.opts.HourlyUsed[path], l.opts.Now()) // not yet shared: no lock needed
	l.byPath[path] = g
	return g
}

// bucket is a token bucket whose burst is a tenth of a second's worth of
// calls (at least 1: in any minute at most 1/600 over the rate) and which takes a token back when a call was not carried out.
// Its owner's lock guards it.
type bucket struct {
	rate   float64 // tokens per second; +Inf: unlimited
	burst  float64
	tokens float64
	last   time.Time
}

// newBucket converts calls per minute into a full bucket; negative perMin
// means unlimited.
func newBucket(perMin int, now time.Time) bucket {
	if perMin < 0 {
		return bucket{rate: math.Inf(1), burst: 1, tokens: 1, last: now}
	}
	burst := math.Max(1, float64(perMin/600))
	return bucket{rate: float64(perMin) / 60, burst: burst, tokens: burst, last: now}
}

func (b *bucket) advance(now time.Time) {
	if math.IsInf(b.rate, 1) {
		b.tokens = b.burst
		return
	}
	if now.After(b.last) {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
		b.last = now
	}
}

// take takes a token and returns 0, or returns how long until one is there
// (taking nothing).
func (b *bucket) take(now time.Time) time.Duration {
	b.advance(now)
	if b.tokens >= 1 {
		b.tokens--
		return 0
	}
	if b.rate <= 0 {
		return time.Hour
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// refund gives a token back.
func (b *bucket) refund(now time.Time) {
	b.advance(now)
	b.tokens = math.Min(b.burst, b.tokens+1)
}

// hourWindow counts calls over the last hour in one-second slots.
type hourWindow struct {
	limit int // <= 0: no budget
	slots map[int64]int
	total int
}

func newHourWindow(limit int) hourWindow {
	return hourWindow{limit: limit, slots: map[int64]int{}}
}

// expire drops slots older than an hour.
func (h *hourWindow) expire(now time.Time) {
	cut := now.Unix() - 3600
	for s, n := range h.slots {
		if s <= cut {
			h.total -= n
			delete(h.slots, s)
		}
	}
}

// full reports whether the budget is spent and, if so, when a call may go.
func (h *hourWindow) full(now time.Time) (time.Time, bool) {
	if h.limit <= 0 {
		return time.Time{}, false
	}
	if h.total < h.limit {
		return time.Time{}, false
	}
	h.expire(now)
	if h.total < h.limit {
		return time.Time{}, false
	}
	oldest := int64(math.MaxInt64)
	for s := range h.slots {
		oldest = min(oldest, s)
	}
	return time.Unix(oldest+3601, 0), true
}

// seed counts calls made before this process started.
func (h *hourWindow) seed(used []UsedCalls, now time.Time) {
	if h.limit <= 0 {
		return
	}
	for _, u := range used {
		if u.Calls > 0 && u.At.Unix() > now.Unix()-3600 && !u.At.After(now) {
			h.slots[u.At.Unix()] += u.Calls
			h.total += u.Calls
		}
	}
}

func (h *hourWindow) add(now time.Time) {
	if h.limit <= 0 {
		return
	}
	h.slots[now.Unix()]++
	h.total++
	if len(h.slots) > 3700 {
		h.expire(now)
	}
}

func (h *hourWindow) remove(at time.Time) {
	if h.limit <= 0 || h.slots[at.Unix()] == 0 {
		return
	}
	h.slots[at.Unix()]--
	h.total--
}
