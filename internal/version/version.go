// Package version reports which build of posture is running.
package version

import (
	"runtime/debug"
)

// Set at link time by release builds: -ldflags "-X github.com/posture-dev/posture/internal/version.Version=v1.2.3".
var (
	Version = ""
	Commit  = ""
)

// Info returns the version and commit, falling back to what the Go toolchain stamped
// into the binary (module version, VCS revision) when no release flags were given.
func Info() (version, commit string) {
	version, commit = Version, Commit
	bi, ok := debug.ReadBuildInfo()
	if ok {
		if version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		dirty := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if commit == "" {
					commit = s.Value
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if dirty && commit != "" && commit == revision(bi) {
			commit += "-dirty"
		}
	}
	if version == "" {
		version = "dev"
	}
	return version, commit
}

func revision(bi *debug.BuildInfo) string {
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return ""
}
