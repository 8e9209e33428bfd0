package containers

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/testutil"
)

func run(t *testing.T, files map[string]string) *probe.Result {
	t.Helper()
	tg := testutil.RepoTarget(t, files, fileset.Options{})
	r, err := New().Run(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// summary renders findings as sorted "rule path:line" lines.
func summary(r *probe.Result) []string {
	out := []string{}
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %s:%d", f.Rule, f.Location.Path, f.Location.Line))
	}
	sort.Strings(out)
	return out
}

func expect(t *testing.T, r *probe.Result, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	sort.Strings(want)
	if got := summary(r); !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n got %q\nwant %q", got, want)
		for _, f := range r.Findings {
			t.Logf("%s: %s", f.Rule, f.Message)
		}
	}
}

func TestNothingToExamine(t *testing.T) {
	r := run(t, map[string]string{"README.md": "hi", ".github/workflows/ci.yml": "on: push\njobs: {}\n", "Dockerfile.md": "# notes"})
	for _, c := range controls {
		if !strings.Contains(r.NotApplicable[c], "no Dockerfile, compose file or Kubernetes manifest") {
			t.Errorf("%s: not applicable = %q", c, r.NotApplicable[c])
		}
	}
}

func TestFileNames(t *testing.T) {
	for name, want := range map[string]bool{
		"Dockerfile": true, "dockerfile": true, "Containerfile": true, "Dockerfile.prod": true, "api.Dockerfile": true,
		"Dockerfile.dockerignore": false, "Dockerfile.md": false, "Dockerfile.j2": false, "Dockerfiles": false,
		"dockerfile.go": false, "containerfile_test.go": false, "api.dockerfile": true,
	} {
		if isDockerfile(name) != want {
			t.Errorf("isDockerfile(%q) != %v", name, want)
		}
	}
	for name, want := range map[string]bool{
		"compose.yaml": true, "docker-compose.yml": true, "docker-compose.override.yml": true, "compose.prod.yaml": true,
		"docker-compose-dev.yml": true, "composer.yaml": false, "compose": false, "docker-compose.json": false,
	} {
		if isCompose(name) != want {
			t.Errorf("isCompose(%q) != %v", name, want)
		}
	}
}

func TestDockerfileChecks(t *testing.T) {
	r := run(t, map[string]string{
		"pinned/Dockerfile": "ARG UID=10001\nFROM alpine:3.20@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nARG UID\nUSER ${UID}\n",
		"distroless/Dockerfile": "FROM golang:1.22@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef AS b\n" +
			"FROM gcr.io/distroless/static:nonroot@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nCOPY --from=b /x /x\n",
		"scratch/Dockerfile": "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n",
		"root/Dockerfile":    "FROM debian:12\nUSER app\nFROM debian:12 AS final\nENV RUNAS=0\nUSER $RUNAS:0\n",
		"inherit/Dockerfile": "FROM node:20.1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef AS base\nUSER node\nFROM base\nCMD [\"node\", \"x.js\"]\n",
		"start/Dockerfile": "FROM alpine:3.20@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nWORKDIR /srv\n" +
			"COPY scripts/ ./scripts/\nUSER 1000\nENTRYPOINT [\"./scripts/start.sh\"]\n",
		"start/scripts/start.sh": "#!/bin/sh\n# yum update used to live here\nexec yum -y update\n",
		"build-time/Dockerfile": "FROM alpine:3.20@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n" +
			"RUN apk upgrade --no-cache\nUSER 1000\nCMD apk info\n",
	})
	expect(t, r,
		"dockerfile/user-missing scratch/Dockerfile:1",
		"dockerfile/base-image-not-pinned root/Dockerfile:1",
		"dockerfile/base-image-not-pinned root/Dockerfile:3",
		"dockerfile/user-root root/Dockerfile:5",
		"dockerfile/upgrade-at-start start/scripts/start.sh:3",
	)
	if len(r.Unknown) != 0 {
		t.Errorf("unknown: %v", r.Unknown)
	}
	for _, c := range []string{ctlAuth, ctlScale, ctlSeparate} {
		if r.NotApplicable[c] == "" {
			t.Errorf("%s should be not applicable with only Dockerfiles", c)
		}
	}
}

func TestDockerfileParseErrorOnlyTouchesSC8(t *testing.T) {
	r := run(t, map[string]string{
		"a/Dockerfile": "ARG BASE\nFROM ${BASE}\nUSER ${APP_USER}\n",
		"b/Dockerfile": "FROM alpine:3.20\nRUN <<EOF\nno end\n",
		"compose.yaml": "services:\n  cache:\n    image: redis:7\n    command: redis-server --requirepass x\n    read_only: true\n",
	})
	expect(t, r)
	u := r.Unknown[ctlImmutable]
	for _, want := range []string{"a/Dockerfile:2: FROM ${BASE}: BASE has no value", "a/Dockerfile:3: USER ${APP_USER}", "b/Dockerfile:2:5: unterminated heredoc"} {
		if !strings.Contains(u, want) {
			t.Errorf("SC-8 unknown %q lacks %q", u, want)
		}
	}
	if r.Unknown[ctlAuth] != "" || r.NotApplicable[ctlAuth] != "" {
		t.Errorf("ZT-3 should be checked: unknown %q n/a %q", r.Unknown[ctlAuth], r.NotApplicable[ctlAuth])
	}
}

func TestComposeAuth(t *testing.T) {
	r := run(t, map[string]string{
		"compose.yaml": `services:
  redis-conf:
    image: redis:7.2
    read_only: true
    command: ["redis-server", "/usr/local/etc/redis/redis.conf"]
  redis-empty:
    image: redis:7.2
    read_only: true
    command: redis-server --requirepass ""
  mysql-ok:
    image: mysql:8.4
    read_only: true
    environment:
      MYSQL_ALLOW_EMPTY_PASSWORD: "yes"
      MYSQL_ROOT_PASSWORD: ${DB_ROOT}
  mysql-empty:
    image: mariadb:11
    read_only: true
    environment:
      - MARIADB_ROOT_PASSWORD=
  es7:
    image: elasticsearch:7.17.22
    read_only: true
  es7-secured:
    image: elasticsearch:7.17.22
    read_only: true
    environment:
      xpack.security.enabled: "true"
  os:
    image: opensearchproject/opensearch:2.15.0
    read_only: true
    command: ["opensearch", "-Eplugins.security.disabled=true"]
  sidecar-cache:
    image: memcached:1.6
    read_only: true
    command: memcached -l 127.0.0.1
  sasl-cache:
    image: memcached:1.6
    read_only: true
    command: ["memcached", "-S"]
  mongo-envfile:
    image: mongo:7
    read_only: true
    env_file: mongo.env
  mongo-bare:
    image: mongo:7
    read_only: true
  pg:
    image: bitnami/postgresql:16
    read_only: true
    environment:
      ALLOW_EMPTY_PASSWORD: "no"
`,
	})
	expect(t, r,
		"containers/redis-without-password compose.yaml:9",
		"containers/mysql-empty-root-password compose.yaml:20",
		"containers/search-security-disabled compose.yaml:22",
		"containers/search-security-disabled compose.yaml:32",
		"containers/mongodb-without-auth compose.yaml:45",
	)
}

func TestComposeOverrideAndStages(t *testing.T) {
	r := run(t, map[string]string{
		"docker-compose.yml": "services:\n  web:\n    image: nginx:1.27\n  db:\n    image: mysql:8.4\n    read_only: true\n    environment:\n      MYSQL_ALLOW_EMPTY_PASSWORD: \"yes\"\n",
		// An override only amends: no read_only finding for web, and the base file's
		// own MySQL finding is not repeated here.
		"docker-compose.override.yml":    "services:\n  web:\n    environment:\n      API: https://api.production.example.com/v1\n      OK: https://api.staging.example.com\n  db:\n    ports: [\"3306:3306\"]\n",
		"deploy/production/compose.yaml": "services:\n  web:\n    image: nginx:1.27\n    read_only: true\n    deploy:\n      replicas: 2\n  jobs:\n    image: nginx:1.27\n    read_only: true\n    deploy: {mode: global}\n  single:\n    image: nginx:1.27\n    read_only: true\n    scale: 1\n",
	})
	expect(t, r,
		"compose/read-only-not-set docker-compose.yml:2",
		"containers/mysql-empty-root-password docker-compose.yml:8",
		"containers/production-host-in-dev docker-compose.override.yml:4",
		"compose/single-replica deploy/production/compose.yaml:14",
	)
}

const k8sPod = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: %s
  namespace: %s
spec:
  replicas: %s
  template:
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 10001}
      containers:
        - name: app
          image: %s
          envFrom:
            - configMapRef: {name: app-env}
          securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false}
`

func TestKubernetes(t *testing.T) {
	r := run(t, map[string]string{
		"k8s/app.yaml": fmt.Sprintf(k8sPod, "cache", "payments-prod", "1", "bitnami/redis:7.2") +
			"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-env}\ndata:\n  ALLOW_EMPTY_PASSWORD: \"yes\"\n",
		"k8s/api.yaml": fmt.Sprintf(k8sPod, "api", "payments-prod", "1", "registry.example.com/api:1.0") +
			"---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api}\nspec:\n  scaleTargetRef: {kind: Deployment, name: api}\n  minReplicas: 2\n",
		"k8s/staging.yaml":                     fmt.Sprintf(k8sPod, "web", "payments-staging", "1", "registry.example.com/web:1.0"),
		"charts/app/Chart.yaml":                "apiVersion: v2\nname: app\nversion: 1.0.0\n",
		"charts/app/templates/deploy.yaml":     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
		"ansible/templates/deploy.yaml":        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{ meta }}\nspec:\n  replicas: {{ n }\n",
		"k8s/broken/deploy.yaml":               "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n   bad: indent\n",
		"k8s/overlays/prod/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../../]\n",
	})
	expect(t, r,
		"containers/bitnami-empty-password k8s/app.yaml:15",
		"k8s/single-replica k8s/app.yaml:7",
	)
	if u := r.Unknown[ctlScale]; !strings.Contains(u, "k8s/broken/deploy.yaml:4:9: ") {
		t.Errorf("SC-3 unknown = %q", u)
	}
	if r.Unknown[ctlSeparate] != "" {
		t.Errorf("SC-2 depends on development files only: %q", r.Unknown[ctlSeparate])
	}
}

func TestHelmTemplatesOnly(t *testing.T) {
	tg := testutil.RepoTarget(t, map[string]string{
		"chart/Chart.yaml":                 "apiVersion: v2\nname: app\nversion: 1.0.0\n",
		"chart/templates/deployment.yaml":  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
		"chart/templates/sub/service.yaml": "{{- if .Values.svc }}\napiVersion: v1\nkind: Service\n{{- end }}\n",
	}, fileset.Options{})
	r, err := New().Run(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	if na := r.NotApplicable[ctlImmutable]; !strings.Contains(na, "2 unrendered Helm templates not examined") {
		t.Errorf("n/a = %q", na)
	}
	if sk := tg.Files.Skipped(); len(sk) != 2 || !strings.Contains(sk[0].Reason, "helm template") {
		t.Errorf("skipped = %+v", sk)
	}
}

func TestHelpers(t *testing.T) {
	for s, want := range map[string]bool{"prod": true, "api-production": true, "prod.eu": true, "non-prod": false, "pre-prod": false, "preprod": false, "products": false} {
		if prodWord(s) != want {
			t.Errorf("prodWord(%q) != %v", s, want)
		}
	}
	got := hostsIn("postgres://u:p%40ss@db.prod.example.com:5432/app?x=1 host=cache.internal.example.org;localhost,redis:6379 10.0.0.1")
	if want := []string{"db.prod.example.com", "cache.internal.example.org"}; !reflect.DeepEqual(got, want) {
		t.Errorf("hostsIn = %v", got)
	}
	if prodHost("mydb.abc123.eu-west-1.rds.amazonaws.com") == "" || prodHost("db.staging.example.com") != "" {
		t.Error("prodHost")
	}
	for text, want := range map[string]string{
		"apt-get update && apt-get -y upgrade": "apt-get -y upgrade",
		"apk upgrade --no-cache":               "apk upgrade",
		"yum -q update":                        "yum -q update",
		"dnf upgrade-minimal":                  "",
		"apt-get install -y curl":              "",
		"echo apt-get-upgrade":                 "",
		"zypper --non-interactive up":          "zypper --non-interactive up",
	} {
		if got := upgradeIn(text); got != want {
			t.Errorf("upgradeIn(%q) = %q, want %q", text, got, want)
		}
	}
	for ref, want := range map[string]imageRef{
		"redis":                               {raw: "redis", path: "redis"},
		"docker.io/library/redis:7@sha256:ab": {raw: "docker.io/library/redis:7@sha256:ab", registry: "docker.io", path: "redis", tag: "7", digest: "sha256:ab"},
		"localhost:5000/team/app:1.0":         {raw: "localhost:5000/team/app:1.0", registry: "localhost:5000", path: "team/app", tag: "1.0"},
		"bitnami/redis:latest":                {raw: "bitnami/redis:latest", path: "bitnami/redis", tag: "latest"},
	} {
		if got := parseImage(ref); got != want {
			t.Errorf("parseImage(%q) = %+v", ref, got)
		}
	}
	if safeArgs([]string{"redis-server", "--masterauth", "s3cret", "--requirepass=x", "--port", "1"}) != "redis-server --masterauth … --requirepass=… --port 1" {
		t.Error("safeArgs")
	}
}
