//go:build integration

package scanjob

func init() { postgresEnabled = true }
