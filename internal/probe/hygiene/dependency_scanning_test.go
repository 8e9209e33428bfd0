package hygiene

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

const goMod = "module example.com/app\n\ngo 1.22\n\nrequire golang.org/x/text v0.14.0\n"

// workflow builds a GitHub Actions workflow with one job of the given steps.
func workflow(jobExtra, steps string) string {
	return "name: CI\non:\n  push:\n    branches: [main]\n  pull_request:\n\njobs:\n  test:\n    runs-on: ubuntu-latest\n" +
		jobExtra + "    steps:\n      - uses: actions/checkout@v4\n" + steps
}

func with(files map[string]string, more ...string) map[string]string {
	out := map[string]string{}
	for k, v := range files {
		out[k] = v
	}
	for i := 0; i+1 < len(more); i += 2 {
		out[more[i]] = more[i+1]
	}
	return out
}

func TestDependencyScanning(t *testing.T) {
	goRepo := map[string]string{"go.mod": goMod, "go.sum": ""}
	npmRepo := map[string]string{"package.json": `{"dependencies": {"express": "^4.19.2"}}`, "package-lock.json": "{}"}
	const missing = "repo/dependency-scanning/missing"
	runCases(t, DependencyScanning{}, []hygieneCase{
		{"no manifests", map[string]string{"README.md": "hi"}, "", "no dependency manifests", ""},
		{"only actions and images are not packages", map[string]string{
			"Dockerfile":               "FROM alpine:3.20\n",
			".github/workflows/ci.yml": workflow("", "      - run: make\n"),
		}, "", "no dependency manifests", ""},
		{"no CI at all", goRepo, missing, "", ""},
		{"osv-scanner action", with(goRepo, ".github/workflows/scan.yml", workflow("",
			"      - uses: google/osv-scanner-action/osv-scanner-action@v2.0.2\n        with:\n          scan-args: -r ./\n")), "", "", ""},
		{"osv-scanner reusable workflow", with(goRepo, ".github/workflows/osv.yaml",
			"on: [pull_request]\njobs:\n  scan:\n    uses: google/osv-scanner-action/.github/workflows/osv-scanner-reusable.yml@v2\n"), "", "", ""},
		{"dependency review", with(npmRepo, ".github/workflows/review.yml", workflow("", "      - uses: actions/dependency-review-action@v4\n")), "", "", ""},
		{"govulncheck in a run block", with(goRepo, ".github/workflows/ci.yml", workflow("",
			"      - name: Vulnerabilities\n        run: |\n          go install golang.org/x/vuln/cmd/govulncheck@latest\n          govulncheck ./...\n")), "", "", ""},
		{"npm audit after other commands", with(npmRepo, ".github/workflows/ci.yml", workflow("",
			"      - run: npm ci && npm audit --audit-level=high\n")), "", "", ""},
		{"commented-out step", with(npmRepo, ".github/workflows/ci.yml", workflow("",
			"      - run: npm ci\n      # - run: npm audit --audit-level=high\n      # - uses: actions/dependency-review-action@v4\n")), missing, "", ""},
		{"commented-out command inside a script", with(npmRepo, ".github/workflows/ci.yml", workflow("",
			"      - run: |\n          npm ci\n          # npm audit\n          echo \"run npm audit later\"\n")), missing, "", ""},
		{"job with if: false", with(npmRepo, ".github/workflows/ci.yml", workflow("    if: false\n",
			"      - run: npm audit\n")), missing, "", ""},
		{"step with if: ${{ false }}", with(npmRepo, ".github/workflows/ci.yml", workflow("",
			"      - run: npm audit\n        if: ${{ false }}\n")), missing, "", ""},
		{"a real condition may run", with(npmRepo, ".github/workflows/ci.yml", workflow("",
			"      - run: npm audit\n        if: github.event_name == 'pull_request'\n")), "", "", ""},
		{"npm audit signatures is not a vulnerability scan", with(npmRepo, ".github/workflows/ci.yml", workflow("",
			"      - run: npm audit signatures\n")), missing, "", ""},
		{"trivy config is IaC, not dependencies", with(goRepo, ".github/workflows/ci.yml", workflow("",
			"      - uses: aquasecurity/trivy-action@0.28.0\n        with:\n          scan-type: config\n")), missing, "", ""},
		{"trivy fs action", with(goRepo, ".github/workflows/ci.yml", workflow("",
			"      - uses: aquasecurity/trivy-action@0.28.0\n        with:\n          scan-type: fs\n          scan-ref: .\n")), "", "", ""},
		{"trivy with only the secret scanner", with(goRepo, ".github/workflows/ci.yml", workflow("",
			"      - run: trivy fs --scanners secret .\n")), missing, "", ""},
		{"codeql is code scanning", with(goRepo, ".github/workflows/codeql.yml", workflow("",
			"      - uses: github/codeql-action/init@v3\n      - uses: github/codeql-action/analyze@v3\n")), missing, "", ""},
		{"snyk code is code scanning", with(npmRepo, ".github/workflows/snyk.yml", workflow("",
			"      - uses: snyk/actions/node@master\n        with:\n          command: code test\n")), missing, "", ""},
		{"snyk test", with(npmRepo, ".github/workflows/snyk.yml", workflow("",
			"      - uses: snyk/actions/node@master\n        env:\n          SNYK_TOKEN: ${{ secrets.SNYK_TOKEN }}\n")), "", "", ""},
		{"script called from a step", with(goRepo,
			".github/workflows/ci.yml", workflow("", "      - run: ./scripts/ci.sh\n"),
			"scripts/ci.sh", "#!/bin/sh\nset -eu\ngo test ./...\ngovulncheck ./...\n"), "", "", ""},
		{"local composite action", with(npmRepo,
			".github/workflows/ci.yml", workflow("", "      - uses: ./.github/actions/audit\n"),
			".github/actions/audit/action.yml", "name: audit\nruns:\n  using: composite\n  steps:\n    - run: pnpm audit --prod\n      shell: bash\n"), "", "", ""},
		{"steps shared with an anchor", with(npmRepo, ".github/workflows/ci.yml",
			"on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: &steps\n      - run: yarn audit\n  b:\n    runs-on: macos-latest\n    steps: *steps\n"), "", "", ""},
		{"malformed workflow is unknown", with(goRepo, ".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    steps: [\n"),
			"", "", ".github/workflows/ci.yml:4"},
		{"malformed workflow does not hide a scanner elsewhere", with(goRepo,
			".github/workflows/broken.yml", "jobs: {\n",
			".github/workflows/scan.yml", workflow("", "      - run: govulncheck ./...\n")), "", "", ""},
		{"malformed workflow beside one without a scanner", with(goRepo,
			".github/workflows/broken.yml", "jobs:\n  a: [\n",
			".github/workflows/ci.yml", workflow("", "      - run: go test ./...\n")), "", "", ".github/workflows/broken.yml:2"},

		{"gitlab dependency scanning template", with(npmRepo, ".gitlab-ci.yml",
			"stages: [test]\ninclude:\n  - template: Security/Dependency-Scanning.gitlab-ci.yml\n"), "", "", ""},
		{"gitlab template switched off", with(npmRepo, ".gitlab-ci.yml",
			"include:\n  - template: Jobs/Dependency-Scanning.gitlab-ci.yml\nvariables:\n  DEPENDENCY_SCANNING_DISABLED: \"true\"\n"), missing, "", ""},
		{"gitlab component", with(npmRepo, ".gitlab-ci.yml",
			"include:\n  - component: $CI_SERVER_FQDN/components/dependency-scanning/main@0\n"), "", "", ""},
		{"gitlab local include", with(map[string]string{"requirements.txt": "requests==2.32.3\n"},
			".gitlab-ci.yml", "include:\n  - local: /ci/security.yml\nstages: [test]\n",
			"ci/security.yml", "audit:\n  stage: test\n  image: python:3.12\n  script:\n    - pip install pip-audit\n    - pip-audit -r requirements.txt\n"), "", "", ""},
		{"gitlab include that is missing", with(npmRepo, ".gitlab-ci.yml", "include: /ci/missing.yml\n"), "", "", "ci/missing.yml, which is not in the repository"},
		{"gitlab job extending a hidden template", with(npmRepo, ".gitlab-ci.yml",
			".audit:\n  script:\n    - npm audit --omit=dev\naudit:\n  extends: .audit\n  stage: test\n"), "", "", ""},
		{"gitlab hidden job alone never runs", with(npmRepo, ".gitlab-ci.yml",
			".audit:\n  script:\n    - npm audit\nbuild:\n  script: npm run build\n"), missing, "", ""},
		{"gitlab when: never", with(npmRepo, ".gitlab-ci.yml",
			"audit:\n  when: never\n  script:\n    - npm audit\n"), missing, "", ""},
		{"gitlab rules all never", with(npmRepo, ".gitlab-ci.yml",
			"audit:\n  rules:\n    - if: $CI_COMMIT_BRANCH\n      when: never\n  script: npm audit\n"), missing, "", ""},
		{"gitlab !reference", with(npmRepo, ".gitlab-ci.yml",
			".scripts:\n  audit:\n    - npm audit\ntest:\n  script:\n    - npm ci\n    - !reference [.scripts, audit]\n"), "", "", ""},

		{"bitbucket snyk pipe", with(npmRepo, "bitbucket-pipelines.yml",
			"image: node:20\npipelines:\n  default:\n    - step:\n        name: Scan\n        script:\n          - npm ci\n          - pipe: snyk/snyk-scan:1.0.1\n            variables:\n              SNYK_TOKEN: $SNYK_TOKEN\n              LANGUAGE: npm\n"), "", "", ""},
		{"bitbucket cargo audit in a parallel step", with(map[string]string{"Cargo.toml": "[dependencies]\nserde = '1'\n", "Cargo.lock": ""},
			"bitbucket-pipelines.yml", "pipelines:\n  pull-requests:\n    '**':\n      - parallel:\n          - step:\n              script:\n                - cargo test\n          - step:\n              script:\n                - cargo install cargo-audit && cargo audit\n"), "", "", ""},
		{"circleci govulncheck", with(goRepo, ".circleci/config.yml",
			"version: 2.1\njobs:\n  vuln:\n    docker:\n      - image: cimg/go:1.22\n    steps:\n      - checkout\n      - run:\n          name: govulncheck\n          command: go run golang.org/x/vuln/cmd/govulncheck@latest ./...\nworkflows:\n  main:\n    jobs: [vuln]\n"), "", "", ""},
		{"circleci snyk orb", with(npmRepo, ".circleci/config.yml",
			"version: 2.1\norbs:\n  snyk: snyk/snyk@2.1.0\njobs:\n  scan:\n    docker:\n      - image: cimg/node:20.11\n    steps:\n      - checkout\n      - snyk/scan\n"), "", "", ""},
		{"azure step disabled", with(npmRepo, "azure-pipelines.yml",
			"trigger: [main]\npool:\n  vmImage: ubuntu-latest\nsteps:\n  - script: npm audit\n    enabled: false\n"), missing, "", ""},
		{"azure snyk task", with(npmRepo, "azure-pipelines.yml",
			"jobs:\n  - job: scan\n    steps:\n      - task: SnykSecurityScan@1\n        inputs:\n          serviceConnectionEndpoint: snyk\n"), "", "", ""},
		{"jenkinsfile composer audit", with(map[string]string{"composer.json": `{"require": {"monolog/monolog": "^3"}}`, "composer.lock": "{}"},
			"Jenkinsfile", "pipeline {\n  agent any\n  stages {\n    stage('Audit') {\n      steps {\n        sh '''\n          composer install\n          composer audit --locked\n        '''\n      }\n    }\n  }\n}\n"), "", "", ""},
		{"jenkinsfile step commented out", with(map[string]string{"composer.json": `{"require": {"monolog/monolog": "^3"}}`, "composer.lock": "{}"},
			"Jenkinsfile", "pipeline {\n  agent any\n  stages {\n    stage('Test') {\n      steps {\n        sh 'vendor/bin/phpunit'\n        // sh 'composer audit'\n        /* sh \"composer audit\" */\n      }\n    }\n  }\n}\n"), missing, "", ""},
		{"ci entry point calling a script that runs posture", with(goRepo,
			".ci/run", "#!/usr/bin/env bash\nset -euo pipefail\ncd \"$(dirname \"$0\")/..\"\nexec ./scripts/test-all\n",
			"scripts/test-all", "#!/usr/bin/env bash\nset -euo pipefail\nstep() { printf '\\n==> %s\\n' \"$*\"; }\nstep \"posture scan . (dogfooding)\"\ngo run ./cmd/posture scan .\n"), "", "", ""},
		{"posture scan without VM-3 is not a vulnerability scan", with(goRepo,
			".ci/run", "#!/bin/sh\ngo run ./cmd/posture scan --only CH-1 .\n"), missing, "", ""},
		{"non-script files under .ci are not CI definitions", with(goRepo,
			".ci/notes.md", "Remember to run govulncheck ./...\n"), missing, "", ""},
	})
}

// The pass is based on concrete steps; check that each is found where it is.
func TestScanCIEvidence(t *testing.T) {
	files := map[string]string{
		".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          go vet ./...\n\n          govulncheck \\\n            ./...\n      - uses: google/osv-scanner-action/osv-scanner-action@v2\n",
		".ci/run":                  "#!/bin/sh\n# CI entry point\nexec scripts/check.sh\n",
		"scripts/check.sh":         "set -e\nnpm ci\nnpm audit || exit 1\n",
		".gitlab-ci.yml":           "include:\n  - template: Security/Dependency-Scanning.gitlab-ci.yml\noff:\n  when: never\n  script:\n    - trivy fs .\n",
	}
	got := stepsOf(t, files)
	want := []string{
		".github/workflows/ci.yml:11 google/osv-scanner-action/osv-scanner-action active",
		".github/workflows/ci.yml:9 govulncheck active",
		".gitlab-ci.yml:2 GitLab template Security/Dependency-Scanning.gitlab-ci.yml active",
		".gitlab-ci.yml:6 trivy fs inactive",
		"scripts/check.sh:3 npm audit via .ci/run active",
	}
	if !slices.Equal(got, want) {
		t.Errorf("steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func stepsOf(t testing.TB, files map[string]string) []string {
	scan := scanCI(context.Background(), memFiles(files))
	var out []string
	for _, s := range scan.steps {
		x := fmt.Sprintf("%s:%d %s", s.Path, s.Line, s.Tool)
		if s.Via != "" {
			x += " via " + s.Via
		}
		if s.Active {
			x += " active"
		} else {
			x += " inactive"
		}
		out = append(out, x)
	}
	sort.Strings(out)
	return out
}

func memFiles(files map[string]string) ciFiles {
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return ciFiles{paths: paths, read: func(p string) ([]byte, error) {
		if d, ok := files[p]; ok {
			return []byte(d), nil
		}
		return nil, fmt.Errorf("%s: no such file", p)
	}}
}

func TestDependencyScanningMessage(t *testing.T) {
	r, err := DependencyScanning{}.Run(context.Background(), tree(t, map[string]string{
		"go.mod":                   goMod,
		".github/workflows/ci.yml": workflow("    if: false\n", "      - run: govulncheck ./...\n"),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 1 {
		t.Fatalf("findings %+v", r.Findings)
	}
	msg := r.Findings[0].Message
	for _, want := range []string{"gomod (go.mod)", "read .github/workflows/ci.yml", "govulncheck at .github/workflows/ci.yml:13 never runs: job test has `if: false`"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
}

func TestDependencyScanningNamesWhatItCannotRead(t *testing.T) {
	r, err := DependencyScanning{}.Run(context.Background(), tree(t, map[string]string{
		"go.mod":         goMod,
		".gitlab-ci.yml": "include:\n  - project: acme/ci-templates\n    file: /security.yml\n  - https://example.com/ci.yml\ntest:\n  script: go test ./...\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 1 || !strings.Contains(r.Findings[0].Message, ".gitlab-ci.yml:2 includes project acme/ci-templates, .gitlab-ci.yml:4 includes https://example.com/ci.yml") {
		t.Fatalf("findings %+v", r.Findings)
	}
}

func TestShellCommands(t *testing.T) {
	cases := []struct {
		script string
		want   string // commands as "line:word word", joined by " | "
	}{
		{"npm ci && npm audit", "1:npm ci | 1:npm audit"},
		{"# npm audit\necho 'npm audit' # npm audit", "2:echo npm audit"},
		{"a \\\n  b\nc", "1:a b | 3:c"},
		{"x=$(govulncheck ./...)\necho \"$(trivy fs .)\" `grype dir:.`", "1:govulncheck ./... | 1:x= | 2:trivy fs . | 2:grype dir:. | 2:echo  "},
		{"cat <<EOF > notes\nnpm audit\nEOF\npip-audit", "1:cat | 4:pip-audit"},
		{"cat <<-'X'\n\tnpm audit\n\tX\ndone", "1:cat | 4:done"},
		{"npm audit 2>&1 | tee out; [ $? -eq 0 ]", "1:npm audit | 1:tee out | 1:[ $? -eq 0 ]"},
		{"echo ${HOME} 'unterminated", "1:echo ${HOME} unterminated"},
	}
	for _, c := range cases {
		var got []string
		for _, cmd := range shellCommands(c.script) {
			got = append(got, fmt.Sprintf("%d:%s", cmd.line, strings.Join(cmd.words, " ")))
		}
		if g := strings.Join(got, " | "); g != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.script, g, c.want)
		}
	}
}

func TestAnalyseCommand(t *testing.T) {
	cases := map[string]string{
		"osv-scanner scan source -r .":                          "osv-scanner",
		"osv-scanner --version":                                 "",
		"./bin/trivy fs --exit-code 1 .":                        "trivy fs",
		"trivy image --scanners vuln,secret app:latest":         "trivy image",
		"trivy config .":                                        "",
		"trivy fs --scanners=misconfig .":                       "",
		"grype dir:.":                                           "grype",
		"grype db update":                                       "",
		"npm --prefix web audit --omit=dev":                     "npm audit",
		"npm run audit":                                         "",
		"yarn npm audit --all":                                  "yarn npm audit",
		"pnpm audit":                                            "pnpm audit",
		"composer audit --locked":                               "composer audit",
		"python -m pip_audit -r requirements.txt":               "pip-audit",
		"pipx run pip-audit":                                    "pip-audit",
		"uv tool run pip-audit":                                 "pip-audit",
		"poetry run safety check":                               "safety check",
		"bundle exec bundle-audit check --update":               "bundle-audit",
		"bundle audit":                                          "bundle audit",
		"cargo audit --deny warnings":                           "cargo audit",
		"cargo deny check":                                      "cargo deny",
		"cargo deny check licenses bans":                        "",
		"cargo deny --all-features check advisories":            "cargo deny",
		"go run golang.org/x/vuln/cmd/govulncheck@v1.1.3 ./...": "govulncheck",
		"go tool govulncheck ./...":                             "govulncheck",
		"sudo -E env CI=1 timeout 10m govulncheck ./...":        "govulncheck",
		"GOFLAGS=-mod=mod govulncheck ./...":                    "govulncheck",
		"go run ./cmd/posture scan .":                           "posture scan",
		"posture scan --skip VM-3 .":                            "",
		"posture scan --only=VM .":                              "posture scan",
		"snyk test --severity-threshold=high":                   "snyk test",
		"snyk code test":                                        "",
		"snyk container test app:1":                             "snyk container test",
		"./mvnw org.owasp:dependency-check-maven:check":         "OWASP dependency-check (Maven)",
		"./gradlew :app:dependencyCheckAnalyze":                 "OWASP dependency-check (Gradle)",
		"dotnet list package --vulnerable --include-transitive": "dotnet list package --vulnerable",
		"npx --yes audit-ci --high":                             "audit-ci",
		"if npm audit; then":                                    "npm audit",
		"echo npm audit":                                        "",
	}
	for cmd, want := range cases {
		cmds := shellCommands(cmd)
		got := ""
		if len(cmds) > 0 {
			got = analyseCommand(cmds[0].words).tool
		}
		if got != want {
			t.Errorf("%q: tool %q, want %q", cmd, got, want)
		}
	}
	if u := analyseCommand([]string{"bash", "-ec", "npm audit"}); u.inline != "npm audit" {
		t.Errorf("bash -ec: %+v", u)
	}
	if u := analyseCommand([]string{"bash", "scripts/audit.sh"}); u.script != "scripts/audit.sh" {
		t.Errorf("bash script: %+v", u)
	}
}

func TestGroovySteps(t *testing.T) {
	src := "// sh 'npm audit'\nnode {\n  sh(script: \"npm ci\", returnStatus: true)\n  /* bat 'x'\n  */ bat \"\"\"\n    npm audit\n  \"\"\"\n  def url = 'http://x' // sh 'y'\n  snykSecurity(snykInstallation: 'snyk')\n}\n"
	var got []string
	for _, s := range groovySteps(src) {
		got = append(got, fmt.Sprintf("%d:%q:%s", s.line, s.text, s.tool))
	}
	want := []string{`3:"npm ci":`, `5:"\n    npm audit\n  ":`, `9:"":Jenkins step snykSecurity`}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestParseYAMLMergeKeysAndAliases(t *testing.T) {
	docs, err := parseYAML([]byte("base: &b\n  script: [npm audit]\n  when: manual\njob:\n  <<: *b\n  when: always\nlist: [*b, *b]\n"))
	if err != nil {
		t.Fatal(err)
	}
	job := docs[0].Get("job")
	if job.Get("when").Text() != "always" || job.Get("script").Items[0].Text() != "npm audit" {
		t.Errorf("merge key: %+v", job)
	}
	if l := docs[0].Get("list"); len(l.Items) != 2 || l.Items[0].Get("when").Text() != "manual" {
		t.Errorf("aliases: %+v", l)
	}
}

// GitLab and GitHub reject a file with an alias to an undefined anchor, so its jobs never
// run: it is a problem at the alias's line, not a file whose scanners count.
func TestCIUndefinedAliasIsAProblem(t *testing.T) {
	files := map[string]string{".gitlab-ci.yml": "audit:\n  script: [npm audit]\n  rules: *missing\n"}
	scan := scanCI(context.Background(), memFiles(files))
	want := []string{".gitlab-ci.yml:3: alias *missing refers to an undefined anchor"}
	if !slices.Equal(scan.problems, want) || len(scan.steps) != 0 {
		t.Errorf("problems = %q, steps = %+v; want %q and no steps", scan.problems, scan.steps, want)
	}
}

// A CI file is read from whoever can push to the repository: no input may crash the scan.
func FuzzCIDefinitions(f *testing.F) {
	f.Add(".github/workflows/ci.yml", []byte(workflow("    if: ${{ false }}\n", "      - run: |\n          npm audit <<EOF\n          x\n          EOF\n      - uses: ./.github/workflows/ci.yml\n")))
	f.Add(".gitlab-ci.yml", []byte("include:\n  - local: .gitlab-ci.yml\n  - template: Security/Dependency-Scanning.gitlab-ci.yml\na: &a\n  extends: [a, .b]\n  script: [!reference [a, script], \"$(`trivy fs .`)\"]\n.b: *a\n"))
	f.Add("bitbucket-pipelines.yml", []byte("pipelines:\n  default:\n    - step: &s\n        script:\n          - pipe: snyk/snyk-scan:1\n    - parallel: [{step: *s}]\n"))
	f.Add(".circleci/config.yml", []byte("orbs: {snyk: snyk/snyk@2}\njobs:\n  j:\n    steps:\n      - snyk/scan\n      - when: {condition: false, steps: [{run: {command: cargo audit}}]}\n"))
	f.Add("azure-pipelines.yml", []byte("stages:\n- stage: a\n  condition: false\n  jobs:\n  - job: b\n    steps:\n    - bash: cargo deny check\n    - task: SnykSecurityScan@1\n"))
	f.Add("Jenkinsfile", []byte("sh '''\\\nnpm audit'''\nsh(script: \"\"\"x\ny\"\"\" /* */ // \n"))
	f.Add(".ci/run", []byte("#!/bin/sh\nbash -c \"$(sh -c 'npm audit')\" && . ./.ci/run\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		files := map[string]string{name: string(data), ".ci/run": "#!/bin/sh\n./" + name + "\n"}
		scan := scanCI(context.Background(), memFiles(files))
		for _, s := range scan.steps {
			if s.Line < 0 || s.Tool == "" || s.Path == "" {
				t.Fatalf("bad step %+v", s)
			}
		}
		for _, c := range shellCommands(string(data)) {
			if c.line < 1 || len(c.words) == 0 {
				t.Fatalf("bad command %+v", c)
			}
			analyseCommand(c.words)
		}
	})
}
