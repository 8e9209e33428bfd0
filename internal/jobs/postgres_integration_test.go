//go:build integration

package jobs

func init() { postgresEnabled = true }
