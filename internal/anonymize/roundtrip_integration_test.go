//go:build integration

package anonymize

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/posture-dev/posture/internal/anonymize/wpgen"
)

// The round trips generate a WordPress + WooCommerce database in the real server, dump it
// with the server's own tool, anonymise the dump with the presets, load the result into
// a fresh database and compare the two.

var genOpts = wpgen.Options{Users: 1500, Orders: 2000, Posts: 200, PostBytes: 600, Seed: 7}

func need(t *testing.T, bins ...string) {
	t.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			if os.Getenv("POSTURE_REQUIRE_INTEGRATION") != "" {
				t.Fatalf("%s is required (POSTURE_REQUIRE_INTEGRATION is set)", b)
			}
			t.Skipf("%s not installed", b)
		}
	}
}

func sh(t *testing.T, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

type dialect struct {
	name  string
	query func(db, q string) string
	load  func(db string, sql []byte)
	id    string // the quoted name of wp_users' ID column
}

func dbName(tag string) string {
	return fmt.Sprintf("posture_anon_%s_%d_%d", tag, os.Getpid(), time.Now().UnixNano()%1e9)
}

func TestMariaDBRoundTrip(t *testing.T) {
	need(t, "mariadb", "mariadb-dump")
	mysql := func(db string, args ...string) []string {
		return append([]string{"-h127.0.0.1", "-P3306", "-uroot", "--default-character-set=utf8mb4"}, append(args, db)...)
	}
	src, dst := dbName("src"), dbName("dst")
	for _, db := range []string{src, dst} {
		sh(t, nil, "mariadb", "-h127.0.0.1", "-uroot", "-e", "CREATE DATABASE "+db+" CHARACTER SET utf8mb4")
	}
	t.Cleanup(func() {
		for _, db := range []string{src, dst} {
			_ = exec.Command("mariadb", "-h127.0.0.1", "-uroot", "-e", "DROP DATABASE IF EXISTS "+db).Run()
		}
	})
	d := dialect{
		name: "mariadb",
		id:   "ID",
		query: func(db, q string) string {
			return strings.TrimSpace(string(sh(t, nil, "mariadb", mysql(db, "-N", "-B", "-e", q)...)))
		},
		load: func(db string, sql []byte) { sh(t, sql, "mariadb", mysql(db)...) },
	}
	var gen bytes.Buffer
	if err := wpgen.Write(&gen, genOpts); err != nil {
		t.Fatal(err)
	}
	d.load(src, gen.Bytes())
	dump := sh(t, nil, "mariadb-dump", mysql(src, "--skip-dump-date")...)
	roundTrip(t, d, src, dst, dump)
}

func TestPostgresRoundTrip(t *testing.T) {
	need(t, "psql", "pg_dump")
	conn := func(db string) []string { return []string{"-h", "127.0.0.1", "-U", "postgres", "-d", db} }
	src, dst := dbName("src"), dbName("dst")
	for _, db := range []string{src, dst} {
		sh(t, nil, "psql", append(conn("test"), "-q", "-c", "CREATE DATABASE "+db)...)
	}
	t.Cleanup(func() {
		for _, db := range []string{src, dst} {
			_ = exec.Command("psql", append(conn("test"), "-q", "-c", "DROP DATABASE IF EXISTS "+db)...).Run()
		}
	})
	d := dialect{
		name: "postgres",
		id:   `"ID"`,
		query: func(db, q string) string {
			return strings.TrimSpace(string(sh(t, nil, "psql", append(conn(db), "-At", "-c", q)...)))
		},
		load: func(db string, sql []byte) {
			sh(t, sql, "psql", append(conn(db), "-q", "-v", "ON_ERROR_STOP=1", "-f", "-")...)
		},
	}
	o := genOpts
	o.Postgres = true
	var gen bytes.Buffer
	if err := wpgen.Write(&gen, o); err != nil {
		t.Fatal(err)
	}
	d.load(src, gen.Bytes())
	// COPY form (pg_dump's default), reloaded and compared.
	dump := sh(t, nil, "pg_dump", append(conn(src), "--no-owner")...)
	if !bytes.Contains(dump, []byte("FROM stdin;")) {
		t.Fatal("pg_dump wrote no COPY blocks")
	}
	roundTrip(t, d, src, dst, dump)
	// INSERT form: anonymised and verified.
	inserts := sh(t, nil, "pg_dump", append(conn(src), "--no-owner", "--column-inserts")...)
	out, _ := anonymizeDump(t, inserts)
	checkClean(t, out)
}

func anonymizeDump(t *testing.T, dump []byte) ([]byte, *Stats) {
	t.Helper()
	rules := mustRules(t, "wordpress", "woocommerce")
	var out bytes.Buffer
	st, err := Anonymize(bytes.NewReader(dump), &out, Options{Rules: rules, Key: []byte("round trip key"), Marker: "-- posture-anonymized: v1 key-id=0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	if st.SerializedFailures > 0 {
		t.Errorf("%d serialized values did not parse", st.SerializedFailures)
	}
	return out.Bytes(), st
}

// checkClean: verify finds nothing, and no planted name, e-mail domain or phone number is
// left anywhere in the dump.
func checkClean(t *testing.T, out []byte) {
	t.Helper()
	rep, err := Verify(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Marker == nil {
		t.Error("verify did not see the marker")
	}
	for _, r := range rep.Residuals {
		t.Errorf("verify: %s.%s: %d %s, e.g. %v", r.Table, r.Column, r.Count, r.Kind, r.Samples)
	}
	for _, w := range append(append([]string{}, wpgen.FirstNames...), wpgen.LastNames...) {
		if i := bytes.Index(out, []byte(w)); i >= 0 {
			t.Errorf("planted name %q left in the output: …%s…", w, out[max(0, i-80):min(len(out), i+40)])
		}
	}
	for _, s := range []string{"@gmail.com", "@outlook.com", "@web.de", "@ziggo.nl", "@gmx.de", "@kpnmail.nl", "@orange.fr", "@yahoo.co.uk", "+31 6 "} {
		if i := bytes.Index(out, []byte(s)); i >= 0 {
			t.Errorf("planted %q left in the output: …%s…", s, out[max(0, i-80):min(len(out), i+40)])
		}
	}
}

func roundTrip(t *testing.T, d dialect, src, dst string, dump []byte) {
	rep, err := Verify(bytes.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rep.Residuals {
		// For COPY rows the detector names meta_value, not the meta_key, as the column.
		seen[r.Table+":"+string(r.Kind)] = true
	}
	for _, want := range []string{"wp_users:email", "wp_usermeta:phone", "wp_wc_order_addresses:email", "wp_postmeta:email", "wp_comments:phone", "wp_wc_orders_meta:address"} {
		if !seen[want] {
			t.Errorf("verify of the original did not find %s (found %v)", want, seen)
		}
	}

	out, st := anonymizeDump(t, dump)
	t.Logf("%s: %d bytes in, %d rows in tables with rules, %d values rewritten", d.name, st.BytesIn, st.Rows, st.ValuesChanged)
	checkClean(t, out)
	d.load(dst, out)

	for _, table := range wpgen.TableNames() {
		q := "SELECT COUNT(*) FROM " + table
		if a, b := d.query(src, q), d.query(dst, q); a != b || a == "0" {
			t.Errorf("%s: %s rows before, %s after", table, a, b)
		}
	}
	same := func(what, q string) {
		t.Helper()
		if a, b := d.query(src, q), d.query(dst, q); a != b {
			t.Errorf("%s: %s before, %s after", what, a, b)
		}
	}
	id := d.id
	same("usermeta rows with their user", "SELECT COUNT(*) FROM wp_usermeta m JOIN wp_users u ON u."+id+" = m.user_id")
	same("orders with their customer", "SELECT COUNT(*) FROM wp_wc_orders o JOIN wp_users u ON u."+id+" = o.customer_id")
	same("addresses with their order", "SELECT COUNT(*) FROM wp_wc_order_addresses a JOIN wp_wc_orders o ON o.id = a.order_id")
	same("customer lookup with its user", "SELECT COUNT(*) FROM wp_wc_customer_lookup c JOIN wp_users u ON u."+id+" = c.user_id")
	// Referential consistency of pseudonyms: an address that was equal in two places
	// still is.
	same("users whose billing e-mail is their account e-mail", "SELECT COUNT(*) FROM wp_users u JOIN wp_usermeta m ON m.user_id = u."+id+" AND m.meta_key = 'billing_email' WHERE m.meta_value = u.user_email")
	same("orders whose billing e-mail is the customer's", "SELECT COUNT(*) FROM wp_wc_orders o JOIN wp_users u ON u."+id+" = o.customer_id WHERE o.billing_email = u.user_email")
	same("lookup rows whose e-mail is the user's", "SELECT COUNT(*) FROM wp_wc_customer_lookup c JOIN wp_users u ON u."+id+" = c.user_id WHERE c.email = u.user_email")
	same("comments whose author e-mail is a user's", "SELECT COUNT(*) FROM wp_comments c JOIN wp_users u ON u.user_email = c.comment_author_email")
	same("distinct e-mail addresses", "SELECT COUNT(DISTINCT user_email) FROM wp_users")
	same("distinct logins", "SELECT COUNT(DISTINCT user_login) FROM wp_users")
	if n := d.query(dst, "SELECT COUNT(*) FROM wp_users WHERE user_email NOT LIKE '%@example.___'"); n != "0" {
		t.Errorf("%s users with an e-mail outside the example domains", n)
	}

	// Serialized values must still unserialize.
	hexq := "SELECT HEX(meta_value) FROM wp_usermeta WHERE meta_value LIKE 'a:%' UNION ALL SELECT HEX(option_value) FROM wp_options WHERE option_value LIKE 'a:%' UNION ALL SELECT HEX(meta_value) FROM wp_postmeta WHERE meta_value LIKE 'a:%' UNION ALL SELECT HEX(meta) FROM wp_signups"
	if d.name == "postgres" {
		hexq = strings.NewReplacer("HEX(meta_value)", "encode(convert_to(meta_value, 'UTF8'), 'hex')", "HEX(option_value)", "encode(convert_to(option_value, 'UTF8'), 'hex')", "HEX(meta)", "encode(convert_to(meta, 'UTF8'), 'hex')").Replace(hexq)
	}
	lines := strings.Fields(d.query(dst, hexq))
	if len(lines) < genOpts.Users {
		t.Fatalf("only %d serialized values", len(lines))
	}
	if _, err := exec.LookPath("php"); err == nil {
		res := sh(t, []byte(strings.Join(lines, "\n")+"\n"), "php", "-r", `$bad=0;$n=0;while(($l=fgets(STDIN))!==false){$l=trim($l);if($l==="")continue;$n++;$v=hex2bin($l);if(@unserialize($v)===false&&$v!=="b:0;"){$bad++;}}echo "$n $bad";`)
		f := strings.Fields(string(res))
		if len(f) != 2 || f[1] != "0" {
			t.Errorf("PHP could not unserialize: %s (values, failures)", res)
		} else {
			t.Logf("PHP unserialized %s values", f[0])
		}
	} else {
		for _, l := range lines {
			v := make([]byte, len(l)/2)
			for i := range v {
				b, _ := strconv.ParseUint(l[2*i:2*i+2], 16, 8)
				v[i] = byte(b)
			}
			if !validPHP(v) {
				t.Errorf("serialized value does not parse: %q", v)
			}
		}
	}
}
