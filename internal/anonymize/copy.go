package anonymize

import (
	"bytes"
	"strings"
)

// copyStmt processes pg_dump's COPY … FROM stdin: the statement is captured and written,
// then its data lines follow up to the "\." line: tab-separated fields in COPY's text
// format, rewritten one row at a time for tables with rules and copied otherwise.
func (p *proc) copyStmt() error {
	in := p.in
	if err := in.setSink(sinkCapture); err != nil {
		return err
	}
	in.capture = in.capture[:0]
	line, off := in.position()
	ok, err := p.scanStatement(true)
	if err != nil {
		return err
	}
	if !ok {
		return errorAt(line, off, "COPY statement not terminated (the dump is truncated)")
	}
	if err := in.flush(); err != nil {
		return err
	}
	toks := tokenize(in.capture, true, 0)
	table, i := tableName(toks, 1)
	var cols []string
	if i < len(toks) && toks[i].kind == '(' {
		for i++; i < len(toks) && toks[i].kind != ')'; i++ {
			if toks[i].kind == 'w' || toks[i].kind == 'i' {
				cols = append(cols, toks[i].text)
			}
		}
		i++
	}
	stdin := false
	for j := i; j+1 < len(toks); j++ {
		if strings.EqualFold(toks[j].text, "FROM") && strings.EqualFold(toks[j+1].text, "STDIN") {
			stdin = true
		}
	}
	if err := p.emitCapture(); err != nil {
		return err
	}
	if !stdin {
		return nil
	}
	// The rest of the COPY line.
	if err := p.lineComment(); err != nil {
		return err
	}
	pl, err := p.planFor(table, cols, len(cols) > 0)
	if err != nil {
		return err
	}
	return p.copyData(pl, table)
}

// copyData processes the data lines of a COPY through the "\." line.
func (p *proc) copyData(pl *plan, table string) error {
	in := p.in
	line, off := in.position()
	for {
		ok, err := in.more()
		if err != nil {
			return err
		}
		if !ok {
			return errorAt(line, off, "COPY data of %s not terminated by \\. (the dump is truncated)", table)
		}
		b, err := in.ahead(3)
		if err != nil {
			return err
		}
		if len(b) >= 2 && b[0] == '\\' && b[1] == '.' && (len(b) == 2 || b[2] == '\n' || b[2] == '\r') {
			in.pos += 2
			return in.setSink(sinkOut)
		}
		switch {
		case pl == nil:
			if err := p.lineComment(); err != nil {
				return err
			}
			continue
		case pl.truncate:
			if err := in.setSink(sinkDrop); err != nil {
				return err
			}
			if err := p.lineComment(); err != nil {
				return err
			}
			p.stats.Truncated++
			p.stats.Tables[table]++
			continue
		}
		if err := in.setSink(sinkCapture); err != nil {
			return err
		}
		in.capture = in.capture[:0]
		for {
			ok, err := in.more()
			if err != nil {
				return err
			}
			if !ok {
				return errorAt(line, off, "COPY data of %s not terminated by \\. (the dump is truncated)", table)
			}
			if i := bytes.IndexByte(in.buf[in.pos:in.n], '\n'); i >= 0 {
				in.pos += i
				break
			}
			in.pos = in.n
		}
		if err := in.setSink(sinkOut); err != nil {
			return err
		}
		row := in.capture
		p.vals = p.vals[:0]
		s := 0
		for i := 0; i <= len(row); i++ {
			if i == len(row) || row[i] == '\t' {
				p.vals = append(p.vals, valSpan{start: s, end: i, qs: -1})
				s = i + 1
			}
		}
		if err := p.queueRow(pl, table, row, p.vals, true); err != nil {
			return err
		}
		in.capture = in.capture[:0]
		in.pos++ // the newline, written with the next flush
	}
}
