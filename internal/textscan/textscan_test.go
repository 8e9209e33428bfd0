package textscan

import "testing"

func TestPathClasses(t *testing.T) {
	for _, c := range []struct {
		path        string
		test, third bool
	}{
		{"internal/x/x_test.go", true, false},
		{"src/__tests__/a.ts", true, false},
		{"tests/test_login.py", true, false},
		{"app/fixtures/redis.conf", true, false},
		{"web/app.spec.js", true, false},
		{"src/contest.go", false, false},
		{"vendor/github.com/a/b.go", false, true},
		{"web/node_modules/x/index.js", false, true},
		{"public/app.min.js", false, true},
		{"src/vendors.go", false, false},
	} {
		if got := IsTestPath(c.path); got != c.test {
			t.Errorf("IsTestPath(%q) = %v", c.path, got)
		}
		if got := IsThirdParty(c.path); got != c.third {
			t.Errorf("IsThirdParty(%q) = %v", c.path, got)
		}
	}
}

func TestIsBinary(t *testing.T) {
	if IsBinary([]byte("plain\ntext")) || !IsBinary([]byte("a\x00b")) || IsBinary(nil) {
		t.Error("IsBinary misjudges")
	}
}
