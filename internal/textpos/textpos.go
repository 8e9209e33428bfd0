// Package textpos turns byte offsets into the line:column positions that findings and
// error messages show, so every parser reports locations the same way.
package textpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// LineCol returns the 1-based line and column (in bytes) of offset off in data.
func LineCol(data []byte, off int) (line, col int) {
	off = max(0, min(off, len(data)))
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	col = off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

// JSONPos locates an encoding/json error, which only carries a byte offset. A syntax
// error points at the offending byte, or at the end of input when the input stopped short.
func JSONPos(data []byte, err error) (line, col int, ok bool) {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off := int(se.Offset)
		if off < len(data) {
			off = max(off-1, 0) // Offset counts the offending byte as read
		}
		line, col = LineCol(data, off)
		return line, col, true
	case errors.As(err, &te):
		line, col = LineCol(data, int(te.Offset))
		return line, col, true
	}
	return 0, 0, false
}

// JSONError prefixes an encoding/json error with its line and column.
func JSONError(data []byte, err error) error {
	if line, col, ok := JSONPos(data, err); ok {
		return fmt.Errorf("line %d, column %d: %w", line, col, err)
	}
	return err
}
