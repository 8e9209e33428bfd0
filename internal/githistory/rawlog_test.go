package githistory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	oidA = "1de565933b05f74c75ff9a6520af5f9f8a5a2f1d"
	oidB = "e87fe08a4f60b48a7c7fa63e64cbd13f5fada6ae"
	zero = "0000000000000000000000000000000000000000"
)

// sampleLog is what git 2.39 prints for a root commit, an empty commit and a
// commit with a rename-looking entry, in logFormat with -z --raw.
var sampleLog = oidB + "\x00t\x00t@e\x001600000000 +0000\x00root commit\x00" +
	"\n:000000 120000 " + zero + " " + oidA + " A\x00link\x00" +
	":000000 100644 " + zero + " " + oidA + " A\x00new\nline\x00" +
	oidA + "\x00Ann\x00a@e\x001600000060 -0130\x00empty\x00" +
	oidA + "\x00\x00\x001600000120 +0100\x00\x00" +
	"\n:100644 100644 " + oidA + " " + oidB + " R100\x00old\x00new \xff\x00" +
	":160000 160000 " + oidA + " " + oidB + " M\x00sub\x00" +
	":100644 000000 " + oidA + " " + zero + " D\x00gone\x00"

// logRecord is a parser result in comparable form.
type logRecord struct {
	Commit *Commit
	Entry  *rawEntry
}

func parseAll(data []byte) ([]logRecord, error) {
	p := newRawLogParser(bytes.NewReader(data))
	var out []logRecord
	for {
		kind, err := p.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		switch kind {
		case recCommit:
			c := p.commit
			out = append(out, logRecord{Commit: &c})
		case recEntry:
			e := p.entry
			e.srcOID = bytes.Clone(e.srcOID)
			e.dstOID = bytes.Clone(e.dstOID)
			e.path = bytes.Clone(e.path)
			out = append(out, logRecord{Entry: &e})
		}
	}
}

// formatRecords writes records back in git's format, for the round trip.
func formatRecords(recs []logRecord) []byte {
	var b bytes.Buffer
	afterHeader := false
	for _, r := range recs {
		if c := r.Commit; c != nil {
			_, off := c.Date.Zone()
			sign := '+'
			if off < 0 {
				sign, off = '-', -off
			}
			fmt.Fprintf(&b, "%s\x00%s\x00%s\x00%d %c%02d%02d\x00%s\x00", c.Hash, c.Author, c.Email, c.Date.Unix(), sign, off/3600, off/60%60, c.Subject)
			afterHeader = true
			continue
		}
		if afterHeader {
			b.WriteByte('\n') // git separates the header from the diff
			afterHeader = false
		}
		e := r.Entry
		fmt.Fprintf(&b, ":%06o %06o %s %s %c\x00", e.srcMode, e.dstMode, e.srcOID, e.dstOID, e.status)
		if e.status == 'R' || e.status == 'C' {
			fmt.Fprintf(&b, "%s\x00", e.path)
		}
		fmt.Fprintf(&b, "%s\x00", e.path)
	}
	return b.Bytes()
}

func TestParseRawLog(t *testing.T) {
	recs, err := parseAll([]byte(sampleLog))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		if r.Commit != nil {
			got = append(got, fmt.Sprintf("commit %s %q %q %s %q", r.Commit.Hash[:7], r.Commit.Author, r.Commit.Email, r.Commit.Date.Format(time.RFC3339), r.Commit.Subject))
		} else {
			got = append(got, fmt.Sprintf("%c %06o %q blob=%v", r.Entry.status, r.Entry.dstMode, r.Entry.path, r.Entry.introducesBlob()))
		}
	}
	want := []string{
		`commit e87fe08 "t" "t@e" 2020-09-13T12:26:40Z "root commit"`,
		`A 120000 "link" blob=true`,
		`A 100644 "new\nline" blob=true`,
		`commit 1de5659 "Ann" "a@e" 2020-09-13T10:57:40-01:30 "empty"`,
		`commit 1de5659 "" "" 2020-09-13T13:28:40+01:00 ""`,
		`R 100644 "new \xff" blob=true`,
		`M 160000 "sub" blob=false`,
		`D 000000 "gone" blob=false`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A field longer than the parser's buffer.
	long := strings.Repeat("s", 600<<10)
	recs, err = parseAll([]byte(oidA + "\x00t\x00t@e\x000 +0000\x00" + long + "\x00\n:000000 100644 " + zero + " " + oidA + " A\x00" + long + "/p\x00"))
	if err != nil || len(recs) != 2 || recs[0].Commit.Subject != long || string(recs[1].Entry.path) != long+"/p" {
		t.Errorf("long fields: %d records, %v", len(recs), err)
	}

	for name, bad := range map[string]string{
		"entry before header": ":000000 100644 " + zero + " " + oidA + " A\x00p\x00",
		"short header":        oidA + "\x00t\x00",
		"bad date":            oidA + "\x00t\x00t@e\x00yesterday\x00s\x00",
		"bad mode":            oidA + "\x00t\x00t@e\x000 +0000\x00s\x00:00000x 100644 " + zero + " " + oidA + " A\x00p\x00",
		"missing path":        oidA + "\x00t\x00t@e\x000 +0000\x00s\x00:000000 100644 " + zero + " " + oidA + " A\x00",
		"unterminated":        oidA + "\x00t\x00t@e\x000 +0000\x00s",
		"not a hash":          "hello\x00",
		"mixed oid lengths":   oidA + "\x00t\x00t@e\x000 +0000\x00s\x00:000000 100644 " + zero + " " + oidA + "00 A\x00p\x00",
	} {
		if _, err := parseAll([]byte(bad)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestParseRealGitLog parses what the git binary prints, so the parser's view of
// the format is checked against the real thing, not only against sampleLog.
func TestParseRealGitLog(t *testing.T) {
	r := newRepo(t)
	r.write("a b\nc\xff.txt", "x\n")
	r.commit("first\n\nbody with\x01 control")
	r.git("commit", "-q", "--allow-empty", "-m", "empty")
	r.write("d.txt", "d\n")
	r.commit("third")
	cmd := exec.Command("git", "-C", r.dir, "log", "-z", "--raw", "--no-abbrev", "--root", "--reverse", "--date=raw", logFormat)
	cmd.Env = testGitEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	recs, err := parseAll(out)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, rec := range recs {
		if rec.Commit != nil {
			kinds = append(kinds, rec.Commit.Subject)
		} else {
			kinds = append(kinds, string(rec.Entry.path))
		}
	}
	want := []string{"first", "a b\nc\xff.txt", "empty", "third", "d.txt"}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("parsed %q, want %q", kinds, want)
	}
}

func FuzzParseRawLog(f *testing.F) {
	f.Add([]byte(sampleLog))
	f.Add([]byte(""))
	f.Add([]byte("\x00\x00\n\x00"))
	f.Add([]byte(oidA + "\x00t\x00t@e\x000 +0000\x00s\x00:000000 100644 " + zero + " " + oidA + " C75\x00from\x00to\x00"))
	f.Add([]byte(strings.Repeat("a", 70000) + "\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := parseAll(data)
		if err != nil {
			if errors.Is(err, io.EOF) {
				t.Fatalf("bare io.EOF leaked as an error: %v", err)
			}
			return
		}
		for _, r := range recs {
			if r.Commit != nil && !isHexOID([]byte(r.Commit.Hash)) {
				t.Fatalf("commit hash %q accepted", r.Commit.Hash)
			}
			if e := r.Entry; e != nil {
				if !isHexOID(e.dstOID) || !isHexOID(e.srcOID) || len(e.srcOID) != len(e.dstOID) {
					t.Fatalf("bad oids accepted: %q %q", e.srcOID, e.dstOID)
				}
				if e.introducesBlob() {
					makeOIDKey(e.dstOID) // must not panic
				}
			}
		}
		// What parses must survive a round trip through git's format unchanged.
		again, err := parseAll(formatRecords(recs))
		if err != nil {
			t.Fatalf("re-parse: %v\n%q", err, formatRecords(recs))
		}
		if len(again) != len(recs) {
			t.Fatalf("round trip: %d records, then %d", len(recs), len(again))
		}
		for i := range recs {
			a, b := recs[i], again[i]
			if (a.Commit == nil) != (b.Commit == nil) {
				t.Fatalf("record %d changed kind", i)
			}
			if a.Commit != nil {
				_, oa := a.Commit.Date.Zone()
				_, ob := b.Commit.Date.Zone()
				if !a.Commit.Date.Equal(b.Commit.Date) || oa != ob || a.Commit.Hash != b.Commit.Hash ||
					a.Commit.Author != b.Commit.Author || a.Commit.Email != b.Commit.Email || a.Commit.Subject != b.Commit.Subject {
					t.Fatalf("commit %d: %+v then %+v", i, a.Commit, b.Commit)
				}
				continue
			}
			ea, eb := a.Entry, b.Entry
			if ea.srcMode != eb.srcMode || ea.dstMode != eb.dstMode || ea.status != eb.status ||
				!bytes.Equal(ea.srcOID, eb.srcOID) || !bytes.Equal(ea.dstOID, eb.dstOID) || !bytes.Equal(ea.path, eb.path) {
				t.Fatalf("entry %d: %+v then %+v", i, ea, eb)
			}
		}
	})
}
