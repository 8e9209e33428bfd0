package deps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

// syntaxError adds a line to JSON errors, which only carry byte offsets.
func syntaxError(path string, data []byte, err error) error {
	var se *json.SyntaxError
	if ok := asSyntax(err, &se); ok {
		return fmt.Errorf("%s:%d: %v", path, lineAt(data, se.Offset), err)
	}
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return fmt.Errorf("%s: truncated JSON", path)
	}
	return fmt.Errorf("%s: %v", path, err)
}

func asSyntax(err error, target **json.SyntaxError) bool {
	se, ok := err.(*json.SyntaxError)
	if ok {
		*target = se
	}
	return ok
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
