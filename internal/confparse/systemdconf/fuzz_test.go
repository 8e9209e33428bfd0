package systemdconf

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range []string{"[Journal]\nStorage=auto\n", "[J]\nA=b\\\nc\n#x\n;y\n", "[\n=\nk=\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		es, _ := Parse("/f", []byte(s))
		for _, e := range es {
			if e.Line < 1 || e.Key == "" || e.Section == "" {
				t.Fatalf("bad entry %+v", e)
			}
		}
	})
}

func FuzzParseTimespan(f *testing.F) {
	for _, s := range []string{"1month", "2w 3d", "infinity", "1.5e3s", "0", "μs"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, _, err := ParseTimespan(s)
		if err == nil && d < 0 {
			t.Fatalf("%q: negative %v", s, d)
		}
	})
}
