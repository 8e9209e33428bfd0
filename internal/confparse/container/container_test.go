package container

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

const composeSrc = `x-common: &common
  read_only: true
  environment: &env
    LOG_LEVEL: info

services:
  web:
    <<: *common
    image: "nginx:1.27"
    user: "10001"
    ports:
      - "8080:80"
      - "127.0.0.1:9090:9090/tcp"
      - 443
      - target: 8443
        published: "8443"
        host_ip: 0.0.0.0
    environment:
      - A=1
      - PASSTHROUGH
      - EMPTY=
    command: ["nginx", "-g", "daemon off;"]
    deploy:
      replicas: 3
  worker:
    <<: *common
    build: ./worker
    env_file: [.env, {path: .env.local, required: false}]
    command: celery -A app worker
    environment:
      <<: *env
      DEBUG:
  x-ignored:
    image: nope
`

func TestParseCompose(t *testing.T) {
	c, err := ParseCompose([]byte(composeSrc))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Services) != 2 {
		t.Fatalf("%d services", len(c.Services))
	}
	web, worker := c.Services[0], c.Services[1]
	if web.Name != "web" || web.Line != 7 || web.Image.Value != "nginx:1.27" || web.Image.Line != 9 {
		t.Errorf("web = %s line %d image %+v", web.Name, web.Line, web.Image)
	}
	if web.ReadOnly == nil || web.ReadOnly.Value != "true" || web.ReadOnly.Line != 2 {
		t.Errorf("read_only from the anchor = %+v", web.ReadOnly)
	}
	if r, ok := Int(web.Replicas); !ok || r != 3 {
		t.Errorf("replicas = %v", web.Replicas)
	}
	wantPorts := []Port{
		{Raw: "8080:80", Line: 12, Published: "8080", Target: "80", Publishes: true},
		{Raw: "127.0.0.1:9090:9090/tcp", Line: 13, HostIP: "127.0.0.1", Published: "9090", Target: "9090", Publishes: true},
		{Raw: "443", Line: 14, Target: "443", Publishes: true},
		{Raw: "8443:8443", Line: 15, HostIP: "0.0.0.0", Published: "8443", Target: "8443", Publishes: true},
	}
	if !reflect.DeepEqual(web.Ports, wantPorts) {
		t.Errorf("ports:\n got %+v\nwant %+v", web.Ports, wantPorts)
	}
	wantEnv := []EnvVar{{Name: "A", Value: "1", HasValue: true, Line: 19}, {Name: "PASSTHROUGH", Line: 20}, {Name: "EMPTY", HasValue: true, Line: 21}}
	if !reflect.DeepEqual(web.Env, wantEnv) {
		t.Errorf("list environment:\n got %+v\nwant %+v", web.Env, wantEnv)
	}
	if !reflect.DeepEqual(web.Command.Words, []string{"nginx", "-g", "daemon off;"}) || web.Command.Line != 22 {
		t.Errorf("command = %+v", web.Command)
	}
	if worker.Build == nil || worker.Build.Context != "./worker" {
		t.Errorf("build = %+v", worker.Build)
	}
	if worker.Command.Shell != "celery -A app worker" || worker.Command.Text() != "celery -A app worker" {
		t.Errorf("string command = %+v", worker.Command)
	}
	if len(worker.EnvFiles) != 2 || worker.EnvFiles[1].Path != ".env.local" || worker.EnvFiles[1].Required {
		t.Errorf("env_file = %+v", worker.EnvFiles)
	}
	// Explicit keys beat merged ones, and a key with no value is a pass-through.
	got := map[string]EnvVar{}
	for _, e := range worker.Env {
		got[e.Name] = e
	}
	if got["LOG_LEVEL"].Value != "info" || got["DEBUG"].HasValue {
		t.Errorf("map environment = %+v", worker.Env)
	}
}

func TestParseComposeVersion1AndEmpty(t *testing.T) {
	c, err := ParseCompose([]byte("version: '1'\nredis:\n  image: redis\nnetworks:\n  default: {}\n"))
	if err != nil || len(c.Services) != 1 || c.Services[0].Name != "redis" {
		t.Fatalf("version 1 file: %+v %v", c, err)
	}
	for _, src := range []string{"", "# nothing\n", "services:\n", "services:\n  a:\n"} {
		if _, err := ParseCompose([]byte(src)); err != nil {
			t.Errorf("%q: %v", src, err)
		}
	}
	for _, src := range []string{"- a\n", "services: [a]\n", "services:\n  a: 1\n", "services:\n  a:\n    <<: *missing\n"} {
		var e *Error
		if _, err := ParseCompose([]byte(src)); !errors.As(err, &e) || e.Line < 1 {
			t.Errorf("%q: error %v, want a positioned *Error", src, err)
		}
	}
}

func TestParseComposeErrorPosition(t *testing.T) {
	_, err := ParseCompose([]byte("services:\n  web:\n    image: a\n\timage: b\n"))
	var e *Error
	if !errors.As(err, &e) || e.Line != 4 || e.Col < 1 {
		t.Fatalf("error = %v", err)
	}
	if strings.ContainsRune(e.Msg, '\t') {
		t.Errorf("message holds a raw tab: %q", e.Msg)
	}
	_, err = ParseCompose([]byte("services:\n  web:\n    image: a\n    image: b\n"))
	if !errors.As(err, &e) || e.Line != 4 {
		t.Errorf("duplicate key: %v", err)
	}
}

const manifestSrc = `---
# Source: shop/templates/web.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  labels: {tier: frontend}
spec:
  replicas: 2
  template:
    metadata:
      labels:
        app: web
    spec:
      securityContext:
        runAsNonRoot: true
      initContainers:
        - name: migrate
          image: web:1
      containers:
        - name: web
          image: web:1
          command: ["/web"]
          args: ["--port", "8080"]
          env:
            - name: A
              value: "1"
            - name: B
              valueFrom:
                secretKeyRef: {name: s, key: b}
            - name: C
          envFrom:
            - prefix: X_
              configMapRef:
                name: cfg
          securityContext:
            readOnlyRootFilesystem: true
          ports:
            - containerPort: 8080
---
# a plain document: no Source above it
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              image: job:2
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers: [{name: c, image: c:1}]
---
just: a mapping
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: patch}
spec:
  replicas: 1
`

func TestParseManifests(t *testing.T) {
	objs, err := ParseManifests([]byte(manifestSrc))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, o := range objs {
		kinds = append(kinds, o.Kind+"/"+o.Name)
	}
	if want := []string{"Deployment/web", "CronJob/nightly", "Pod/p", "Deployment/patch"}; !reflect.DeepEqual(kinds, want) {
		t.Fatalf("objects = %v, want %v", kinds, want)
	}
	web := objs[0]
	if web.Source != "shop/templates/web.yaml" || web.Namespace != "prod" || web.Labels["tier"] != "frontend" || web.Line != 3 {
		t.Errorf("web = source %q ns %q labels %v line %d", web.Source, web.Namespace, web.Labels, web.Line)
	}
	if r, _ := Int(web.Replicas); r != 2 || web.PodLabels["app"] != "web" {
		t.Errorf("replicas %v pod labels %v", web.Replicas, web.PodLabels)
	}
	if web.Pod == nil || len(web.Pod.Containers) != 2 || !web.Pod.Containers[0].Init || web.Pod.Containers[1].Name != "web" {
		t.Fatalf("pod = %+v", web.Pod)
	}
	if !isTrueNode(web.Pod.SecurityContext.RunAsNonRoot) {
		t.Error("pod securityContext not read")
	}
	c := web.Pod.Containers[1]
	if c.Line != 22 || c.Image.Value != "web:1" || c.Command.Words[0] != "/web" || c.Args.Line != 25 {
		t.Errorf("container = %+v", c)
	}
	wantEnv := []EnvVar{{Name: "A", Value: "1", HasValue: true, Line: 27}, {Name: "B", ValueFrom: "secretKeyRef", Line: 29}, {Name: "C", HasValue: true, Line: 32}}
	if !reflect.DeepEqual(c.Env, wantEnv) {
		t.Errorf("env:\n got %+v\nwant %+v", c.Env, wantEnv)
	}
	if len(c.EnvFrom) != 1 || c.EnvFrom[0] != (EnvFrom{Kind: "configMap", Name: "cfg", Prefix: "X_", Line: 34}) {
		t.Errorf("envFrom = %+v", c.EnvFrom)
	}
	if !isTrueNode(c.SecurityContext.ReadOnlyRootFilesystem) || len(c.Ports) != 1 || c.Ports[0].Target != "8080" || c.Ports[0].Publishes {
		t.Errorf("container securityContext %+v ports %+v", c.SecurityContext, c.Ports)
	}
	if cj := objs[1]; cj.Source != "" || cj.Pod == nil || cj.Pod.Containers[0].Image.Value != "job:2" || cj.Replicas != nil {
		t.Errorf("cronjob = %+v", cj)
	}
	if pod := objs[2]; pod.Pod == nil || pod.Pod.Containers[0].Name != "c" {
		t.Errorf("pod from a List = %+v", pod)
	}
	if patch := objs[3]; patch.Pod != nil || patch.Replicas == nil {
		t.Errorf("patch = %+v", patch)
	}
}

func isTrueNode(n *Node) bool { return n != nil && n.Value == "true" }

func TestLooksLikeManifest(t *testing.T) {
	for src, want := range map[string]bool{
		"apiVersion: v1\nkind: Pod\n":          true,
		"kind: Pod\n---\napiVersion: v1\n":     true,
		"services:\n  a: {}\n":                 false,
		"  apiVersion: v1\n  kind: Pod\n":      false,
		"apiVersion: v2\nname: chart\n":        false,
		"apiVersion: {{ .X }}\nkind: Secret\n": true,
	} {
		if got := LooksLikeManifest([]byte(src)); got != want {
			t.Errorf("LooksLikeManifest(%q) = %v", src, got)
		}
	}
}

func TestParseEnvFile(t *testing.T) {
	got := ParseEnvFile([]byte("# c\nA=1\nexport B='two words'\nC=x # note\n\nD\n=skip\r\nE=\"q\"\n"))
	want := []EnvVar{
		{Name: "A", Value: "1", HasValue: true, Line: 2},
		{Name: "B", Value: "two words", HasValue: true, Line: 3},
		{Name: "C", Value: "x", HasValue: true, Line: 4},
		{Name: "D", Line: 6},
		{Name: "E", Value: "q", HasValue: true, Line: 8},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseEnvFile:\n got %+v\nwant %+v", got, want)
	}
}

// Aliases make a document a graph; merge keys over them must not blow up.
func TestMergeKeyBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 {k: v}\n")
	for i := 1; i < 40; i++ {
		b.WriteString("a" + itoa(i) + ": &a" + itoa(i) + " {<<: [*a" + itoa(i-1) + ", *a" + itoa(i-1) + "], k" + itoa(i) + ": v}\n")
	}
	if _, err := ParseYAML([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
