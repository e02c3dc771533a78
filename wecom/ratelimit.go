package wecom

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/time/rate"
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

// limiters holds one token bucket per API path, created lazily.
type limiters struct {
	mu       sync.Mutex
	perMin   map[string]int
	byPath   map[string]*rate.Limiter
	fallback int
}

// newLimiters merges overrides over DefaultRateLimits. A value of 0 in
// overrides keeps the default; a negative value disables limiting for that path.
func newLimiters(overrides map[string]int) *limiters {
	perMin := make(map[string]int, len(DefaultRateLimits)+len(overrides))
	for k, v := range DefaultRateLimits {
		perMin[k] = v
	}
	for k, v := range overrides {
		if v != 0 {
			perMin[k] = v
		}
	}
	return &limiters{perMin: perMin, byPath: map[string]*rate.Limiter{}, fallback: defaultRatePerMinute}
}

// newBucket converts calls per minute into a limiter whose burst is one
// second's worth of calls (at least 1).
func newBucket(perMin int) *rate.Limiter {
	if perMin < 0 {
		return rate.NewLimiter(rate.Inf, 1)
	}
	burst := perMin / 60
	if burst < 1 {
		burst = 1
	}
	return rate.NewLimiter(rate.Limit(float64(perMin)/60), burst)
}

// get returns the limiter of path.
func (l *limiters) get(path string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lim, ok := l.byPath[path]; ok {
		return lim
	}
	n, ok := l.perMin[path]
	if !ok {
		n = l.fallback
	}
	lim := newBucket(n)
	l.byPath[path] = lim
	return lim
}

// wait blocks until path may be called. If ctx ends (or would end) first it
// returns an error wrapping ctx's error or ErrRateLimited.
func (l *limiters) wait(ctx context.Context, path string) error {
	if err := l.get(path).Wait(ctx); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("wecom %s: rate limit wait: %w", path, ctxErr)
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("wecom %s: rate limit wait: %w", path, err)
		}
		return fmt.Errorf("wecom %s: %w: %v", path, ErrRateLimited, err)
	}
	return nil
}
