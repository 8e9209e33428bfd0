package vulndb

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/posture-dev/posture/internal/osv"
)

const (
	indexFile   = "osv.idx"
	archivesDir = "archives"
	sourcesFile = "sources.json"
)

// DefaultDir is where the database lives unless --db or POSTURE_DB says otherwise.
func DefaultDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "posture", "osv")
	}
	return filepath.Join(os.TempDir(), "posture-osv")
}

// DB is an open database. A lookup that finds a damaged record rebuilds the index from
// the archives once and retries, so damage is repaired rather than silently skipped.
type DB struct {
	dir string
	now time.Time
	mu  sync.RWMutex
	ix  *Index
	// Rebuilt says the index was found damaged and rebuilt from the archives.
	Rebuilt bool
}

// Open opens the database in dir. A corrupt index is rebuilt from the archives kept
// beside it; if that fails the error says so and the index is not used.
func Open(dir string, now time.Time) (*DB, error) {
	db := &DB{dir: dir, now: now}
	ix, err := openIndex(filepath.Join(dir, indexFile))
	if errors.Is(err, ErrCorrupt) {
		ix, err = db.rebuild(err)
	}
	if err != nil {
		return nil, err
	}
	db.ix = ix
	return db, nil
}

func (db *DB) rebuild(cause error) (*Index, error) {
	if _, err := Rebuild(db.dir, db.now); err != nil {
		return nil, fmt.Errorf("%w; rebuilding from the archives failed: %v", cause, err)
	}
	ix, err := openIndex(filepath.Join(db.dir, indexFile))
	if err == nil {
		db.Rebuilt = true
	}
	return ix, err
}

// Meta describes the open index.
func (db *DB) Meta() Meta {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.ix.Meta
}

// Lookup returns the records that name a package.
func (db *DB) Lookup(ecosystem, name string) ([]osv.Vulnerability, error) {
	db.mu.RLock()
	ix := db.ix
	vs, err := ix.Lookup(ecosystem, name)
	db.mu.RUnlock()
	if !errors.Is(err, ErrCorrupt) {
		return vs, err
	}
	db.mu.Lock()
	if db.ix == ix {
		fresh, rerr := db.rebuild(err)
		if rerr != nil {
			db.mu.Unlock()
			return nil, rerr
		}
		ix.Close()
		db.ix = fresh
	}
	db.mu.Unlock()
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.ix.Lookup(ecosystem, name)
}

// Packages is the number of distinct packages with at least one record.
func (db *DB) Packages() int {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.ix.Packages()
}

// Close releases the index.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.ix.Close()
}

// Status reads the metadata of the database in dir without rebuilding anything.
func Status(dir string) (*Meta, error) {
	ix, err := openIndex(filepath.Join(dir, indexFile))
	if err != nil {
		return nil, err
	}
	defer ix.Close()
	m := ix.Meta
	return &m, nil
}

// Rebuild derives the index again from the archives recorded in sources.json.
func Rebuild(dir string, now time.Time) (*Meta, error) {
	unlock, err := lock(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	sources, err := loadSources(dir)
	if err != nil {
		return nil, err
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("%w in %s: no archives to build from", ErrNotFound, dir)
	}
	return build(dir, sources, now)
}

func loadSources(dir string) ([]Source, error) {
	data, err := os.ReadFile(filepath.Join(dir, archivesDir, sourcesFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s []Source
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, archivesDir, sourcesFile), err)
	}
	return s, nil
}

func saveSources(dir string, sources []Source) error {
	sort.Slice(sources, func(i, j int) bool { return sources[i].Name < sources[j].Name })
	data, err := json.MarshalIndent(sources, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, archivesDir, sourcesFile), data)
}

func upsertSource(sources []Source, s Source) []Source {
	for i := range sources {
		if sources[i].Name == s.Name {
			sources[i] = s
			return sources
		}
	}
	return append(sources, s)
}

func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// Import loads OSV records for air-gapped use from a zip, a directory of JSON files (any
// depth), a directory of zips (the layout the OSV buckets and osv-scanner's offline cache
// use), or one JSON file, keeps them as archives, and rebuilds the index. asOf, when not
// zero, is the date of the snapshot, for records that carry no "modified" date.
func Import(dir, src string, now, asOf time.Time) (*Meta, error) {
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
	st, err := os.Stat(src)
	if err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(src)
	var added []Source
	if !st.IsDir() {
		s, err := importFile(dir, abs, now)
		if err != nil {
			return nil, err
		}
		added = append(added, s)
	} else {
		var zips, jsons []string
		err := filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() {
				switch strings.ToLower(filepath.Ext(p)) {
				case ".zip":
					zips = append(zips, p)
				case ".json":
					jsons = append(jsons, p)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", src, err)
		}
		for _, z := range zips {
			s, err := importFile(dir, z, now)
			if err != nil {
				return nil, err
			}
			added = append(added, s)
		}
		if len(jsons) > 0 {
			s, err := zipJSONDir(dir, abs, jsons, now)
			if err != nil {
				return nil, err
			}
			added = append(added, s)
		}
	}
	if len(added) == 0 {
		return nil, fmt.Errorf("%s holds no OSV JSON files or zips", src)
	}
	for _, s := range added {
		s.AsOf = asOf.UTC()
		sources = upsertSource(sources, s)
	}
	if err := saveSources(dir, sources); err != nil {
		return nil, err
	}
	return build(dir, sources, now)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// archiveName names an imported archive after where it came from, so importing the same
// source again replaces it rather than adding a duplicate.
func archiveName(src string) string {
	base := filepath.Base(src)
	if strings.EqualFold(base, "all.zip") {
		base = filepath.Base(filepath.Dir(src)) + "-all.zip"
	}
	if !strings.HasSuffix(strings.ToLower(base), ".zip") {
		base += ".zip"
	}
	return "import-" + unsafeName.ReplaceAllString(base, "_")
}

func importFile(dir, src string, now time.Time) (Source, error) {
	name := archiveName(src)
	if strings.EqualFold(filepath.Ext(src), ".json") {
		return zipJSONFiles(dir, name, src, []string{src}, filepath.Dir(src), now)
	}
	f, err := os.Open(src)
	if err != nil {
		return Source{}, err
	}
	defer f.Close()
	s := Source{Name: name, Origin: src, Kind: "import", Fetched: now.UTC()}
	return s, installArchive(dir, &s, func(w io.Writer) error { _, err := io.Copy(w, f); return err })
}

func zipJSONDir(dir, root string, files []string, now time.Time) (Source, error) {
	return zipJSONFiles(dir, archiveName(root), root, files, root, now)
}

func zipJSONFiles(dir, name, origin string, files []string, root string, now time.Time) (Source, error) {
	s := Source{Name: name, Origin: origin, Kind: "import", Fetched: now.UTC()}
	return s, installArchive(dir, &s, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		for _, p := range files {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				rel = filepath.Base(p)
			}
			fw, err := zw.Create(filepath.ToSlash(rel))
			if err != nil {
				return err
			}
			in, err := os.Open(p)
			if err != nil {
				return err
			}
			_, err = io.Copy(fw, in)
			in.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
		}
		return zw.Close()
	})
}

// installArchive writes an archive through fill into a temporary file, checks that it is
// a readable zip whose every entry passes its CRC, and only then moves it into place.
func installArchive(dir string, s *Source, fill func(io.Writer) error) error {
	final := filepath.Join(dir, archivesDir, s.Name)
	tmp, err := os.CreateTemp(filepath.Dir(final), ".archive-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(tmp, h)}
	if err := fill(cw); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", s.Origin, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	newest, err := verifyZip(tmp.Name())
	if err != nil {
		return fmt.Errorf("%s is not a usable OSV archive: %w", s.Origin, err)
	}
	s.SHA256, s.Size, s.Newest = hex.EncodeToString(h.Sum(nil)), cw.n, newest
	return os.Rename(tmp.Name(), final)
}

// verifyZip reads every entry (which makes archive/zip check each CRC-32) and returns the
// newest "modified" time found, so an archive's freshness is known before it is used.
func verifyZip(name string) (time.Time, error) {
	zr, err := zip.OpenReader(name)
	if err != nil {
		return time.Time{}, err
	}
	defer zr.Close()
	var newest time.Time
	jsons := 0
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return newest, fmt.Errorf("%s: %w", zf.Name, err)
		}
		var head struct {
			Modified time.Time `json:"modified"`
		}
		isJSON := strings.EqualFold(filepath.Ext(zf.Name), ".json")
		if isJSON && zf.UncompressedSize64 <= maxRecordSize {
			data, rerr := io.ReadAll(rc)
			err = rerr
			if err == nil && json.Unmarshal(data, &head) == nil && head.Modified.After(newest) {
				newest = head.Modified
			}
			jsons++
		} else {
			_, err = io.Copy(io.Discard, rc)
		}
		rc.Close()
		if err != nil {
			return newest, fmt.Errorf("%s: %w", zf.Name, err)
		}
	}
	if jsons == 0 {
		return newest, errors.New("it holds no .json records")
	}
	return newest, nil
}
