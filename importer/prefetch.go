package importer

import "sync"

// prefetchBatch is how many rows the reader hands over at a time.
const prefetchBatch = 256

// prefetched is a row read ahead, or the error that ended reading.
type prefetched struct {
	cells []string
	line  int
	err   error
}

// prefetcher reads rows in a goroutine of its own, a batch ahead of the
// planner: parsing the file (XLSX's XML above all) and matching rows to
// customers then use two cores. Next returns the rows in order, ending
// with the reader's error (io.EOF at the end). Stop ends the goroutine.
type prefetcher struct {
	ch   chan []prefetched
	done chan struct{}
	wg   sync.WaitGroup
	stop sync.Once
	cur  []prefetched
}

func prefetch(rows Rows) *prefetcher {
	p := &prefetcher{ch: make(chan []prefetched, 4), done: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(p.ch)
		batch := make([]prefetched, 0, prefetchBatch)
		for {
			cells, line, err := rows.Next()
			batch = append(batch, prefetched{cells, line, err})
			if err != nil || len(batch) == prefetchBatch {
				select {
				case p.ch <- batch:
				case <-p.done:
					return
				}
				if err != nil {
					return
				}
				batch = make([]prefetched, 0, prefetchBatch)
			}
		}
	}()
	return p
}

// Next returns the next row read ahead.
func (p *prefetcher) Next() ([]string, int, error) {
	for len(p.cur) == 0 {
		b, ok := <-p.ch
		if !ok {
			return nil, 0, errPrefetchStopped
		}
		p.cur = b
	}
	r := p.cur[0]
	p.cur = p.cur[1:]
	return r.cells, r.line, r.err
}

// Stop ends the reading goroutine and waits for it; the Rows may then be
// used (Encoding, Close) from the caller's goroutine. Calling it again
// does nothing.
func (p *prefetcher) Stop() {
	p.stop.Do(func() {
		close(p.done)
		for range p.ch {
		}
		p.wg.Wait()
	})
}
