package anonymize

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed presets/*.yaml
var presetFS embed.FS

// PresetNames lists the built-in presets.
func PresetNames() []string {
	ents, _ := presetFS.ReadDir("presets")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return out
}

// PresetFile returns a preset's YAML, for users to copy and edit.
func PresetFile(name string) ([]byte, error) {
	data, err := presetFS.ReadFile("presets/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("unknown preset %q (presets: %s)", name, strings.Join(PresetNames(), ", "))
	}
	return data, nil
}

// Preset loads a built-in rule set.
func Preset(name string) (*Rules, error) {
	data, err := PresetFile(name)
	if err != nil {
		return nil, err
	}
	return ParseRules("preset "+name, data, false)
}
