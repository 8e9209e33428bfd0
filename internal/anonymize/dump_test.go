package anonymize

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func mustRules(t testing.TB, presets ...string) *Rules {
	t.Helper()
	rs := &Rules{}
	for _, name := range presets {
		r, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		rs.Merge(r)
	}
	return rs
}

func run(t testing.TB, rules *Rules, dump string) (string, *Stats, error) {
	t.Helper()
	var out bytes.Buffer
	st, err := Anonymize(strings.NewReader(dump), &out, Options{Rules: rules, Key: []byte("test key")})
	return out.String(), st, err
}

// Everything that no rule touches must come out byte for byte, whatever it is.
func TestPassThroughIsExact(t *testing.T) {
	rules := mustRules(t, "wordpress", "woocommerce")
	cases := map[string]string{
		"mysqldump header": "-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n-- Host: localhost    Database: shop\n" +
			"/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n/*!40103 SET TIME_ZONE='+00:00' */;\n",
		"mariadb sandbox": "/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump 10.19\n",
		"lock and directives": "LOCK TABLES `wp_posts` WRITE;\n/*!40000 ALTER TABLE `wp_posts` DISABLE KEYS */;\n" +
			"INSERT INTO `wp_posts` VALUES (1,'a;b','it\\'s','x\\\\'),(2,'multi\nline\r\nvalue',NULL,_binary 'bin\\0ary');\n" +
			"/*!40000 ALTER TABLE `wp_posts` ENABLE KEYS */;\nUNLOCK TABLES;\n",
		"escapes":             "INSERT INTO t VALUES ('\\0\\'\\\"\\b\\n\\r\\t\\Z\\\\\\%\\_','it''s',\"dq\\\"x\",0x4142,X'4142',b'0101',-1.5e-3,CURRENT_TIMESTAMP);\n",
		"delimiter":           "DELIMITER ;;\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 'a;b'; END ;;\nDELIMITER ;\nSELECT 1;\n",
		"comments":            "# hash comment\n-- dash comment\n/* block\n comment */\nSELECT /* inline; */ 1; -- trailing\n",
		"unknown statement":   "FROBNICATE everything;\nUPDATE t SET a='x@y.com';\n",
		"no trailing newline": "SELECT 1;",
		"create table":        "CREATE TABLE `t` (\n  `a` varchar(10) COMMENT 'x;y',\n  `b` text,\n  KEY `a` (`a`)\n) ENGINE=InnoDB;\n",
		"postgres": "--\n-- PostgreSQL database dump\n--\nSET standard_conforming_strings = on;\nSELECT pg_catalog.set_config('search_path', '', false);\n" +
			"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n" +
			"COPY public.t (a, b) FROM stdin;\n1\tx\\ty\n2\t\\N\n\\.\n\n\\connect other\nINSERT INTO public.t VALUES (1, 'back\\slash ''q''');\n",
		"replace and on duplicate": "REPLACE INTO `t` (`a`) VALUES ('x') ON DUPLICATE KEY UPDATE a=VALUES(a);\n",
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			out, _, err := run(t, rules, in)
			if err != nil {
				t.Fatal(err)
			}
			if out != in {
				t.Errorf("output differs:\n got %q\nwant %q", out, in)
			}
		})
	}
}

func TestMarkerPlacement(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"-- MySQL dump\nSELECT 1;\n", "-- M\n-- MySQL dump\nSELECT 1;\n"},
		{"/*M!999999\\- enable the sandbox mode */ \n-- MariaDB dump\n", "/*M!999999\\- enable the sandbox mode */ \n-- M\n-- MariaDB dump\n"},
		{"", "-- M\n"},
	} {
		var out bytes.Buffer
		if _, err := Anonymize(strings.NewReader(tc.in), &out, Options{Key: []byte("k"), Marker: "-- M"}); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("got %q, want %q", out.String(), tc.want)
		}
	}
}

func TestBadInputErrors(t *testing.T) {
	rules := mustRules(t, "wordpress")
	users := "CREATE TABLE `wp_users` (`ID` bigint, `user_email` varchar(100));\n"
	cases := []struct {
		name, in, want string
		line           int
	}{
		{"unterminated string", users + "INSERT INTO `wp_users` VALUES (1,'abc", "unterminated string", 2},
		{"truncated insert", users + "INSERT INTO `wp_users` VALUES (1,'a@b.de'),", "not terminated", 2},
		{"truncated passthrough insert", "INSERT INTO `other` VALUES (1,'x'", "not terminated", 1},
		{"truncated header", "INSERT INTO `wp_users`", "cut short", 1},
		{"unterminated comment", "/* abc", "unterminated comment", 1},
		{"truncated copy", "COPY public.wp_users (\"ID\", user_email) FROM stdin;\n1\tx@y.de\n", "not terminated", 2},
		{"no columns", "INSERT INTO `wp_users` VALUES (1,'x');\n", "columns are unknown", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := run(t, rules, tc.in)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if !strings.Contains(e.Msg, tc.want) || e.Line != tc.line {
				t.Errorf("got %v, want %q at line %d", err, tc.want, tc.line)
			}
		})
	}
}

func TestMissingColumnIsAnError(t *testing.T) {
	r, err := ParseRules("r.yaml", []byte("tables:\n  wp_users:\n    columns:\n      user_emial: {fake: email}\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = run(t, r, "CREATE TABLE `wp_users` (`ID` bigint, `user_email` varchar(100));\nINSERT INTO `wp_users` VALUES (1,'a@b.de');\n")
	if err == nil || !strings.Contains(err.Error(), "r.yaml:4:7") || !strings.Contains(err.Error(), "no such column") {
		t.Fatalf("got %v", err)
	}
	// A preset's rule for a column this version lacks is skipped with a warning.
	_, st, err := run(t, mustRules(t, "wordpress"), "CREATE TABLE `wp_users` (`ID` bigint, `user_email` varchar(100));\nINSERT INTO `wp_users` VALUES (1,'a@b.de');\n")
	if err != nil || len(st.Warnings) == 0 {
		t.Fatalf("err %v, warnings %v", err, st.Warnings)
	}
}

func TestUnknownStatementWarns(t *testing.T) {
	_, st, err := run(t, nil, "FROBNICATE x;\n")
	if err != nil || len(st.WarningList()) != 1 || !strings.Contains(st.WarningList()[0], "FROBNICATE") {
		t.Fatalf("err %v warnings %v", err, st.WarningList())
	}
}
