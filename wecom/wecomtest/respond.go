package wecomtest

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// readBody reads at most maxBody bytes of the request body.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	return io.ReadAll(io.LimitReader(r.Body, maxBody))
}

// sleepCtx waits d, or less if the client goes away; it reports whether
// the full delay elapsed.
func sleepCtx(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// finish records call and writes an answer: an errcode JSON body when aerr
// is set, otherwise the plain status text for a non-200 status. A nil w
// only records (the client is gone).
func (s *Server) finish(w http.ResponseWriter, call Call, status int, aerr *apiError) {
	var body []byte
	if aerr != nil {
		call.ErrCode = aerr.code
		body, _ = json.Marshal(statusFor(aerr))
	}
	call.Status = status
	s.record(call)
	if w == nil {
		return
	}
	if aerr != nil {
		writeJSON(w, status, body)
		return
	}
	http.Error(w, http.StatusText(status), status)
}

// finishJSON records a successful call and writes its payload.
func (s *Server) finishJSON(w http.ResponseWriter, call Call, payload any) {
	body, err := json.Marshal(payload)
	if err != nil {
		s.finish(w, call, http.StatusInternalServerError, nil)
		return
	}
	call.Status = http.StatusOK
	s.record(call)
	writeJSON(w, http.StatusOK, body)
}

// drop hijacks the connection and closes it without answering.
func (s *Server) drop(w http.ResponseWriter, call Call) {
	call.Status = 0
	s.record(call)
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// record appends call to the log.
func (s *Server) record(call Call) {
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
}

// statusFor converts an apiError to its JSON answer.
func statusFor(e *apiError) status { return status{ErrCode: e.code, ErrMsg: e.msg} }

// writeJSON writes a JSON body with WeCom's content type.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
