// Package errcode is the one table of WeCom (企业微信) global error codes
// (全局错误码) tagbot meets: the wecom client, the outbox worker (mirror)
// and the fake WeCom (wecomtest) all name codes from here instead of
// writing numbers. Each constant's comment gives its Go name, the number and
// the meaning as WeCom's global error code table words it.
//
// It is a package of its own, not part of wecom, so that the fake in
// wecom/wecomtest can use it while wecom's own tests use the fake.
//
// 企业微信全局错误码表：tagbot 各处只用这里的名字，不写数字。
package errcode

// Codes WeCom answers in "errcode". Which of them are worth a retry is
// decided by wecom.IsTransient; what a refusal tells the user is decided by
// mirror.
const (
	// SystemBusy is -1: 系统繁忙，建议稍后重试.
	SystemBusy = -1
	// OK is 0: 请求成功.
	OK = 0
	// InvalidSecret is 40001: 不合法的secret参数.
	InvalidSecret = 40001
	// InvalidUserID is 40003: 无效的UserID.
	InvalidUserID = 40003
	// InvalidMediaType is 40004: 不合法的媒体文件类型.
	InvalidMediaType = 40004
	// InvalidFileType is 40005: 不合法的文件类型.
	InvalidFileType = 40005
	// InvalidFileSize is 40006: 不合法的文件大小.
	InvalidFileSize = 40006
	// InvalidMediaID is 40007: 不合法的媒体文件id.
	InvalidMediaID = 40007
	// InvalidMsgType is 40008: 不合法的msgtype参数.
	InvalidMsgType = 40008
	// InvalidImageSize is 40009: 上传图片大小不是有效值.
	InvalidImageSize = 40009
	// InvalidCorpID is 40013: 不合法的CorpID.
	InvalidCorpID = 40013
	// InvalidToken is 40014: 不合法的access_token.
	InvalidToken = 40014
	// InvalidAgentID is 40056: 不合法的agentid.
	InvalidAgentID = 40056
	// InvalidParam is 40058: 不合法的参数.
	InvalidParam = 40058
	// InvalidTagID is 40068: 不合法的标签ID（标签ID未指定，或者指定的标签ID不存在）.
	InvalidTagID = 40068
	// InvalidTagName is 40071: 不合法的标签名字（标签名字已经存在）.
	InvalidTagName = 40071
	// InvalidExternalID is 40096: 不合法的外部联系人userid.
	InvalidExternalID = 40096
	// MissingToken is 41001: 缺少access_token参数.
	MissingToken = 41001
	// MissingCorpID is 41002: 缺少corpid参数.
	MissingCorpID = 41002
	// MissingSecret is 41004: 缺少secret参数.
	MissingSecret = 41004
	// MissingUserID is 41009: 缺少userid参数.
	MissingUserID = 41009
	// MissingAgentID is 41011: 缺少agentid参数.
	MissingAgentID = 41011
	// MissingExternalID is 41035: 缺少外部联系人userid参数.
	MissingExternalID = 41035
	// TokenExpired is 42001: access_token已过期.
	TokenExpired = 42001
	// EmptyContent is 44004: 文本消息content参数为空.
	EmptyContent = 44004
	// RateLimited is 45009: 接口调用超过限制.
	RateLimited = 45009
	// ConcurrencyLimited is 45033: 接口并发调用超过限制.
	ConcurrencyLimited = 45033
	// NoAPIPermission is 48002: API接口无权限调用.
	NoAPIPermission = 48002
	// EmptyMedia is 44001: 多媒体文件为空.
	EmptyMedia = 44001
	// InvalidCursor is 50100: 分页查询的游标无效.
	InvalidCursor = 50100
	// NoPermission is 60011: 指定的成员/部门/标签参数无权限.
	NoPermission = 60011
	// IPNotAllowed is 60020: 访问ip不在白名单之中（企业可信IP）.
	IPNotAllowed = 60020
	// UnknownUserID is 60111: UserID不存在.
	UnknownUserID = 60111
	// AllInvalid is 81013: UserID、部门ID、标签ID全部非法或无权限.
	AllInvalid = 81013
	// NoRecipient is 82001: 指定的成员/部门/标签全部为空.
	NoRecipient = 82001
	// NoRelation is 84061: 不存在外部联系人的关系.
	NoRelation = 84061
)
