// Package textscan holds what every probe that reads file content for patterns shares: the
// keyword prefilter, binary sniffing, and which paths hold test code or other people's code
// rather than the repository's own.
package textscan

import (
	"bytes"
	"regexp"
	"strings"
)

// IsBinary sniffs content the way git does: a NUL byte in the first 8000 bytes.
func IsBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0
}

// testPath matches test code and fixtures: files that are never deployed and whose job is to
// hold fake credentials, insecure examples and test vectors.
var testPath = regexp.MustCompile(`(?i)(?:^|/)(?:tests?|__tests__|spec|specs|testdata|test-data|fixtures?|__fixtures__|mocks?|__mocks__)/|_test\.go$|\.(?:test|spec)\.[cm]?[jt]sx?$|(?:^|/)test_[^/]*\.py$|_test\.py$|Tests?\.(?:java|kt|php|cs)$|_spec\.rb$`)

// IsTestPath reports whether a slash path is test code or a test fixture.
func IsTestPath(path string) bool { return testPath.MatchString(path) }

// thirdParty are regexes for installed dependencies and generated bundles: code that is in
// the tree but not written there, whose problems are reported against the dependency.
var thirdParty = []string{
	`(?:^|/)(?:node_modules|vendor|bower_components|third_party|\.venv|site-packages)/`,
	`\.min\.(?:js|css)$`, `\.(?:js|css)\.map$`,
}

// ThirdPartyPatterns returns the regexes (as source, for callers that merge them with
// their own) matching installed dependencies and minified bundles.
func ThirdPartyPatterns() []string { return append([]string(nil), thirdParty...) }

var thirdPartyRe = regexp.MustCompile(`(?:` + strings.Join(thirdParty, `)|(?:`) + `)`)

// IsThirdParty reports whether a slash path is an installed dependency or a minified bundle.
func IsThirdParty(path string) bool { return thirdPartyRe.MatchString(path) }
