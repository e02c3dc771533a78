package store

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// ErrTorn is returned by Open when the file's last transaction was cut
// short (a power cut, a full disk, a crashed machine): part of it is in the
// file, part is not. Serving such a store would run on half a change;
// `tagbot repair` cuts the torn transaction off and rebuilds what derives.
var ErrTorn = errors.New("store: last transaction is incomplete")

// aofCmd is one command of BuntDB's append-only file.
type aofCmd struct {
	del      bool
	key, val string
	end      int64 // file offset just after the command
}

// errShort means the bytes end inside a command.
var errShort = errors.New("aof: command cut short")

// parseCmd reads one RESP command (*N then N $len-prefixed strings) at
// buf[i:]. It returns the command and the offset after it.
func parseCmd(buf []byte, i int) (aofCmd, int, error) {
	n, i, err := respInt(buf, i, '*')
	if err != nil {
		return aofCmd{}, 0, err
	}
	if n < 1 || n > 16 {
		return aofCmd{}, 0, fmt.Errorf("aof: %d arguments", n)
	}
	args := make([]string, n)
	for a := range args {
		var size int
		if size, i, err = respInt(buf, i, '$'); err != nil {
			return aofCmd{}, 0, err
		}
		if size < 0 || size > 1<<30 {
			return aofCmd{}, 0, fmt.Errorf("aof: argument of %d bytes", size)
		}
		if len(buf)-i < size+2 {
			return aofCmd{}, 0, errShort
		}
		if buf[i+size] != '\r' || buf[i+size+1] != '\n' {
			return aofCmd{}, 0, errors.New("aof: argument not ended by CRLF")
		}
		args[a] = string(buf[i : i+size])
		i += size + 2
	}
	switch {
	case (n == 3 || n == 5) && equalFold(args[0], "set"):
		return aofCmd{key: args[1], val: args[2]}, i, nil
	case n == 2 && equalFold(args[0], "del"):
		return aofCmd{del: true, key: args[1]}, i, nil
	}
	return aofCmd{}, 0, fmt.Errorf("aof: unexpected command %q", args[0])
}

func equalFold(a, b string) bool { return bytes.EqualFold([]byte(a), []byte(b)) }

// respInt reads "<prefix><digits>\r\n" at buf[i:].
func respInt(buf []byte, i int, prefix byte) (int, int, error) {
	if i >= len(buf) {
		return 0, 0, errShort
	}
	if buf[i] != prefix {
		return 0, 0, fmt.Errorf("aof: want %q at %d", prefix, i)
	}
	j := bytes.IndexByte(buf[i:], '\n')
	if j < 0 {
		if len(buf)-i > 24 {
			return 0, 0, errors.New("aof: number too long")
		}
		return 0, 0, errShort
	}
	line := buf[i+1 : i+j]
	if len(line) == 0 || line[len(line)-1] != '\r' {
		return 0, 0, errors.New("aof: number not ended by CRLF")
	}
	v, err := strconv.Atoi(string(line[:len(line)-1]))
	if err != nil {
		return 0, 0, fmt.Errorf("aof: bad number %q", line)
	}
	return v, i + j + 1, nil
}

// parseAOF reads the commands of buf, which starts at file offset base.
// partial is set when the bytes end inside a command.
func parseAOF(buf []byte, from int, base int64) (cmds []aofCmd, partial bool, err error) {
	i := from
	for i < len(buf) {
		if buf[i] == 0 { // BuntDB skips NUL bytes between commands
			i++
			continue
		}
		c, next, err := parseCmd(buf, i)
		if errors.Is(err, errShort) {
			return cmds, true, nil
		}
		if err != nil {
			return nil, false, err
		}
		c.end = base + int64(next)
		cmds = append(cmds, c)
		i = next
	}
	return cmds, false, nil
}

// parseTail parses a buffer that starts at file offset base, somewhere in
// the middle of the file: it starts at the first line start from which the
// rest parses.
func parseTail(buf []byte, base int64) ([]aofCmd, bool, error) {
	if base == 0 {
		return parseAOF(buf, 0, 0)
	}
	for i := 1; i < len(buf); i++ {
		if buf[i] != '*' || buf[i-1] != '\n' {
			continue
		}
		if cmds, partial, err := parseAOF(buf, i, base); err == nil {
			return cmds, partial, nil
		}
	}
	return nil, false, errShort
}
