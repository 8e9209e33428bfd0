package anonymize

import (
	"strconv"
	"strings"
)

// tableInfo is what CREATE TABLE said about a table: its columns in order and the
// length limit of each (0 for none known).
type tableInfo struct {
	name  string
	cols  []string
	limit []colLimit
}

// colLimit is a column's length limit: n characters, or n bytes for MySQL's TEXT types.
type colLimit struct {
	n     int
	bytes bool
}

// maxStatementHeader bounds a captured CREATE TABLE, INSERT header or COPY header.
const maxStatementHeader = 8 << 20

// createTable captures a CREATE TABLE statement, writes it unchanged and learns the
// table's columns.
func (p *proc) createTable() error {
	in := p.in
	if err := in.setSink(sinkCapture); err != nil {
		return err
	}
	in.capture = in.capture[:0]
	start := in.offset()
	if _, err := p.scanStatement(false); err != nil {
		return err
	}
	if in.offset()-start > maxStatementHeader {
		return in.errorf("CREATE TABLE statement longer than %d MiB", maxStatementHeader>>20)
	}
	if err := in.setSink(sinkOut); err != nil {
		return err
	}
	stmt := in.capture
	if err := p.pipe.emit(stmt); err != nil {
		return err
	}
	if t := parseCreate(stmt, p.pg); t != nil && len(p.tables) < 100000 {
		p.tables[t.name] = t
		delete(p.plans, t.name)
	}
	return nil
}

// sqlToken is one token of a statement header.
type sqlToken struct {
	kind byte // 'w' word, 'i' quoted identifier, 's' string, 'n' number, or the punctuation byte
	text string
}

// tokenize splits a captured statement into tokens, skipping comments; it stops after
// max tokens (0: no limit).
func tokenize(b []byte, pg bool, max int) []sqlToken {
	var out []sqlToken
	for i := 0; i < len(b) && (max == 0 || len(out) < max); {
		c := b[i]
		switch {
		case isSpace(c):
			i++
		case c == '-' && i+1 < len(b) && b[i+1] == '-', c == '#' && !pg:
			for i < len(b) && b[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(b) && b[i+1] == '*':
			j := strings.Index(string(b[i+2:]), "*/")
			if j < 0 {
				return out
			}
			i += j + 4
		case c == '`' || c == '"' && pg:
			j := i + 1
			var sb strings.Builder
			for j < len(b) {
				if b[j] == c {
					if j+1 < len(b) && b[j+1] == c {
						sb.WriteByte(c)
						j += 2
						continue
					}
					break
				}
				sb.WriteByte(b[j])
				j++
			}
			out = append(out, sqlToken{'i', sb.String()})
			i = j + 1
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(b) {
				if b[j] == '\\' && (!pg || c == '"') {
					j += 2
					continue
				}
				if b[j] == c {
					if j+1 < len(b) && b[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j, len(b))
			out = append(out, sqlToken{'s', string(b[i+1 : end])})
			i = j + 1
		case isWordStart(c):
			j := i
			for j < len(b) && isWordByte(b[j]) {
				j++
			}
			out = append(out, sqlToken{'w', string(b[i:j])})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '.') {
				j++
			}
			out = append(out, sqlToken{'n', string(b[i:j])})
			i = j
		default:
			out = append(out, sqlToken{c, string(c)})
			i++
		}
	}
	return out
}

// tableName reads a possibly schema-qualified name at toks[i:], returning the last part
// and the index after it.
func tableName(toks []sqlToken, i int) (string, int) {
	name := ""
	for i < len(toks) {
		if toks[i].kind != 'w' && toks[i].kind != 'i' {
			break
		}
		name = toks[i].text
		i++
		if i < len(toks) && toks[i].kind == '.' {
			i++
			continue
		}
		break
	}
	return name, i
}

// parseCreate reads the columns and their length limits from a CREATE TABLE statement.
func parseCreate(stmt []byte, pg bool) *tableInfo {
	toks := tokenize(stmt, pg, 0)
	i := 0
	for i < len(toks) && !(toks[i].kind == 'w' && strings.EqualFold(toks[i].text, "TABLE")) {
		i++
	}
	i++
	// IF NOT EXISTS
	for i < len(toks) && toks[i].kind == 'w' && (strings.EqualFold(toks[i].text, "IF") || strings.EqualFold(toks[i].text, "NOT") || strings.EqualFold(toks[i].text, "EXISTS")) {
		i++
	}
	name, i := tableName(toks, i)
	if name == "" || i >= len(toks) || toks[i].kind != '(' {
		return nil
	}
	t := &tableInfo{name: name}
	depth := 0
	elemStart := true
	for i++; i < len(toks); i++ {
		tk := toks[i]
		switch tk.kind {
		case '(':
			depth++
			continue
		case ')':
			if depth == 0 {
				return t
			}
			depth--
			continue
		case ',':
			if depth == 0 {
				elemStart = true
			}
			continue
		}
		if depth != 0 || !elemStart {
			continue
		}
		elemStart = false
		// A string where a column name belongs is a name in ANSI_QUOTES style.
		if tk.kind != 'w' && tk.kind != 'i' && tk.kind != 's' {
			continue
		}
		if tk.kind == 'w' {
			switch strings.ToUpper(tk.text) {
			case "PRIMARY", "KEY", "UNIQUE", "CONSTRAINT", "INDEX", "FULLTEXT", "SPATIAL", "FOREIGN", "CHECK", "PERIOD", "LIKE", "EXCLUDE":
				continue
			}
		}
		t.cols = append(t.cols, tk.text)
		t.limit = append(t.limit, typeLimit(toks[i+1:]))
	}
	return t
}

// typeLimit reads the length limit from a column's type tokens.
func typeLimit(toks []sqlToken) colLimit {
	if len(toks) == 0 || toks[0].kind != 'w' {
		return colLimit{}
	}
	typ := strings.ToLower(toks[0].text)
	k := 1
	if typ == "character" && len(toks) > 1 && toks[1].kind == 'w' && strings.EqualFold(toks[1].text, "varying") {
		typ, k = "varchar", 2
	}
	switch typ {
	case "tinytext":
		return colLimit{255, true}
	case "text":
		if len(toks) > k && toks[k].kind == '(' {
			break
		}
		return colLimit{65535, true}
	case "mediumtext":
		return colLimit{16777215, true}
	case "varchar", "char", "character", "nvarchar", "nchar", "varbinary", "binary", "bpchar":
	default:
		return colLimit{}
	}
	if len(toks) > k+2 && toks[k].kind == '(' && toks[k+1].kind == 'n' && toks[k+2].kind == ')' {
		n, err := strconv.Atoi(toks[k+1].text)
		if err == nil && n > 0 {
			return colLimit{n: n, bytes: typ == "text" || typ == "varbinary" || typ == "binary"}
		}
	}
	return colLimit{}
}
