package anonymize

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/posture-dev/posture/internal/anonymize/wpgen"
)

// The output and the stats must not depend on how many workers rewrite rows or how the
// dump is cut into jobs: one worker and many, big jobs and jobs of a few rows, MySQL and
// PostgreSQL dumps, must agree byte for byte.
func TestParallelOutputIsIdentical(t *testing.T) {
	rules := mustRules(t, "wordpress", "woocommerce")
	dumps := map[string][]byte{}
	for _, pg := range []bool{false, true} {
		var buf bytes.Buffer
		if err := wpgen.Write(&buf, wpgen.Options{Users: 300, Orders: 300, Posts: 100, PostBytes: 500, Postgres: pg, Seed: 7}); err != nil {
			t.Fatal(err)
		}
		dumps[map[bool]string{false: "wpgen mysql", true: "wpgen postgresql"}[pg]] = buf.Bytes()
	}
	for _, name := range []string{"wordpress-mysql.sql", "wordpress-pgdump.sql"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		dumps[name] = b
	}
	for name, dump := range dumps {
		t.Run(name, func(t *testing.T) {
			var want []byte
			var wantStats *Stats
			for _, c := range []struct{ workers, batch int }{{1, 0}, {1, 1000}, {2, 0}, {4, 1000}, {8, 100}, {3, 1}} {
				var out bytes.Buffer
				st, err := Anonymize(bytes.NewReader(dump), &out, Options{Rules: rules, Key: []byte("k"), Marker: "-- m", Workers: c.workers, batch: c.batch})
				if err != nil {
					t.Fatal(err)
				}
				if want == nil {
					want, wantStats = out.Bytes(), st
					if st.ValuesChanged == 0 {
						t.Fatal("nothing was rewritten")
					}
					continue
				}
				if !bytes.Equal(out.Bytes(), want) {
					t.Errorf("%d workers, batch %d: output differs from one worker's", c.workers, c.batch)
				}
				if !reflect.DeepEqual(st, wantStats) {
					t.Errorf("%d workers, batch %d: stats %+v, one worker's %+v", c.workers, c.batch, st, wantStats)
				}
			}
		})
	}
}

// Warnings merge in the order of the dump: with more distinct warnings than are kept, the
// same ones are kept whatever the number of workers.
func TestParallelWarningsAreDeterministic(t *testing.T) {
	rules := mustRules(t, "wordpress")
	var b strings.Builder
	b.WriteString("CREATE TABLE `wp_users` (`ID` bigint, `user_email` varchar(100));\n")
	for i := range 3 * maxWarnings {
		// A row with too few values (a positioned warning each) and a broken serialized
		// value (one warning, counted) in turn.
		if i%2 == 0 {
			b.WriteString("INSERT INTO `wp_users` VALUES (1);\n")
		} else {
			b.WriteString("INSERT INTO `wp_users` VALUES (1,'a:1:{broken}');\n")
		}
		b.WriteString("UPDATE x SET y=1;\n")
	}
	var want map[string]int64
	for _, workers := range []int{1, 2, 5} {
		st, err := Anonymize(strings.NewReader(b.String()), new(bytes.Buffer), Options{Rules: rules, Key: []byte("k"), Workers: workers, batch: 64})
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Warnings) != maxWarnings {
			t.Fatalf("%d distinct warnings kept, want %d", len(st.Warnings), maxWarnings)
		}
		if want == nil {
			want = st.Warnings
		} else if !reflect.DeepEqual(st.Warnings, want) {
			t.Errorf("%d workers kept other warnings than one worker", workers)
		}
	}
}

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// A write error stops the run with that error, and a bad dump with its position, and
// neither leaves goroutines behind.
func TestPipelineErrors(t *testing.T) {
	rules := mustRules(t, "wordpress", "woocommerce")
	var buf bytes.Buffer
	if err := wpgen.Write(&buf, wpgen.Options{Users: 200, Orders: 200, Posts: 50, PostBytes: 500, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	_, err := Anonymize(bytes.NewReader(buf.Bytes()), &failWriter{after: 10000}, Options{Rules: rules, Key: []byte("k"), Workers: 3, batch: 4096})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write error: got %v", err)
	}
	cut := buf.Bytes()[:buf.Len()/2]
	_, err = Anonymize(bytes.NewReader(cut), new(bytes.Buffer), Options{Rules: rules, Key: []byte("k"), Workers: 3, batch: 4096})
	var e *Error
	if !errors.As(err, &e) || e.Line == 0 {
		t.Errorf("truncated dump: got %v, want an *Error with a line", err)
	}
	_, seqErr := Anonymize(bytes.NewReader(cut), new(bytes.Buffer), Options{Rules: rules, Key: []byte("k"), Workers: 1})
	if seqErr == nil || err == nil || seqErr.Error() != err.Error() {
		t.Errorf("error with 3 workers %v, with one %v", err, seqErr)
	}
	for i := 0; runtime.NumGoroutine() > before && i < 100; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left behind", n-before)
	}
}

// Reads of one byte put every token across a chunk boundary: strings whose escapes and
// quotes fall at the end of a read, comments, COPY rows. The output must not change.
func TestChunkBoundaries(t *testing.T) {
	rules := mustRules(t, "wordpress", "woocommerce")
	var gen bytes.Buffer
	if err := wpgen.Write(&gen, wpgen.Options{Users: 20, Orders: 20, Posts: 5, PostBytes: 300, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	escapes := "CREATE TABLE `wp_users` (`ID` bigint, `user_login` varchar(60), `user_email` varchar(100), `display_name` varchar(250));\n" +
		"INSERT INTO `wp_users` VALUES (1,'o\\'brien','a\\\\b@c.de','Mary O\\'Brien'),(2,'x''y','\\'q\\'@r.de','\\\\'),(3,\"d\\\"q\",'e@f.de','A \\\"B\\\" C');\n"
	dumps := [][]byte{gen.Bytes(), []byte(escapes + fuzzSeeds[1])}
	for _, name := range []string{"wordpress-mysql.sql", "wordpress-pgdump.sql"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		dumps = append(dumps, b)
	}
	for i, dump := range dumps {
		var want, got bytes.Buffer
		if _, err := Anonymize(bytes.NewReader(dump), &want, Options{Rules: rules, Key: []byte("k")}); err != nil {
			t.Fatal(err)
		}
		if _, err := Anonymize(iotest.OneByteReader(bytes.NewReader(dump)), &got, Options{Rules: rules, Key: []byte("k")}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("dump %d: output differs when read a byte at a time", i)
		}
	}
}

// Rows far larger than a job are rewritten like any other, one at a time in flight.
func TestHugeRows(t *testing.T) {
	rules := mustRules(t, "wordpress")
	var b strings.Builder
	b.WriteString("CREATE TABLE `wp_comments` (`comment_ID` bigint, `comment_author_email` varchar(100), `comment_content` longtext, `comment_type` longtext);\n")
	// The bulk is in a column without rules: scrubbing megabytes is slow under -race.
	body := strings.Repeat("lorem ipsum dolor sit amet ", maxJobBuffer/20)
	for i := range 3 {
		b.WriteString("INSERT INTO `wp_comments` VALUES (1,'a@b.de','mail me: x" + string(rune('0'+i)) + "@shop.de','" + body + "'),(2,'c@d.de','short','');\n")
	}
	var want []byte
	for _, workers := range []int{1, 3} {
		var out bytes.Buffer
		st, err := Anonymize(strings.NewReader(b.String()), &out, Options{Rules: rules, Key: []byte("k"), Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if st.ValuesChanged != 9 || strings.Contains(out.String(), "@shop.de") || !strings.Contains(out.String(), body) {
			t.Fatalf("%d workers: %d values changed, or the text was not scrubbed and kept", workers, st.ValuesChanged)
		}
		if want == nil {
			want = out.Bytes()
		} else if !bytes.Equal(out.Bytes(), want) {
			t.Error("output differs between one and three workers")
		}
	}
}
