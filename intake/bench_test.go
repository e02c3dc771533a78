package intake

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkIngestAPI posts batches to /api/v1/messages through the real
// handler and store (fsync every second, the default): messages accepted
// durably per second, for arrays of 1,000 and single objects. Every item
// has a new id, so each is stored.
func BenchmarkIngestAPI(b *testing.B) {
	for _, size := range []int{1000, 1} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			s, clk, _ := openStore(b)
			mux := http.NewServeMux()
			NewAPI(NewQueue(s, QueueOptions{Now: clk.Now}), APIOptions{Token: testToken, Logger: slog.New(slog.DiscardHandler)}).Mount(mux)
			bodies := make([][]byte, 0, 64)
			n := 0
			body := func() []byte {
				var buf bytes.Buffer
				if size > 1 {
					buf.WriteByte('[')
				}
				for i := range size {
					if i > 0 {
						buf.WriteByte(',')
					}
					n++
					fmt.Fprintf(&buf, `{"id":"b%d","customer":"c1","employee":"zhangsan","from":"customer","text":"请问这款口红的色号 %d 还有货吗，多少钱","time":1793520000}`, n, n)
				}
				if size > 1 {
					buf.WriteByte(']')
				}
				return buf.Bytes()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				if len(bodies) == 0 {
					for range 64 {
						bodies = append(bodies, body())
					}
				}
				req := httptest.NewRequest(http.MethodPost, MessagesPath, bytes.NewReader(bodies[0]))
				bodies = bodies[1:]
				req.Header.Set("Authorization", "Bearer "+testToken)
				rec := httptest.NewRecorder()
				b.StartTimer()
				mux.ServeHTTP(rec, req)
				if rec.Code != http.StatusAccepted {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
