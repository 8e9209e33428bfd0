// Command posture audits repositories, endpoints and hosts against the Secure
// Engineering Policy. All logic lives in internal/; see internal/cli.
package main

import (
	"context"
	"os"

	"github.com/posture-dev/posture/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
