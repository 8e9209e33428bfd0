package vulndb

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultMirror is the public bucket the OSV project publishes per-ecosystem archives in.
const DefaultMirror = "https://osv-vulnerabilities.storage.googleapis.com"

// DefaultEcosystems are the ecosystems whose lockfiles posture reads.
var DefaultEcosystems = []string{"crates.io", "Go", "npm", "Packagist", "PyPI", "RubyGems"}

// UpdateOptions configures a download.
type UpdateOptions struct {
	Mirror     string // base URL; <Mirror>/<Ecosystem>/all.zip
	Ecosystems []string
	Client     *http.Client
	Progress   Progress
	Now        func() time.Time
}

// Progress receives download progress; total is -1 when unknown.
type Progress interface {
	Start(ecosystem string, have, total int64)
	Advance(n int64)
	Done(ecosystem string, outcome string)
}

// partialState is kept beside a partial download so it can resume only against the
// same object: a changed ETag means the bytes on disk belong to another file.
type partialState struct {
	URL  string `json:"url"`
	ETag string `json:"etag"`
	Size int64  `json:"size"`
}

// Update downloads each ecosystem's archive (resuming interrupted downloads, skipping
// unchanged ones), verifies it, and rebuilds the index from every archive. An ecosystem
// that fails keeps its previous archive; the error says which failed and why.
func Update(ctx context.Context, dir string, opts UpdateOptions) (*Meta, error) {
	if opts.Mirror == "" {
		opts.Mirror = DefaultMirror
	}
	if len(opts.Ecosystems) == 0 {
		opts.Ecosystems = DefaultEcosystems
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 30 * time.Minute}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Join(dir, archivesDir), 0o755); err != nil {
		return nil, err
	}
	unlock, err := lock(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	sources, err := loadSources(dir)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, eco := range opts.Ecosystems {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		name := unsafeName.ReplaceAllString(eco, "_") + ".zip"
		var prev *Source
		for i := range sources {
			if sources[i].Name == name {
				prev = &sources[i]
			}
		}
		s, err := fetch(ctx, dir, name, strings.TrimRight(opts.Mirror, "/")+"/"+eco+"/all.zip", prev, opts)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", eco, err))
			if opts.Progress != nil {
				opts.Progress.Done(eco, "failed: "+err.Error())
			}
			continue
		}
		sources = upsertSource(sources, s)
		if err := saveSources(dir, sources); err != nil {
			return nil, err
		}
	}
	if len(sources) == 0 {
		return nil, errors.Join(errs...)
	}
	meta, err := build(dir, sources, opts.Now())
	if err != nil {
		errs = append(errs, err)
	}
	return meta, errors.Join(errs...)
}

func fetch(ctx context.Context, dir, name, url string, prev *Source, opts UpdateOptions) (Source, error) {
	final := filepath.Join(dir, archivesDir, name)
	part := final + ".partial"
	statePath := part + ".json"
	var st partialState
	if data, err := os.ReadFile(statePath); err == nil {
		_ = json.Unmarshal(data, &st)
	}
	have := int64(0)
	if fi, err := os.Stat(part); err == nil && st.URL == url && st.ETag != "" {
		have = fi.Size()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Source{}, err
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
		req.Header.Set("If-Range", st.ETag)
	} else if prev != nil && prev.ETag != "" && prev.Origin == url {
		if _, err := os.Stat(final); err == nil {
			req.Header.Set("If-None-Match", prev.ETag)
		}
	}
	resp, err := opts.Client.Do(req)
	if err != nil {
		return Source{}, err
	}
	defer resp.Body.Close()
	var flags int
	switch resp.StatusCode {
	case http.StatusNotModified:
		s := *prev
		s.Fetched = opts.Now().UTC()
		if opts.Progress != nil {
			opts.Progress.Done(strings.TrimSuffix(name, ".zip"), "unchanged")
		}
		return s, nil
	case http.StatusPartialContent:
		if have == 0 || !strings.HasPrefix(resp.Header.Get("Content-Range"), "bytes "+strconv.FormatInt(have, 10)+"-") {
			return Source{}, fmt.Errorf("server answered a range that was not asked for (%s)", resp.Header.Get("Content-Range"))
		}
		flags = os.O_WRONLY | os.O_APPEND
	case http.StatusOK:
		have = 0
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	default:
		return Source{}, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	etag := resp.Header.Get("ETag")
	total := int64(-1)
	if resp.ContentLength >= 0 {
		total = have + resp.ContentLength
	}
	if err := writeState(statePath, partialState{URL: url, ETag: etag, Size: total}); err != nil {
		return Source{}, err
	}
	f, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return Source{}, err
	}
	if opts.Progress != nil {
		opts.Progress.Start(strings.TrimSuffix(name, ".zip"), have, total)
	}
	var body io.Reader = resp.Body
	if opts.Progress != nil {
		body = io.TeeReader(resp.Body, progressWriter{opts.Progress})
	}
	_, copyErr := io.Copy(f, body)
	syncErr := f.Sync()
	closeErr := f.Close()
	if err := errors.Join(copyErr, syncErr, closeErr); err != nil {
		// The partial file and its state stay, so the next run resumes from here.
		return Source{}, fmt.Errorf("download interrupted (run the command again to resume): %w", err)
	}
	fi, err := os.Stat(part)
	if err != nil {
		return Source{}, err
	}
	if total >= 0 && fi.Size() != total {
		return Source{}, fmt.Errorf("download is %d bytes, the server announced %d (run again to resume)", fi.Size(), total)
	}
	if err := checkDigests(part, resp.Header.Values("X-Goog-Hash")); err != nil {
		os.Remove(part)
		os.Remove(statePath)
		return Source{}, err
	}
	s := Source{Name: name, Origin: url, Kind: "download", Fetched: opts.Now().UTC(), ETag: etag}
	in, err := os.Open(part)
	if err != nil {
		return Source{}, err
	}
	err = installArchive(dir, &s, func(w io.Writer) error { _, err := io.Copy(w, in); return err })
	in.Close()
	os.Remove(part)
	os.Remove(statePath)
	if err != nil {
		return Source{}, err
	}
	if opts.Progress != nil {
		opts.Progress.Done(strings.TrimSuffix(name, ".zip"), fmt.Sprintf("%d bytes", s.Size))
	}
	return s, nil
}

func writeState(name string, st partialState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return writeFileAtomic(name, data)
}

type progressWriter struct{ p Progress }

func (w progressWriter) Write(b []byte) (int, error) {
	w.p.Advance(int64(len(b)))
	return len(b), nil
}

// checkDigests verifies the whole file against the digests the bucket announces in
// x-goog-hash ("crc32c=<b64>,md5=<b64>"). A response without digests still has to pass
// the zip's own per-entry CRCs when the archive is installed.
func checkDigests(name string, headers []string) error {
	want := map[string]string{}
	for _, h := range headers {
		for _, part := range strings.Split(h, ",") {
			if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok {
				want[strings.ToLower(k)] = v
			}
		}
	}
	if len(want) == 0 {
		return nil
	}
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	m := md5.New()
	c := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	if _, err := io.Copy(io.MultiWriter(m, c), f); err != nil {
		return err
	}
	check := func(algo string, got []byte) error {
		exp, ok := want[algo]
		if !ok {
			return nil
		}
		if base64.StdEncoding.EncodeToString(got) != exp {
			return fmt.Errorf("download fails its %s check (announced %s): discarded, run again", algo, exp)
		}
		return nil
	}
	var crc [4]byte
	binary.BigEndian.PutUint32(crc[:], c.Sum32())
	return errors.Join(check("md5", m.Sum(nil)), check("crc32c", crc[:]))
}
