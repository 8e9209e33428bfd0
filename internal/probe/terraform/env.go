package terraform

import (
	"fmt"
	"sort"
	"strings"

	tf "github.com/posture-dev/posture/internal/confparse/terraform"
)

// envClass is what posture can tell about the environment a resource runs in.
type envClass int

const (
	envUnclassified envClass = iota
	envProduction
	envNonProduction
)

type environment struct {
	class envClass
	// why says what decided the class ("its Environment tag is \"prod\""), or, when
	// unclassified, what could have and did not.
	why string
}

var (
	productionNames    = map[string]bool{"prod": true, "production": true, "prd": true, "live": true}
	nonProductionNames = map[string]bool{
		"dev": true, "development": true, "develop": true, "test": true, "testing": true, "qa": true,
		"stage": true, "staging": true, "stg": true, "sandbox": true, "sbx": true, "uat": true,
		"preview": true, "demo": true, "local": true, "ci": true, "nonprod": true, "non-prod": true,
	}
	envTagKeys = map[string]bool{"environment": true, "env": true, "stage": true}
)

// classifyName reads an environment name: a tag value ("production"), a variable's value
// or a directory ("prod-eu", "eu_prod").
func classifyName(s string) envClass {
	s = strings.ToLower(strings.TrimSpace(s))
	if nonProductionNames[s] {
		return envNonProduction
	}
	if productionNames[s] {
		return envProduction
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || r == '.' })
	if len(parts) < 2 {
		return envUnclassified
	}
	for _, p := range []string{parts[0], parts[len(parts)-1]} {
		if nonProductionNames[p] {
			return envNonProduction
		}
	}
	for _, p := range []string{parts[0], parts[len(parts)-1]} {
		if productionNames[p] {
			return envProduction
		}
	}
	return envUnclassified
}

// env classifies the environment of a resource, most specific evidence first: its own
// Environment tag, the AWS provider's default_tags, an environment variable of the root
// module, and the root module's directory (environments/prod). Workspaces are chosen when
// Terraform runs, so a configuration that only tells environments apart by
// terraform.workspace is unclassified.
func (s *scan) env(x subject) environment {
	var unsure []string
	if e, why := tagEnvironment(resourceTags(x)); e.class != envUnclassified {
		e.why = "its tags set " + e.why
		return e
	} else if why != "" {
		unsure = append(unsure, why)
	}
	return s.rootEnvironment(x.in, unsure)
}

func (s *scan) rootEnvironment(in *tf.Instance, unsure []string) environment {
	root := in.Root
	for _, p := range root.Module.Providers {
		if len(p.Labels) != 1 || p.Labels[0] != "aws" {
			continue
		}
		for _, dt := range p.Nested("default_tags") {
			tags, _ := tagsOf(root.Eval(dt.Attr("tags")))
			if e, why := tagEnvironment(tags); e.class != envUnclassified {
				e.why = "the AWS provider's default_tags set " + e.why
				return e
			} else if why != "" {
				unsure = append(unsure, why)
			}
		}
	}
	names := make([]string, 0, len(root.Module.Variables))
	for name := range root.Module.Variables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !envTagKeys[strings.ToLower(name)] {
			continue
		}
		v := root.Var(name)
		if str, ok := v.Str(); ok {
			if c := classifyName(str); c != envUnclassified {
				return environment{class: c, why: fmt.Sprintf("var.%s of %s is %q", name, rootName(root), str)}
			}
		} else if !v.Known() {
			unsure = append(unsure, fmt.Sprintf("var.%s is not known (%s)", name, v.Reason()))
		}
	}
	segs := dirSegments(root.Module.Dir)
	for i := len(segs) - 1; i >= 0; i-- {
		if c := classifyName(segs[i]); c != envUnclassified {
			return environment{class: c, why: "its configuration is in " + root.Module.Dir}
		}
	}
	why := "neither its tags, the provider's default_tags, an environment variable nor the directory " + rootName(root) + " name the environment"
	if len(unsure) > 0 {
		why = unsure[0]
	}
	return environment{class: envUnclassified, why: why}
}

// tag is one tag of a resource.
type tag struct {
	key string
	v   tf.Value
}

// tagsOf lists the entries of a tags map; ok is false when the map itself is unknown.
func tagsOf(v tf.Value) ([]tag, bool) {
	keys, ok := v.Keys()
	if !ok {
		return nil, v.IsNull()
	}
	out := make([]tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, tag{k, v.Get(k)})
	}
	return out, true
}

// resourceTags lists a resource's tags; autoscaling groups also spell them as tag blocks.
func resourceTags(x subject) []tag {
	tags, _ := tagsOf(x.in.Eval(x.r.Attr("tags")))
	if x.r.Type == "aws_autoscaling_group" {
		for _, b := range x.r.Nested("tag") {
			if b.Dynamic {
				continue
			}
			if k, ok := x.in.Eval(b.Attr("key")).Str(); ok {
				tags = append(tags, tag{k, x.in.Eval(b.Attr("value"))})
			}
		}
	}
	return tags
}

// tagEnvironment classifies tags by their Environment (or Env, Stage) tag; the
// environment's why is the tag (Environment = "prod"). The returned why is set when such
// a tag exists but its value is unknown.
func tagEnvironment(tags []tag) (environment, string) {
	var why string
	for _, t := range tags {
		if !envTagKeys[strings.ToLower(t.key)] {
			continue
		}
		str, ok := t.v.Str()
		if !ok {
			if !t.v.Known() && why == "" {
				why = fmt.Sprintf("its %s tag is not known (%s)", t.key, t.v.Reason())
			}
			continue
		}
		if c := classifyName(str); c != envUnclassified {
			return environment{class: c, why: fmt.Sprintf("%s = %q", t.key, str)}, ""
		}
	}
	return environment{}, why
}
