package backup

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/store"
)

// The portable dump: one JSON-lines stream per table. The first line is the header
// {"table":…, "columns":[…]}; each further line is one row, an array of cells, each
// cell null or an object naming its type, so that a value reads back as what it was:
//
//	{"i":"42"} integer (as a string: JSON numbers lose precision past 2^53)
//	{"s":"…"} text   {"b":"base64"} bytes   {"t":"RFC 3339"} timestamp
//	{"v":true} boolean   {"f":"1.5"} floating point
//
// PostgreSQL backups use it (a REPEATABLE READ snapshot of every table), and the tests
// compare two databases table by table through it, whatever the dialect.

// Header starts a table's dump.
type Header struct {
	Table   string   `json:"table"`
	Columns []string `json:"columns"`
}

// Cell is one value of the dump.
type Cell struct {
	I *string `json:"i,omitempty"`
	S *string `json:"s,omitempty"`
	B *string `json:"b,omitempty"`
	T *string `json:"t,omitempty"`
	V *bool   `json:"v,omitempty"`
	F *string `json:"f,omitempty"`
}

func encodeCell(v any) (*Cell, error) {
	str := func(s string) *string { return &s }
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64:
		return &Cell{I: str(strconv.FormatInt(x, 10))}, nil
	case int32:
		return &Cell{I: str(strconv.FormatInt(int64(x), 10))}, nil
	case int:
		return &Cell{I: str(strconv.Itoa(x))}, nil
	case string:
		return &Cell{S: &x}, nil
	case []byte:
		return &Cell{B: str(base64.StdEncoding.EncodeToString(x))}, nil
	case time.Time:
		return &Cell{T: str(x.UTC().Format(time.RFC3339Nano))}, nil
	case bool:
		return &Cell{V: &x}, nil
	case float64:
		return &Cell{F: str(strconv.FormatFloat(x, 'g', -1, 64))}, nil
	case float32:
		return &Cell{F: str(strconv.FormatFloat(float64(x), 'g', -1, 32))}, nil
	}
	return nil, fmt.Errorf("backup: cannot dump a %T", v)
}

// Value is the Go value to bind for the cell.
func (c *Cell) Value() (any, error) {
	switch {
	case c == nil:
		return nil, nil
	case c.I != nil:
		return strconv.ParseInt(*c.I, 10, 64)
	case c.S != nil:
		return *c.S, nil
	case c.B != nil:
		return base64.StdEncoding.DecodeString(*c.B)
	case c.T != nil:
		return time.Parse(time.RFC3339Nano, *c.T)
	case c.V != nil:
		return *c.V, nil
	case c.F != nil:
		return strconv.ParseFloat(*c.F, 64)
	}
	return nil, errors.New("backup: empty cell")
}

// Tables lists the application's tables in an order in which each table comes after
// the tables its foreign keys refer to (so rows can be inserted in that order), ties by
// name. schema_migrations is included; SQLite's own tables are not.
func Tables(ctx context.Context, st *store.Store) ([]string, error) {
	var names []string
	deps := map[string][]string{}
	err := st.InReadTx(ctx, func(tx *store.Tx) error {
		var q string
		if st.Dialect() == store.Postgres {
			q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
		} else {
			q = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`
		}
		rows, err := tx.Query(ctx, q)
		if err != nil {
			return err
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			names = append(names, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, n := range names {
			var q string
			if st.Dialect() == store.Postgres {
				q = `SELECT DISTINCT cl.relname FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.confrelid
WHERE c.contype = 'f' AND c.conrelid = (quote_ident(current_schema()) || '.' || quote_ident(?))::regclass`
			} else {
				q = `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`
			}
			rows, err := tx.Query(ctx, q, n)
			if err != nil {
				return fmt.Errorf("foreign keys of %s: %w", n, err)
			}
			for rows.Next() {
				var d string
				if err := rows.Scan(&d); err != nil {
					rows.Close()
					return err
				}
				if d != n {
					deps[n] = append(deps[n], d)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: list tables: %w", err)
	}
	sort.Strings(names)
	var out []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) error
	visit = func(n string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("backup: foreign keys form a cycle through %s", n)
		case 2:
			return nil
		}
		state[n] = 1
		ds := deps[n]
		sort.Strings(ds)
		for _, d := range ds {
			if err := visit(d); err != nil {
				return err
			}
		}
		state[n] = 2
		out = append(out, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// DumpTable writes one table as JSON lines, rows in primary-key order where there is
// one (the first column otherwise), so that two dumps of equal tables are equal bytes.
func DumpTable(ctx context.Context, tx *store.Tx, table string, w io.Writer) (rows int64, err error) {
	r, err := tx.Query(ctx, `SELECT * FROM `+quoteIdent(table)+` ORDER BY 1, 2`)
	if err != nil {
		// Tables with one column cannot ORDER BY 2.
		r, err = tx.Query(ctx, `SELECT * FROM `+quoteIdent(table)+` ORDER BY 1`)
	}
	if err != nil {
		return 0, fmt.Errorf("dump %s: %w", table, err)
	}
	defer r.Close()
	cols, err := r.Columns()
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	if err := enc.Encode(Header{Table: table, Columns: cols}); err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	cells := make([]*Cell, len(cols))
	for r.Next() {
		if err := r.Scan(ptrs...); err != nil {
			return rows, fmt.Errorf("dump %s: %w", table, err)
		}
		for i, v := range vals {
			if cells[i], err = encodeCell(v); err != nil {
				return rows, fmt.Errorf("dump %s.%s: %w", table, cols[i], err)
			}
		}
		if err := enc.Encode(cells); err != nil {
			return rows, err
		}
		rows++
	}
	if err := r.Err(); err != nil {
		return rows, fmt.Errorf("dump %s: %w", table, err)
	}
	return rows, bw.Flush()
}

// Snapshot dumps every table of st in one read snapshot, for comparing two databases.
func Snapshot(ctx context.Context, st *store.Store) (map[string][]byte, error) {
	tables, err := Tables(ctx, st)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	err = st.InReadTx(ctx, func(tx *store.Tx) error {
		for _, t := range tables {
			var b bytes.Buffer
			if _, err := DumpTable(ctx, tx, t, &b); err != nil {
				return err
			}
			out[t] = b.Bytes()
		}
		return nil
	})
	return out, err
}
