package deps

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/posture-dev/posture/internal/textpos"
)

// objectKeys decodes the JSON object at the decoder's position member by member, calling
// fn with each key, the line it is on and the raw value. Lockfiles are large, so values are
// handed over raw and only decoded where needed.
func objectKeys(data []byte, dec *json.Decoder, fn func(key string, line int, raw json.RawMessage) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("line %d: expected an object", lineAt(data, dec.InputOffset()))
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		line := lineAt(data, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if err := fn(key, line, raw); err != nil {
			return err
		}
	}
	_, err = dec.Token() // closing brace
	return err
}

func lineAt(data []byte, off int64) int {
	line, _ := textpos.LineCol(data, int(off))
	return line
}

// syntaxError names the lockfile and the line of a JSON error.
func syntaxError(path string, data []byte, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: truncated JSON", path)
	}
	return fmt.Errorf("%s: %w", path, textpos.JSONError(data, err))
}

// arrayItems is objectKeys for arrays: fn gets each element with the line it starts on.
func arrayItems(data []byte, dec *json.Decoder, fn func(line int, raw json.RawMessage) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("line %d: expected an array", lineAt(data, dec.InputOffset()))
	}
	for dec.More() {
		// The element starts after any whitespace following the previous token.
		off := dec.InputOffset()
		for off < int64(len(data)) && (data[off] == ' ' || data[off] == '\n' || data[off] == '\r' || data[off] == '\t' || data[off] == ',') {
			off++
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if err := fn(lineAt(data, off), raw); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}
