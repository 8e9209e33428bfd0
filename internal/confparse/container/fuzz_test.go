package container

import (
	"bytes"
	"errors"
	"testing"
)

// lineCheck fails when a reported line is outside the input. YAML breaks lines at a
// lone carriage return too.
func lineCheck(t *testing.T, src []byte) func(what string, line int) {
	maxLine := bytes.Count(src, []byte("\n")) + bytes.Count(src, []byte("\r")) + 1
	return func(what string, line int) {
		t.Helper()
		if line < 0 || line > maxLine {
			t.Fatalf("%s at line %d; the input has %d lines", what, line, maxLine)
		}
	}
}

func checkErr(t *testing.T, src []byte, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an *Error", err)
	}
	lineCheck(t, src)("error", e.Line)
}

func FuzzParseCompose(f *testing.F) {
	f.Add([]byte(composeSrc))
	f.Add([]byte("version: '1'\nredis:\n  image: redis\n"))
	f.Add([]byte("a: &a {<<: *a}\nservices: {web: {<<: *a}}\n"))
	f.Add([]byte("services:\n  web:\n    ports: [\"[::1]:80:80\", {target: 1}]\n    env_file: {path: x}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := ParseCompose(src)
		checkErr(t, src, err)
		if err != nil {
			return
		}
		at := lineCheck(t, src)
		for _, s := range c.Services {
			at("service "+s.Name, s.Line)
			for _, e := range s.Env {
				at("env "+e.Name, e.Line)
			}
			for _, p := range s.Ports {
				at("port", p.Line)
			}
			for _, n := range []*Node{s.Image, s.User, s.ReadOnly, s.Privileged, s.Replicas} {
				if n != nil {
					at("setting", n.Line)
				}
			}
			at("command", s.Command.Line)
		}
	})
}

func FuzzParseManifests(f *testing.F) {
	f.Add([]byte(manifestSrc))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Pod, spec: {containers: [{name: a}]}}]\n"))
	f.Add([]byte("---\n# Source: a/b.yaml\n---\n# Source: c\napiVersion: v1\nkind: Pod\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		objs, err := ParseManifests(src)
		checkErr(t, src, err)
		at := lineCheck(t, src)
		for _, o := range objs {
			at(o.Kind, o.Line)
			if o.Pod == nil {
				continue
			}
			for _, c := range o.Pod.Containers {
				at("container "+c.Name, c.Line)
				for _, e := range c.Env {
					at("env "+e.Name, e.Line)
				}
				for _, n := range []*Node{c.Image, c.SecurityContext.RunAsUser, c.SecurityContext.ReadOnlyRootFilesystem} {
					if n != nil {
						at("setting", n.Line)
					}
				}
			}
		}
	})
}
