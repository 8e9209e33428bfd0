package backup

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"filippo.io/age"
)

// maxManifest bounds the manifest read into memory from an archive.
const maxManifest = 64 << 20

// ErrCorrupt is wrapped by every error that says the archive is not what its manifest
// claims (or cannot be decrypted into a posture backup at all).
var ErrCorrupt = errors.New("backup: archive is damaged or not a posture backup")

// walk decrypts an archive and calls fn for every entry before the manifest, with a
// reader of its content; it then checks every entry's size and SHA-256 against the
// manifest and returns the manifest. fn may leave the content unread (it is hashed
// anyway). age authenticates every 64 KiB chunk and the end of the stream, so a
// modified or truncated archive fails here too.
func walk(r io.Reader, ids []age.Identity, fn func(name string, mode int64, content io.Reader) error) (*Manifest, error) {
	dec, err := age.Decrypt(r, ids...)
	if err != nil {
		return nil, fmt.Errorf("backup: decrypt: %w", err)
	}
	tr := tar.NewReader(dec)
	seen := map[string]Entry{}
	var order []string
	var manifest *Manifest
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		if manifest != nil {
			return nil, fmt.Errorf("%w: entry %q after the manifest", ErrCorrupt, h.Name)
		}
		if h.Typeflag != tar.TypeReg || !safeName(h.Name) {
			return nil, fmt.Errorf("%w: entry %q is not a plain file with a safe name", ErrCorrupt, h.Name)
		}
		if h.Name == manifestName {
			if h.Size > maxManifest {
				return nil, fmt.Errorf("%w: manifest too large", ErrCorrupt)
			}
			var m Manifest
			if err := json.NewDecoder(io.LimitReader(tr, maxManifest)).Decode(&m); err != nil {
				return nil, fmt.Errorf("%w: manifest: %w", ErrCorrupt, err)
			}
			manifest = &m
			continue
		}
		if _, dup := seen[h.Name]; dup {
			return nil, fmt.Errorf("%w: entry %q twice", ErrCorrupt, h.Name)
		}
		hs := sha256.New()
		cr := &countReader{r: io.TeeReader(tr, hs)}
		if fn != nil {
			if err := fn(h.Name, h.Mode, cr); err != nil {
				return nil, err
			}
		}
		if _, err := io.Copy(io.Discard, cr); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, h.Name, err)
		}
		seen[h.Name] = Entry{Name: h.Name, Size: cr.n, SHA256: hex.EncodeToString(hs.Sum(nil))}
		order = append(order, h.Name)
	}
	if manifest == nil {
		return nil, fmt.Errorf("%w: no manifest (truncated?)", ErrCorrupt)
	}
	if manifest.Format != Format {
		return nil, fmt.Errorf("%w: format %q, want %q", ErrCorrupt, manifest.Format, Format)
	}
	var problems []string
	listed := map[string]bool{}
	for _, e := range manifest.Entries {
		listed[e.Name] = true
		got, ok := seen[e.Name]
		switch {
		case !ok:
			problems = append(problems, e.Name+": missing")
		case got.Size != e.Size || got.SHA256 != e.SHA256:
			problems = append(problems, fmt.Sprintf("%s: SHA-256 %s (%d bytes), manifest says %s (%d bytes)", e.Name, short(got.SHA256), got.Size, short(e.SHA256), e.Size))
		}
	}
	for _, n := range order {
		if !listed[n] {
			problems = append(problems, n+": not in the manifest")
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("%w: %s", ErrCorrupt, strings.Join(problems, "; "))
	}
	return manifest, nil
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Verify decrypts an archive and checks every entry against the manifest.
func Verify(r io.Reader, ids ...age.Identity) (*Manifest, error) {
	return walk(r, ids, nil)
}
