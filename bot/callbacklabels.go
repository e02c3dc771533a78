package bot

import (
	"net/http"
	"strings"
)

// Callback results, ServerOptions.Observe's first argument.
const (
	ResultAccepted  = "accepted"  // stored in the inbox
	ResultDuplicate = "duplicate" // stored before; answered 200 again
	ResultVerified  = "verified"  // a URL check answered
	ResultRejected  = "rejected"  // refused (4xx): the reason says why
	ResultFailed    = "failed"    // our failure (5xx): not stored
)

// reasonNone is the reason of a request that was not refused.
const reasonNone = "none"

// callbackReasons maps a rejection's reason (the text before a colon, so
// a decryption error's detail is left out) to its metric label.
var callbackReasons = map[string]string{
	"method not allowed":                        "method_not_allowed",
	"missing msg_signature, timestamp or nonce": "missing_params",
	"timestamp is not a number":                 "bad_timestamp",
	"timestamp outside the window":              "stale_timestamp",
	"signature mismatch":                        "bad_signature",
	"corp id mismatch":                          "wrong_corp",
	"cannot decrypt":                            "decrypt_failed",
	"missing echostr":                           "missing_echostr",
	"body too large":                            "body_too_large",
	"cannot read body":                          "bad_body",
	"malformed envelope":                        "bad_envelope",
	"envelope ToUserName is not our corp id":    "wrong_corp",
	"malformed message":                         "bad_message",
	"message ToUserName is not our corp id":     "wrong_corp",
	"callback not stored":                       "store_error",
}

// reasonOther labels a rejection callbackReasons does not list.
const reasonOther = "other"

// CallbackLabels lists every (result, reason) pair ServerOptions.Observe
// can be told, so metrics can start each series at 0.
func CallbackLabels() [][2]string {
	out := [][2]string{{ResultAccepted, reasonNone}, {ResultDuplicate, reasonNone}, {ResultVerified, reasonNone},
		{ResultRejected, reasonOther}}
	seen := map[string]bool{}
	for _, label := range callbackReasons {
		if seen[label] {
			continue
		}
		seen[label] = true
		result := ResultRejected
		if label == "store_error" {
			result = ResultFailed
		}
		out = append(out, [2]string{result, label})
	}
	return out
}

// observe reports an outcome to ServerOptions.Observe.
func (s *Server) observe(result, reason string) {
	if s.opts.Observe != nil {
		s.opts.Observe(result, reason)
	}
}

// observeRejection reports a rejection with its label.
func (s *Server) observeRejection(rej *rejection) {
	text, _, _ := strings.Cut(rej.reason, ":")
	reason, ok := callbackReasons[text]
	if !ok {
		reason = reasonOther
	}
	result := ResultRejected
	if rej.status >= http.StatusInternalServerError {
		result = ResultFailed
	}
	s.observe(result, reason)
}
