package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// TailReport is what the start-up check found at the end of a store file.
type TailReport struct {
	Size   int64 // file size
	Framed bool  // the file has frame markers (written by this version)
	// GoodEnd is where the last whole transaction ends; Size unless Torn.
	GoodEnd int64
	// Torn reports bytes after GoodEnd: TornCommands whole commands and,
	// when Partial, more bytes that are not a whole command (cut short, or
	// junk a crash left).
	Torn         bool
	TornCommands int
	Partial      bool
}

// String describes the report for an operator.
func (r TailReport) String() string {
	if !r.Torn {
		return fmt.Sprintf("tail ok (%d bytes)", r.Size)
	}
	return fmt.Sprintf("%d bytes after byte %d (%d whole commands%s) are part of a transaction that was not written whole",
		r.Size-r.GoodEnd, r.GoodEnd, r.TornCommands, map[bool]string{true: " and bytes that are no whole command", false: ""}[r.Partial])
}

// compactedRun is how many SETs in strictly ascending key order, ending in
// the frame marker, show a compacted file (BuntDB's shrink writes every key
// in order) rather than a transaction (whose commands come in map order).
const compactedRun = 64

// checkTail reads the end of the file at path and finds where its last
// whole transaction ends. It reads a little (a few hundred KB) unless the
// last transaction is large, or the file has no frames yet.
func checkTail(path string) (TailReport, error) {
	f, err := os.Open(path)
	if err != nil {
		return TailReport{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return TailReport{}, err
	}
	rep := TailReport{Size: fi.Size(), GoodEnd: fi.Size()}
	for window := int64(256 << 10); ; window *= 2 {
		if window == legacyProbe && rep.Size > window && !mentionsFrames(f) {
			return rep, nil // a store from before frames (see below)
		}
		base := max(rep.Size-window, 0)
		buf := make([]byte, rep.Size-base)
		if _, err := f.ReadAt(buf, base); err != nil && !errors.Is(err, io.EOF) {
			return rep, err
		}
		cmds, partial, err := parseTail(buf, base)
		if err != nil {
			if base == 0 {
				return rep, fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
			}
			continue
		}
		good, framed, ok := goodEnd(cmds, base == 0)
		if !ok {
			continue
		}
		rep.Framed = framed
		if !framed {
			// A store from before frames: nothing to check against; its
			// next write is framed. But a store this version wrote has the
			// chain head and ends in a marker even when compacted: without
			// one, the end of the file is missing.
			if slices.ContainsFunc(cmds, func(c aofCmd) bool { return c.key == "meta:chain" }) {
				return rep, fmt.Errorf("%w: %s ends without a transaction marker: its end is missing (a compaction cut short by a power cut?); restore a backup", ErrCorrupt, path)
			}
			return rep, nil
		}
		rep.Partial = partial
		rep.TornCommands = len(cmds) - good
		rep.Torn = partial || rep.TornCommands > 0
		if good > 0 {
			rep.GoodEnd = cmds[good-1].end
		} else {
			rep.GoodEnd = base
		}
		return rep, nil
	}
}

// legacyProbe is the window past which checkTail first asks whether the
// file has any frame at all: a large store from before frames would
// otherwise be parsed whole, several times over, at its first start.
const legacyProbe = 4 << 20

// mentionsFrames reports whether the file holds the frame marker's key or
// the chain head's anywhere (as a SET's key argument): a store written by
// this version does. It scans the raw bytes, which is much cheaper than
// parsing them.
func mentionsFrames(f *os.File) bool {
	needles := [][]byte{[]byte("$6\r\n" + frameKey + "\r\n"), []byte("$10\r\nmeta:chain\r\n")}
	const chunk = 4 << 20
	buf := make([]byte, chunk+64)
	for off := int64(0); ; off += chunk {
		n, err := f.ReadAt(buf, off)
		for _, nd := range needles {
			if bytes.Contains(buf[:n], nd) {
				return true
			}
		}
		if err != nil || n < len(buf) {
			return false
		}
	}
}

// goodEnd returns the number of leading commands of cmds that end with a
// whole transaction: every command after them belongs to a transaction
// whose marker or part of whose commands is missing. framed is false when
// cmds (the whole file: atStart) has no marker at all. ok is false when
// cmds does not reach back far enough to tell.
func goodEnd(cmds []aofCmd, atStart bool) (good int, framed, ok bool) {
	for e := len(cmds); e >= 0; e-- {
		switch frameEndsAt(cmds, e, atStart) {
		case frameYes:
			return e, true, true
		case frameMore:
			return 0, false, false
		case frameNone:
			// No marker before e: the file (if atStart) is from before
			// frames up to e. With none at all it has no frames yet.
			return e, e < len(cmds), atStart
		}
	}
	return 0, false, atStart // unreachable: e == 0 is always frameNone
}

type frameVerdict int

const (
	frameNo   frameVerdict = iota // no transaction ends at e
	frameYes                      // a whole transaction ends at e
	frameMore                     // the buffer does not reach back far enough
	frameNone                     // there is no marker before e at all
)

// frameEndsAt reports whether a whole transaction ends just before cmds[e].
func frameEndsAt(cmds []aofCmd, e int, atStart bool) frameVerdict {
	m := e - 1
	for m >= 0 && (cmds[m].del || cmds[m].key != frameKey) {
		m--
	}
	if m < 0 {
		return frameNone
	}
	want, err := parseFrameSum(cmds[m].val)
	if err != nil {
		return frameNo
	}
	start := e - want.n - 1 // the marker is not counted in n
	if start < 0 {
		if !atStart {
			return frameMore
		}
		return frameNo
	}
	if m >= start {
		var got frameSum
		for i := start; i < e; i++ {
			if i != m {
				got.add(cmds[i].del, cmds[i].key, cmds[i].val)
			}
		}
		if got == want {
			return frameYes
		}
	}
	if m == e-1 {
		return compactedEnd(cmds, m, want.n, atStart)
	}
	return frameNo
}

// compactedEnd reports whether cmds[m] (a marker) ends a compacted run:
// the file as BuntDB's shrink wrote it, every key once, in key order.
func compactedEnd(cmds []aofCmd, m, n int, atStart bool) frameVerdict {
	run := 1
	for i := m; i > 0 && run < compactedRun; i-- {
		a, b := cmds[i-1], cmds[i]
		if a.del || b.del || a.key >= b.key {
			return frameNo
		}
		run++
	}
	switch {
	case run >= compactedRun || (atStart && run == m+1 && run > n+1):
		// A whole file in key order that is longer than the transaction the
		// marker describes: not the torn first transaction of a new file.
		return frameYes
	case !atStart:
		return frameMore
	}
	return frameNo
}
