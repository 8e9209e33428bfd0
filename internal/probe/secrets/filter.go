package secrets

import (
	"math"
	"regexp"
	"strings"
)

// entropy is the Shannon entropy of s in bits per byte: random keys score high, words
// and repeated characters low.
func entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// placeholderWords appear in documentation and templates, not in real credentials.
var placeholderWords = []string{
	"example", "xxxxx", "changeme", "change_me", "change-me", "placeholder", "your_", "your-", "yourkey",
	"dummy", "redacted",
}

// templateMarks are template and masking syntax. They are only a sign of a placeholder
// where the value came from context (generic rules): generated salts and passwords
// contain such characters by chance.
var templateMarks = []string{"${", "{{", "****", "••••"}

// angleHole is a "<your key here>" style hole in a template. A bare < or > is not: salts
// and generated passwords contain them.
var angleHole = regexp.MustCompile(`<[A-Za-z0-9 _.-]{2,}>|^<|>$`)

// isPlaceholder reports whether a candidate secret is a stand-in rather than a value.
func isPlaceholder(secret string) bool {
	l := strings.ToLower(secret)
	for _, m := range placeholderWords {
		if strings.Contains(l, m) {
			return true
		}
	}
	return oneRepeatedChar(secret) || hasSequence(secret, 8)
}

// hasSequence reports a run of n or more consecutive ascending characters ("ABCDEFGH",
// "12345678"): typed by people filling in an example, never produced by a key generator.
func hasSequence(s string, n int) bool {
	run := 1
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1]+1 && isAlnum(s[i]) && isAlnum(s[i-1]) {
			run++
			if run >= n {
				return true
			}
		} else {
			run = 1
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isTemplate reports template holes and masks: "${X}", "{{ x }}", "<your key>", "****".
func isTemplate(secret string) bool {
	for _, m := range templateMarks {
		if strings.Contains(secret, m) {
			return true
		}
	}
	return angleHole.MatchString(secret)
}

func oneRepeatedChar(s string) bool {
	if len(s) < 2 {
		return len(s) == 1
	}
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}

// weakValues are what generic assignments hold when they hold no real secret: test
// values, obvious defaults, and words that describe rather than contain a secret.
var weakValues = map[string]bool{
	"password": true, "passwd": true, "secret": true, "token": true, "test": true, "testing": true,
	"admin": true, "root": true, "null": true, "none": true, "nil": true, "undefined": true, "true": true,
	"false": true, "empty": true, "default": true, "required": true, "optional": true, "string": true,
	"123456": true, "12345678": true, "123456789": true, "qwerty": true, "letmein": true, "pass": true,
	"foobar": true, "foo": true, "bar": true, "baz": true, "hunter2": true, "secret123": true, "password123": true,
	"mysecret": true, "mypassword": true, "testpassword": true, "testsecret": true, "abc123": true,
	"guest": true, "postgres": true, "mysql": true, "changeit": true, "secret_key": true, "user": true,
}

// reference recognises values that name where a secret comes from instead of holding it:
// environment lookups, template variables, config paths and function calls.
var reference = regexp.MustCompile(`(?i)^(?:\$[a-z_({]|%(?:\([a-z_]+\))?[sdv]$|%[a-z_]+%$|process\.env|os\.(?:getenv|environ)|getenv\(|env\(|env\[|config\(|settings\.|secrets\.|vault:|arn:aws:|ssm:|op://|\[\[|@[a-z_]+$)`)

// identifier matches names such as "db-credentials-prod", "user_profile_cache", a rule
// ID like "containers/empty-password", or a protocol or method name such as
// "caching_sha2_password" or "password+totp": words joined by separators name a secret, they
// are not one. Each word starts with a letter, so "winter_2024" is not a name.
var identifier = regexp.MustCompile(`^[a-z][a-z0-9]*(?:[-_./+][a-z][a-z0-9]*)+$|^[A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)+$`)

// hashPrefixes mark password hashes (bcrypt, argon2, phpass, crypt): sensitive, but not a
// credential that logs in anywhere as written.
var hashPrefixes = []string{"$2a$", "$2b$", "$2y$", "$argon2", "$p$", "$h$", "$6$", "$5$", "$1$"}

// genericRejects applies the extra filters for context-based (generic) rules.
func genericRejects(secret string) bool {
	l := strings.ToLower(secret)
	switch {
	case weakValues[l], isTemplate(secret):
		return true
	case reference.MatchString(secret), identifier.MatchString(secret):
		return true
	case strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "/") || strings.HasPrefix(l, "./"):
		return true // a URL or path, not a credential (URLs with credentials have their own rule)
	case hasAnyPrefix(l, hashPrefixes):
		return true
	case len(secret) >= 16 && allLetters(secret):
		return true // CamelCase or concatenated identifiers; random tokens of this length carry digits
	case strings.Count(secret, " ") > 0:
		return true // prose, a sentence, a command line
	}
	return false
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
