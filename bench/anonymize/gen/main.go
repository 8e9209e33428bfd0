// Command gen writes a synthetic WordPress + WooCommerce dump of about -size bytes (mysqldump
// format, or PostgreSQL with -pg) for bench/anonymize/run.sh.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/posture-dev/posture/internal/anonymize/wpgen"
)

func main() {
	size := flag.Int64("size", 200<<20, "approximate size in bytes")
	pg := flag.Bool("pg", false, "PostgreSQL dialect")
	users := flag.Int("users", 0, "users (default: scaled to the size)")
	flag.Parse()
	// Measured shape: per unit of scale one user (~2.3 KB of rows and meta), one post of
	// 4 KB with two comments, and one order (HPOS or legacy) of ~1.5 KB.
	n := int(*size / 8200)
	if *users > 0 {
		n = *users
	}
	w := bufio.NewWriterSize(os.Stdout, 4<<20)
	err := wpgen.Write(w, wpgen.Options{Users: n, Orders: n, Posts: n, PostBytes: 4000, Postgres: *pg, Seed: 1})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
