package textpos

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncd\n\nef")
	for _, c := range []struct{ off, line, col int }{{0, 1, 1}, {1, 1, 2}, {3, 2, 1}, {7, 4, 1}, {8, 4, 2}, {99, 4, 3}, {-1, 1, 1}} {
		if l, col := LineCol(data, c.off); l != c.line || col != c.col {
			t.Errorf("LineCol(%d) = %d:%d, want %d:%d", c.off, l, col, c.line, c.col)
		}
	}
}

func TestJSONError(t *testing.T) {
	data := []byte("{\n  \"a\": 1,,\n}")
	var v any
	err := JSONError(data, json.Unmarshal(data, &v))
	if err == nil || !strings.HasPrefix(err.Error(), "line 2, column 10:") {
		t.Fatalf("err = %v", err)
	}
}
