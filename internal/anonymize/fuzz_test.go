package anonymize

import (
	"bytes"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"CREATE TABLE `wp_users` (`ID` bigint, `user_login` varchar(60), `user_email` varchar(100), `display_name` varchar(250));\nINSERT INTO `wp_users` VALUES (1,'a','a@b.de','A B'),(2,'b\\'c','x@y.nl',NULL);\n",
	"CREATE TABLE `wp_usermeta` (`umeta_id` bigint, `user_id` bigint, `meta_key` varchar(255), `meta_value` longtext);\nINSERT INTO `wp_usermeta` VALUES (1,1,'session_tokens','a:1:{s:2:\\\"ip\\\";s:9:\\\"127.0.0.1\\\";}'),(2,1,'billing_phone','+31 6 1234 5678');\n",
	"/*!40101 SET NAMES utf8 */;\nLOCK TABLES `t` WRITE;\nINSERT INTO `t` VALUES (0x41,_binary 'x',b'1',-1e-5,'\\0\\Z');\nUNLOCK TABLES;\n",
	"DELIMITER ;;\nCREATE TRIGGER x BEGIN SELECT ';'; END;;\nDELIMITER ;\n",
	"SET standard_conforming_strings = on;\nCREATE TABLE public.wp_users (\"ID\" bigint, user_email character varying(100));\nCOPY public.wp_users (\"ID\", user_email) FROM stdin;\n1\ta@b.de\n2\t\\N\n\\.\nINSERT INTO public.wp_users VALUES (3, 'c''d@e.fr');\n",
	"COPY t FROM stdin;\n\\.\n$$ x $$;",
}

// FuzzAnonymize feeds arbitrary dumps to the tokenizers (MySQL and, once a dump says so,
// PostgreSQL). Without rules the output must be the input byte for byte; with the presets
// it must not crash, and what it writes must read back cleanly.
func FuzzAnonymize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	rules := mustRules(f, "wordpress", "woocommerce")
	f.Fuzz(func(t *testing.T, dump string) {
		var out bytes.Buffer
		_, err := Anonymize(strings.NewReader(dump), &out, Options{Key: []byte("k")})
		if err == nil && out.String() != dump {
			t.Fatalf("pass-through changed the dump:\n in %q\nout %q", dump, out.String())
		}
		out.Reset()
		_, err = Anonymize(strings.NewReader(dump), &out, Options{Key: []byte("k"), Rules: rules})
		if err != nil {
			return
		}
		var again bytes.Buffer
		if _, err := Anonymize(bytes.NewReader(out.Bytes()), &again, Options{Key: []byte("k")}); err != nil {
			t.Fatalf("anonymised output does not read back: %v\n in %q\nout %q", err, dump, out.String())
		}
	})
}

// FuzzPHPSerialize checks the strict parser: no crash, and a value it accepts is
// rewritten to a value it accepts again, with every string's length right.
func FuzzPHPSerialize(f *testing.F) {
	for _, s := range []string{`a:2:{i:0;s:1:"x";s:1:"k";a:1:{s:2:"ip";s:9:"127.0.0.1";}}`, `O:8:"stdClass":1:{s:1:"a";d:0.5;}`, `s:0:"";`, `N;`, `b:1;`, `C:3:"Foo":2:{ab}`, `E:7:"Foo:Bar";`, `a:1:{i:0;R:1;}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		out, err := rewritePHP([]byte(v), func(key, s []byte) []byte { return append([]byte("é"), s...) })
		if err != nil {
			return
		}
		if !validPHP(out) {
			t.Fatalf("rewrite of %q is not valid: %q", v, out)
		}
		same, err := rewritePHP([]byte(v), func(key, s []byte) []byte { return s })
		if err != nil || string(same) != v {
			t.Fatalf("identity rewrite changed %q to %q (%v)", v, same, err)
		}
	})
}

// FuzzRules checks the rule loader never crashes and reports errors with a position.
func FuzzRules(f *testing.F) {
	for _, name := range PresetNames() {
		data, _ := PresetFile(name)
		f.Add(string(data))
	}
	f.Add("tables:\n  t:\n    columns:\n      c: {fake: emial}\n")
	f.Add("prefix: wp_\ntables:\n  wp_x:\n    rows:\n      - when: {k: [a, 'b*']}\n        columns: {v: hash}\n")
	f.Fuzz(func(t *testing.T, data string) {
		_, err := ParseRules("f.yaml", []byte(data), true)
		if err != nil && !strings.HasPrefix(err.Error(), "f.yaml:") {
			t.Fatalf("error without position: %v", err)
		}
	})
}
