package containers

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/posture-dev/posture/internal/confparse/dockerfile"
	"github.com/posture-dev/posture/internal/fileset"
	"github.com/posture-dev/posture/internal/finding"
)

// Rules for Dockerfiles.
const (
	RuleBaseLatest     = "dockerfile/base-image-latest"
	RuleBaseNotPinned  = "dockerfile/base-image-not-pinned"
	RuleCopyFromPinned = "dockerfile/copy-from-not-pinned"
	RuleUserMissing    = "dockerfile/user-missing"
	RuleUserRoot       = "dockerfile/user-root"
	RuleUpgradeAtStart = "dockerfile/upgrade-at-start"
)

const fixPinDigest = "Pin the image by digest (name:tag@sha256:…) and let Renovate or Dependabot propose digest updates, so that every build starts from the image that was reviewed."

func (s *scan) dockerfile(f fileset.File) {
	data, err := s.t.Files.Read(f)
	if err != nil {
		s.unknown(err.Error(), ctlImmutable)
		return
	}
	s.found.dockerfiles++
	df, err := dockerfile.Parse(data)
	if err != nil {
		var se *dockerfile.SyntaxError
		if errors.As(err, &se) {
			s.unknown(fmt.Sprintf("%s:%d:%d: %s", fileset.Display(f.Path), se.Line, se.Col, se.Msg), ctlImmutable)
		} else {
			s.unknown(fileset.Display(f.Path)+": "+err.Error(), ctlImmutable)
		}
		return
	}
	s.examined[ctlImmutable] = true
	d := &dockerCheck{s: s, path: f.Path, shown: fileset.Display(f.Path), df: df}
	d.bases()
	d.copyFrom()
	d.user()
	d.startUpgrades()
}

type dockerCheck struct {
	s           *scan
	path, shown string
	df          *dockerfile.File
}

// stageName is how a message starts when it names a stage: the file alone when it has
// one stage.
func (d *dockerCheck) stageName(st *dockerfile.Stage) string {
	if len(d.df.Stages) == 1 {
		return d.shown
	}
	if st == d.df.Final() {
		return fmt.Sprintf("The final stage (%s) of %s", st.Label(), d.shown)
	}
	return fmt.Sprintf("Stage %s of %s", st.Label(), d.shown)
}

// capitalize starts a sentence with a phrase such as "service web in compose.yaml".
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func fromText(in *dockerfile.Instruction) string {
	parts := []string{in.Keyword}
	parts = append(parts, in.Flags...)
	return strings.Join(append(parts, in.Args), " ")
}

// bases reports FROM lines whose image is not pinned by digest.
func (d *dockerCheck) bases() {
	for _, st := range d.df.Stages {
		if st.Parent != nil || st.IsScratch() {
			continue
		}
		ref := parseImage(st.Base)
		if ref.pinned() {
			continue
		}
		where := d.stageName(st)
		if len(st.Unresolved) > 0 {
			d.s.unknown(fmt.Sprintf("%s:%d: FROM %s: %s %s no value in the file, so the base image is chosen at build time; cannot tell if it is pinned by digest",
				d.shown, st.From.Line, st.BaseRaw, strings.Join(st.Unresolved, ", "), hasHave(len(st.Unresolved))), ctlImmutable)
			continue
		}
		resolved := ""
		if st.Base != st.BaseRaw {
			resolved = fmt.Sprintf(" (%s with the ARG defaults)", st.BaseRaw)
		}
		f := finding.Finding{
			Control: ctlImmutable, Key: "FROM " + st.BaseRaw + " " + st.Label(),
			Location: finding.Location{Path: d.path, Line: st.From.Line},
			Evidence: finding.Plain(fromText(st.From)),
		}
		if ref.latest() {
			tag := "has no tag, which means :latest"
			if ref.tag == "latest" {
				tag = "uses the latest tag"
			}
			f.Rule = RuleBaseLatest
			f.Message = fmt.Sprintf("%s is built FROM %s%s, which %s: each build can start from a different image, and nobody reviewed the change.", where, st.Base, resolved, tag)
			f.Fix = "Pin the base image to a version and its digest (FROM name:1.2.3@sha256:…) and let Renovate or Dependabot propose updates."
		} else {
			f.Rule = RuleBaseNotPinned
			f.Message = fmt.Sprintf("%s is built FROM %s%s, a tag that its publisher can move to another image; it is not pinned by digest.", where, st.Base, resolved)
			f.Fix = fixPinDigest
		}
		d.s.add(f)
	}
}

func hasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

// copyFrom reports COPY --from=image that copies out of an unpinned image rather than a
// build stage (COPY --from=composer:2 /usr/bin/composer ...).
func (d *dockerCheck) copyFrom() {
	stages := map[string]bool{}
	for i, st := range d.df.Stages {
		stages[strconv.Itoa(i)] = true
		if st.Name != "" {
			stages[st.Name] = true
		}
	}
	for _, st := range d.df.Stages {
		for _, in := range st.Instructions {
			from, ok := in.Flag("from")
			if !ok || (in.Cmd != "COPY" && in.Cmd != "ADD") || stages[strings.ToLower(from)] || strings.Contains(from, "$") {
				continue
			}
			ref := parseImage(from)
			if ref.pinned() {
				continue
			}
			d.s.add(finding.Finding{
				Control: ctlImmutable, Rule: RuleCopyFromPinned, Key: "COPY --from=" + from + " " + st.Label(),
				Location: finding.Location{Path: d.path, Line: in.Line},
				Evidence: finding.Plain(fromText(in)),
				Message:  fmt.Sprintf("%s copies files out of the image %s (COPY --from), a tag that can be moved to another image; it is not pinned by digest.", d.stageName(st), from),
				Fix:      fixPinDigest,
			})
		}
	}
}

// chain is the final stage and the stages it is built on, final first.
func (d *dockerCheck) chain() []*dockerfile.Stage {
	var out []*dockerfile.Stage
	for st := d.df.Final(); st != nil; st = st.Parent {
		out = append(out, st)
	}
	return out
}

// last finds the last instruction cmd in the final image, looking through the stages it
// is built on.
func (d *dockerCheck) last(cmd string) (*dockerfile.Instruction, *dockerfile.Stage) {
	for _, st := range d.chain() {
		for i := len(st.Instructions) - 1; i >= 0; i-- {
			if st.Instructions[i].Cmd == cmd {
				return st.Instructions[i], st
			}
		}
	}
	return nil, nil
}

// vars returns the ARG and ENV values visible at instruction at in stage st: ENV of the
// stages it is built on, and ARG and ENV of st before at.
func (d *dockerCheck) vars(st *dockerfile.Stage, at *dockerfile.Instruction) func(string) (string, bool) {
	vals := map[string]string{}
	lookup := func(k string) (string, bool) { v, ok := vals[k]; return v, ok }
	chain := []*dockerfile.Stage{}
	for x := st; x != nil; x = x.Parent {
		chain = append([]*dockerfile.Stage{x}, chain...)
	}
	for _, x := range chain {
		for _, in := range x.Instructions {
			if in == at {
				break
			}
			switch {
			case in.Cmd == "ENV":
				for _, kv := range dockerfile.ParseEnv(in.Args) {
					vals[kv[0]], _ = dockerfile.Expand(kv[1], lookup, d.df.Escape)
				}
			case in.Cmd == "ARG" && x == st:
				for _, a := range dockerfile.ParseArgs(in.Args) {
					switch {
					case a.HasDefault:
						vals[a.Name], _ = dockerfile.Expand(a.Default, lookup, d.df.Escape)
					case d.df.Args[a.Name] != "":
						vals[a.Name] = d.df.Args[a.Name]
					}
				}
			}
		}
	}
	return lookup
}

// user reports a final image that runs as root: its last USER is root or 0, or it has no
// USER at all.
func (d *dockerCheck) user() {
	final := d.df.Final()
	in, st := d.last("USER")
	if in == nil {
		chain := d.chain()
		root := chain[len(chain)-1]
		ref := parseImage(root.Base)
		// Distroless :nonroot images set an unprivileged user themselves.
		if strings.Contains(ref.tag, "nonroot") {
			return
		}
		base := root.Base
		if len(root.Unresolved) > 0 {
			base = root.BaseRaw
		}
		why := "the container runs as the base image's user, which is root unless that image sets another"
		if root.IsScratch() {
			why = "the container runs as uid 0: an image built FROM scratch has no other user"
		}
		d.s.add(finding.Finding{
			Control: ctlImmutable, Rule: RuleUserMissing, Key: "USER " + final.Label(),
			Location: finding.Location{Path: d.path, Line: final.From.Line},
			Evidence: finding.Plain(fromText(final.From)),
			Message:  fmt.Sprintf("%s (FROM %s) never sets USER, so %s.", d.stageName(final), base, why),
			Fix:      "Add USER with an unprivileged numeric ID (USER 10001) at the end of the final stage, after the steps that need root.",
		})
		return
	}
	val, unresolved := dockerfile.Expand(in.Args, d.vars(st, in), d.df.Escape)
	name, _, _ := strings.Cut(strings.TrimSpace(val), ":")
	if len(unresolved) > 0 {
		d.s.unknown(fmt.Sprintf("%s:%d: USER %s: %s %s no value in the file; cannot tell if the container runs as root",
			d.shown, in.Line, in.Args, strings.Join(unresolved, ", "), hasHave(len(unresolved))), ctlImmutable)
		return
	}
	if name != "root" && name != "0" {
		return
	}
	d.s.add(finding.Finding{
		Control: ctlImmutable, Rule: RuleUserRoot, Key: "USER " + final.Label(),
		Location: finding.Location{Path: d.path, Line: in.Line},
		Evidence: finding.Plain(in.Keyword + " " + in.Args),
		Message:  fmt.Sprintf("The last USER of %s is %s, so the container runs as root: whoever takes over the process can change the container's code and reach the kernel with every capability it grants.", d.finalName(), in.Args),
		Fix:      "End the final stage with USER and an unprivileged numeric ID (USER 10001); switch to root only in the build steps that need it.",
	})
}

func (d *dockerCheck) finalName() string {
	if len(d.df.Stages) == 1 {
		return d.shown
	}
	return fmt.Sprintf("the final stage (%s) of %s", d.df.Final().Label(), d.shown)
}

// startUpgrades reports package upgrades that run when the container starts: in the
// ENTRYPOINT or CMD itself, or in a script of the repository that they run.
func (d *dockerCheck) startUpgrades() {
	for _, cmd := range []string{"ENTRYPOINT", "CMD"} {
		in, st := d.last(cmd)
		if in == nil {
			continue
		}
		words := in.Words
		text := strings.Join(in.Words, " ")
		if !in.JSON {
			words, text = argv(in.Args), in.Args
		}
		if up := upgradeIn(text); up != "" {
			d.s.add(finding.Finding{
				Control: ctlImmutable, Rule: RuleUpgradeAtStart, Key: cmd + " " + up,
				Location: finding.Location{Path: d.path, Line: in.Line},
				Evidence: finding.Plain(in.Keyword + " … " + up + " …"),
				Message:  fmt.Sprintf("The %s of %s runs %s when the container starts, so each container installs whatever package versions are current that day instead of running the image that was built and tested.", cmd, d.finalName(), up),
				Fix:      "Upgrade packages in a RUN step of the build and rebuild the image regularly; keep package managers out of the start command.",
			})
			continue
		}
		for _, w := range expandShellArgs(words) {
			script := d.script(w, st, in)
			if script == "" {
				continue
			}
			f, _ := d.s.t.Files.Lookup(script)
			data, err := d.s.t.Files.Read(f)
			if err != nil {
				d.s.unknown(err.Error(), ctlImmutable)
				continue
			}
			up, line := scriptUpgrades(data)
			if up == "" {
				continue
			}
			d.s.add(finding.Finding{
				Control: ctlImmutable, Rule: RuleUpgradeAtStart, Key: cmd + " " + script + " " + up,
				Location: finding.Location{Path: script, Line: line},
				Evidence: finding.Plain(up),
				Message: fmt.Sprintf("%s runs %s when the container starts: it is run by the %s of %s (line %d), so each container installs whatever package versions are current that day instead of running the image that was built and tested.",
					fileset.Display(script), up, cmd, d.finalName(), in.Line),
				Fix: "Upgrade packages in a RUN step of the build and rebuild the image regularly; keep package managers out of the start script.",
			})
			break
		}
	}
}

// script maps a word of ENTRYPOINT or CMD to the repository file that the image holds at
// that path, following the COPY and ADD instructions of the final image (the build
// context is taken to be the Dockerfile's directory). It returns "" when there is none.
func (d *dockerCheck) script(word string, st *dockerfile.Stage, at *dockerfile.Instruction) string {
	if word == "" || strings.HasPrefix(word, "-") || strings.Contains(word, "$") {
		return ""
	}
	ctxDir := path.Dir(d.path)
	var stages []*dockerfile.Stage
	for x := st; x != nil; x = x.Parent {
		stages = append([]*dockerfile.Stage{x}, stages...)
	}
	workdir := "/"
	type copied struct {
		srcs []string
		dest string
		dir  bool
	}
	var copies []copied
	for _, x := range stages {
		for _, in := range x.Instructions {
			if in == at {
				break
			}
			switch in.Cmd {
			case "WORKDIR":
				workdir = path.Join(workdir, in.Args)
				if strings.HasPrefix(in.Args, "/") {
					workdir = path.Clean(in.Args)
				}
			case "COPY", "ADD":
				if _, ok := in.Flag("from"); ok || len(in.Heredocs) > 0 {
					continue
				}
				ws := in.Words
				if !in.JSON {
					ws = argv(in.Args)
				}
				if len(ws) < 2 {
					continue
				}
				dest := ws[len(ws)-1]
				isDir := strings.HasSuffix(dest, "/") || len(ws) > 2
				if !strings.HasPrefix(dest, "/") {
					dest = path.Join(workdir, dest)
				}
				copies = append(copies, copied{srcs: ws[:len(ws)-1], dest: path.Clean(dest), dir: isDir})
			}
		}
	}
	abs := word
	if !strings.HasPrefix(abs, "/") {
		abs = path.Join(workdir, abs)
	}
	abs = path.Clean(abs)
	var candidates []string
	for i := len(copies) - 1; i >= 0; i-- {
		c := copies[i]
		switch {
		case abs == c.dest && !c.dir && len(c.srcs) == 1:
			candidates = append(candidates, c.srcs[0])
		case strings.HasPrefix(abs, strings.TrimSuffix(c.dest, "/")+"/"):
			rel := strings.TrimPrefix(abs, strings.TrimSuffix(c.dest, "/")+"/")
			for _, src := range c.srcs {
				candidates = append(candidates, path.Join(src, rel))
				if path.Base(src) == rel {
					candidates = append(candidates, src)
				}
			}
		}
	}
	if strings.HasSuffix(word, ".sh") {
		candidates = append(candidates, path.Base(word))
	}
	for _, c := range candidates {
		p := path.Join(ctxDir, c)
		if strings.HasPrefix(p, "../") || p == ".." {
			continue
		}
		if _, ok := d.s.t.Files.Lookup(p); ok {
			return p
		}
	}
	return ""
}
