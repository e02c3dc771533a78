// Package wecom 是 tagbot 与企业微信服务端 API 之间的适配层：基于
// github.com/silenceper/wechat/v2 的凭据、缓存与 HTTP 工具，补上 ctx、
// api_base 路由、token 失效重试、按接口限流和带类型的错误。
// 其余代码只依赖 API 接口。
package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/util"
	"github.com/silenceper/wechat/v2/work"
	"github.com/silenceper/wechat/v2/work/config"
)

// API 是 tagbot 使用的企业微信能力（出队 worker、同步、机器人都依赖它）。
type API interface {
	GetCorpTagList(ctx context.Context, tagIDs, groupIDs []string) ([]TagGroup, error)
	AddCorpTag(ctx context.Context, req AddTagRequest) (TagGroup, error)
	EditCorpTag(ctx context.Context, id, name string, order int) error
	DelCorpTag(ctx context.Context, tagIDs, groupIDs []string) error
	MarkTag(ctx context.Context, userID, externalUserID string, add, remove []string) error
	GetFollowUserList(ctx context.Context) ([]string, error)
	GetExternalContact(ctx context.Context, externalUserID string) (Contact, error)
	BatchGetByUser(ctx context.Context, userIDs []string, cursor string, limit int) ([]Contact, string, error)
	AllCustomers(ctx context.Context, userIDs []string, fn func(Contact) error) error
	GetUser(ctx context.Context, userID string) (User, error)
	SendText(ctx context.Context, toUser, content string) error
	SendMarkdown(ctx context.Context, toUser, content string) error
	SendCard(ctx context.Context, toUser string, card TemplateCard) (string, error)
	UpdateCardButton(ctx context.Context, userIDs []string, responseCode, replaceName string) error
	UploadMedia(ctx context.Context, typ MediaType, name string, data []byte) (string, error)
	SendImage(ctx context.Context, toUser, mediaID string) error
	SendFile(ctx context.Context, toUser, mediaID string) error
}

var _ API = (*Client)(nil)

// Config 是 Client 的配置。
type Config struct {
	CorpID  string
	Secret  string // 自建应用 secret；从不写入日志
	AgentID int
	// APIBase 默认 https://qyapi.weixin.qq.com；测试时指向假服务器。
	APIBase string
	// RateLimits 按 API 路径（如 "externalcontact/mark_tag"）覆盖 DefaultRateLimits，单位次/分钟；负数表示不限流。
	RateLimits map[string]int
	// Limits adds the hourly budget and concurrency cap per path and the
	// pause after 45009 (gate.go). 每小时额度、并发上限与 45009 后的暂停。
	Limits LimitOptions
	// HTTPTimeout 是单次 HTTP 请求（含取 token）的超时，默认 10s；共享的 HTTP 客户端
	// 另有 10s 的硬上限，更大的值不起作用。
	HTTPTimeout time.Duration
	Logger      *slog.Logger
	// Observe, when set, is told of every API call attempt: its path (e.g.
	// "externalcontact/mark_tag"), its errcode (0 ok, -1 a failure that is
	// no WeCom answer: network, timeout) and how long it waited for the rate
	// limiter. Token fetches are attempts of their own, path "gettoken"
	// (a cached token is none); a call that could not get a token is
	// counted there only. For metrics; it must not block.
	// 每次调用的观测钩子（供指标使用）。
	Observe func(api string, errcode int, limiterWait time.Duration)
}

// Client 实现 API。并发安全。
type Client struct {
	corpID  string
	agentID int
	base    string
	timeout time.Duration
	tok     *tokenHandle
	lim     *limiters
	log     *slog.Logger
	observe func(api string, errcode int, limiterWait time.Duration)
}

// New 校验配置并创建 Client；首次调用时安装 SDK 的全局 URI 改写器与 HTTP 客户端。
func New(cfg Config) (*Client, error) {
	if cfg.CorpID == "" || cfg.Secret == "" {
		return nil, errors.New("wecom: corp id and secret are required")
	}
	if cfg.AgentID < 0 {
		return nil, fmt.Errorf("wecom: invalid agent id %d", cfg.AgentID)
	}
	base := strings.TrimRight(cfg.APIBase, "/")
	if base == "" {
		base = DefaultAPIBase
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("wecom: invalid api base %q", redactURL(base))
	}
	timeout := cfg.HTTPTimeout
	if timeout <= 0 {
		timeout = sharedHTTPTimeout
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	agent := ""
	if cfg.AgentID > 0 {
		agent = strconv.Itoa(cfg.AgentID)
	}
	installGlobals()
	routes.addClient(cfg.CorpID, cfg.Secret, base)
	return &Client{
		corpID:  cfg.CorpID,
		agentID: cfg.AgentID,
		base:    base,
		timeout: timeout,
		tok:     newTokenHandle(cfg.CorpID, cfg.Secret, agent, base, cfg.Observe),
		lim:     newLimiters(cfg.RateLimits, cfg.Limits),
		log:     logger.With("pkg", "wecom"),
		observe: cfg.Observe,
	}, nil
}

// SDK 返回与本 Client 共用 token 缓存的 SDK 实例，供本包未封装的接口使用。
// 它发出的请求由全局 URI 改写器按 token 路由到本 Client 的 api_base；但 SDK 方法
// 不带 ctx、不限流、不做 40014/42001 重试，错误也不会转换成 APIError。
func (c *Client) SDK() *work.Work {
	w := work.NewWork(&config.Config{CorpID: c.corpID, AgentID: strconv.Itoa(c.agentID), Cache: c.tok.cache})
	w.GetContext().AccessTokenHandle = c.tok
	return w
}

// invoke runs one API call: waits for the path's gate (rate, hourly
// budget, concurrency, pause; gate.go), obtains a token, sends, and on
// errcode 40014/42001 drops the token and retries exactly once.
func (c *Client) invoke(ctx context.Context, path string, send func(ctx context.Context, token string) error) error {
	var err error
	for attempt := 1; attempt <= 2; attempt++ {
		waitStart := time.Now()
		s, aerr := c.lim.get(path).acquire(ctx)
		if aerr != nil {
			return aerr
		}
		start := time.Now()
		var token string
		tokenFailed := false
		err = c.withTimeout(ctx, func(ctx context.Context) error {
			var terr error
			if token, terr = c.tok.GetAccessTokenContext(ctx); terr != nil {
				tokenFailed = true // observed as gettoken by the token handle
				return terr
			}
			return send(ctx, token)
		})
		err = s.release(err)
		c.log.LogAttrs(ctx, slog.LevelDebug, "wecom call", slog.String("api", path), slog.Int("attempt", attempt),
			slog.Duration("took", time.Since(start)), slog.Int("errcode", Code(err)), slog.Bool("ok", err == nil))
		if c.observe != nil && !tokenFailed {
			c.observe(path, observedCode(err), start.Sub(waitStart))
		}
		if attempt == 1 && token != "" && isTokenError(err) {
			c.tok.invalidate(token)
			c.log.Warn("wecom access token rejected, refreshing and retrying", "api", path, "errcode", Code(err))
			continue
		}
		return err
	}
	return err
}

func (c *Client) withTimeout(ctx context.Context, fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	return fn(ctx)
}

// endpoint builds the request URL for path with the token and extra query.
func (c *Client) endpoint(path, token string, query url.Values) string {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("access_token", token)
	return c.base + "/cgi-bin/" + path + "?" + q.Encode()
}

// postJSON POSTs body as JSON to path and decodes the response into out
// (which may be nil), converting a non-zero errcode to *APIError.
func (c *Client) postJSON(ctx context.Context, path string, body, out any) error {
	return c.invoke(ctx, path, func(ctx context.Context, token string) error {
		resp, err := util.PostJSONContext(ctx, c.endpoint(path, token, nil), body)
		if err != nil {
			return convertErr(path, err)
		}
		return decode(path, resp, out)
	})
}

// getJSON GETs path with query and decodes the response like postJSON.
func (c *Client) getJSON(ctx context.Context, path string, query url.Values, out any) error {
	return c.invoke(ctx, path, func(ctx context.Context, token string) error {
		resp, err := util.HTTPGetContext(ctx, c.endpoint(path, token, query))
		if err != nil {
			return convertErr(path, err)
		}
		return decode(path, resp, out)
	})
}

// decode checks the errcode of body and then unmarshals it into out.
func decode(path string, body []byte, out any) error {
	if err := util.DecodeWithCommonError(body, path); err != nil {
		var ce *util.CommonError
		if errors.As(err, &ce) {
			return convertErr(path, err)
		}
		return fmt.Errorf("wecom %s: decode response: %w", path, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("wecom %s: decode response: %w", path, err)
	}
	return nil
}
