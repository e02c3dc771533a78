package page

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tagbot/tagbot/commands"
	"github.com/tagbot/tagbot/internal/display"
	"github.com/tagbot/tagbot/store"
)

// cookieName holds "<base64url userid>.<browser secret>": which employee
// this browser opened a link as, and the secret its links are bound to.
const cookieName = "tagbot_import"

// access is an allowed request on a link.
type access struct {
	hash string
	link store.ImportLink
	role commands.Role
}

// refusal is a page refusing a link, in Chinese.
type refusal struct {
	status int
	title  string
	msg    string
}

var (
	refuseUnknown = refusal{http.StatusNotFound, "链接无效", "这个导入链接不存在或已失效。请在企业微信里给机器人发送 /import 获取新链接。"}
	refuseExpired = refusal{http.StatusGone, "链接已过期", "导入链接只在发出后 30 分钟内有效。请在企业微信里给机器人发送 /import 获取新链接。"}
	refuseDevice  = refusal{http.StatusForbidden, "链接已在别处打开", "这个导入链接已经在另一台设备或浏览器上打开过，只能在那里使用。请发送 /import 获取新链接。"}
	refuseStale   = refusal{http.StatusForbidden, "页面已过期", "页面已过期或已在别处提交。请重新打开导入链接。"}
)

// otherEmployee refuses a link of someone else than the browser's employee.
func otherEmployee(owner string) refusal {
	return refusal{http.StatusForbidden, "这是其他员工的导入链接",
		"这个链接属于 " + display.Name(owner) + "，只能本人使用。请在企业微信里给机器人发送 /import 获取你自己的链接。"}
}

// admit checks the link of r: known, not expired, and bound to this
// browser. On a GET (claim true) a browser that has not opened another
// employee's link claims an unclaimed link and gets the cookie; a POST
// must come from the browser that claimed it.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, claim bool) (*access, *refusal) {
	token := r.PathValue("token")
	if len(token) != 43 || strings.Trim(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return nil, &refuseUnknown
	}
	hash := hashOf(token)
	link, err := s.o.Store.ImportLink(hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &refuseUnknown
	}
	if err != nil {
		s.log.Error("import link", "err", err)
		return nil, &refusal{http.StatusInternalServerError, "内部错误", "内部错误，请稍后再试。"}
	}
	if !link.Used && !s.o.Now().Before(link.Expires) {
		return nil, &refuseExpired
	}
	user, secret := readCookie(r)
	if user != "" && user != link.User {
		o := otherEmployee(link.User)
		return nil, &o
	}
	if !claim {
		if secret == "" || link.Claim == "" || subtle.ConstantTimeCompare([]byte(hashOf(secret)), []byte(link.Claim)) != 1 {
			return nil, &refuseStale
		}
		return s.accessOf(hash, link), nil
	}
	if secret == "" {
		if secret, err = randomToken(); err != nil {
			return nil, &refusal{http.StatusInternalServerError, "内部错误", "内部错误，请稍后再试。"}
		}
	}
	if link, err = s.o.Store.ClaimImportLink(hash, hashOf(secret)); errors.Is(err, store.ErrLinkClaimed) {
		return nil, &refuseDevice
	} else if err != nil {
		return nil, &refuseUnknown
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: base64.RawURLEncoding.EncodeToString([]byte(link.User)) + "." + secret,
		// Max-Age, not Expires: the browser counts the day from when it
		// got the cookie, whatever the server's clock says.
		Path: "/import/", MaxAge: int((24 * time.Hour).Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || strings.HasPrefix(s.o.Config.Server.PublicURL, "https:")})
	return s.accessOf(hash, link), nil
}

// accessOf binds the link's role, lowered to the user's role now if that
// fell since the link was made (a demoted manager imports as an employee).
func (s *Server) accessOf(hash string, link store.ImportLink) *access {
	role := commands.Role(link.Role)
	if now := s.router.RoleOf(link.User); !now.AtLeast(role) {
		role = now
	}
	return &access{hash: hash, link: link, role: role}
}

func readCookie(r *http.Request) (user, secret string) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return "", ""
	}
	u, sec, ok := strings.Cut(c.Value, ".")
	raw, err := base64.RawURLEncoding.DecodeString(u)
	if !ok || err != nil || len(sec) != 43 {
		return "", ""
	}
	return string(raw), sec
}
