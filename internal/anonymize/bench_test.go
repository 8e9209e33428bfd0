package anonymize

import (
	"bytes"
	"io"
	"sync"
	"testing"

	"github.com/posture-dev/posture/internal/anonymize/wpgen"
)

var (
	benchOnce sync.Once
	benchDump []byte
)

// BenchmarkAnonymize runs the WordPress and WooCommerce presets over a generated 40 MB
// dump: go test -bench Anonymize -benchtime 3x ./internal/anonymize reports MB/s.
func BenchmarkAnonymize(b *testing.B) {
	benchAnonymize(b, mustRules(b, "wordpress", "woocommerce"), 0)
}

// BenchmarkAnonymizeOneWorker is BenchmarkAnonymize on one worker: against it,
// BenchmarkAnonymize shows what the pool gains.
func BenchmarkAnonymizeOneWorker(b *testing.B) {
	benchAnonymize(b, mustRules(b, "wordpress", "woocommerce"), 1)
}

// BenchmarkTokenize runs the same dump without rules: the tokenizer alone, which is one
// goroutine whatever the workers and so bounds the throughput.
func BenchmarkTokenize(b *testing.B) { benchAnonymize(b, nil, 0) }

func benchAnonymize(b *testing.B, rules *Rules, workers int) {
	benchOnce.Do(func() {
		var buf bytes.Buffer
		_ = wpgen.Write(&buf, wpgen.Options{Users: 5000, Orders: 5000, Posts: 5000, PostBytes: 4000, Seed: 1})
		benchDump = buf.Bytes()
	})
	b.SetBytes(int64(len(benchDump)))
	for b.Loop() {
		if _, err := Anonymize(bytes.NewReader(benchDump), io.Discard, Options{Rules: rules, Key: []byte("bench"), Workers: workers}); err != nil {
			b.Fatal(err)
		}
	}
}
