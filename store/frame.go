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

// parseAOF reads the commands of buf from offset from; buf starts at file
// offset base. bad is set when bytes after the last command are not a
// whole command (cut short: a torn write; or not a command at all: junk
// a crash left). err is set only when not even the first command parses.
func parseAOF(buf []byte, from int, base int64) (cmds []aofCmd, bad bool, err error) {
	i := from
	for i < len(buf) {
		if buf[i] == 0 { // BuntDB skips NUL bytes between commands
			i++
			continue
		}
		c, next, err := parseCmd(buf, i)
		if err != nil {
			if len(cmds) == 0 && !errors.Is(err, errShort) {
				return nil, false, err
			}
			return cmds, true, nil
		}
		c.end = base + int64(next)
		cmds = append(cmds, c)
		i = next
	}
	return cmds, false, nil
}

// parseTail parses a buffer that starts at file offset base, somewhere in
// the middle of the file. It starts at the first line start from which the
// rest parses to the end; if none does (the end is torn or junk), at the
// first from which whole commands parse, up to where they stop.
func parseTail(buf []byte, base int64) ([]aofCmd, bool, error) {
	if base == 0 {
		return parseAOF(buf, 0, 0)
	}
	var torn []aofCmd
	for i := 1; i < len(buf); i++ {
		if buf[i] != '*' || buf[i-1] != '\n' {
			continue
		}
		cmds, bad, err := parseAOF(buf, i, base)
		if err != nil || len(cmds) == 0 {
			continue
		}
		if !bad {
			return cmds, false, nil
		}
		if torn == nil {
			torn = cmds
		}
		// Every line start up to where these stopped is on the same run
		// of commands and stops there too: look past it.
		i = int(cmds[len(cmds)-1].end - base)
	}
	if torn != nil {
		return torn, true, nil
	}
	return nil, false, errShort
}
