// Package backup writes and restores posture serve's backups: one age-encrypted tar
// archive holding a consistent copy of the database and the files of the data directory
// (evidence, keys of the file provider, the local CA), with a manifest of SHA-256 hashes
// (docs/backup.md).
package backup

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/posture-dev/posture/internal/store"
)

// Format names the archive layout in the manifest.
const Format = "posture-backup-v1"

// Names inside the archive.
const (
	manifestName = "manifest.json"
	sqliteName   = "db/posture.db"
	dumpPrefix   = "db/tables/"
	filesPrefix  = "files/"
)

// Manifest describes an archive; it is its last entry, so that every entry before it
// can be hashed while the archive streams.
type Manifest struct {
	Format    string    `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	// Dialect is the database the backup was taken from; a restore goes to the same kind.
	Dialect     string `json:"dialect"`
	ToolVersion string `json:"tool_version,omitempty"`
	// Migrations are the schema versions the database had.
	Migrations []Migration `json:"migrations"`
	Entries    []Entry     `json:"entries"`
}

// Migration is one row of schema_migrations.
type Migration struct {
	Version  int    `json:"version"`
	Checksum string `json:"checksum"`
}

// Entry is one file of the archive.
type Entry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Mode   uint32 `json:"mode,omitempty"`
	// Rows is the row count of a table dump.
	Rows int64 `json:"rows,omitempty"`
}

// Options configure Create.
type Options struct {
	Store *store.Store
	// DataDir's files are archived, except the SQLite database itself (copied
	// consistently instead) and the Skip directories.
	DataDir string
	// Skip are directories of DataDir not archived (relative): by default "backups"
	// (the scheduled backups) and "work" (scan clones).
	Skip []string
	// Recipients encrypt the archive: age X25519 public keys, or a passphrase through
	// age.NewScryptRecipient (alone).
	Recipients  []age.Recipient
	ToolVersion string
	Now         func() time.Time
	// TempDir holds the database copy while the archive is written; default os.TempDir.
	TempDir string
}

// DefaultSkip are the data directory's subdirectories a backup leaves out.
var DefaultSkip = []string{"backups", "work"}

// Create writes an encrypted archive of the store and data directory to w. The database
// copy is consistent (one snapshot) while the server keeps running; files are copied as
// they are when read.
func Create(ctx context.Context, w io.Writer, opt Options) (*Manifest, error) {
	if len(opt.Recipients) == 0 {
		return nil, errors.New("backup: no recipient or passphrase to encrypt with")
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Skip == nil {
		opt.Skip = DefaultSkip
	}
	tmp, err := os.MkdirTemp(opt.TempDir, "posture-backup-")
	if err != nil {
		return nil, fmt.Errorf("backup: temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)

	m := &Manifest{Format: Format, CreatedAt: opt.Now().UTC().Truncate(time.Second), Dialect: opt.Store.Dialect().String(), ToolVersion: opt.ToolVersion}
	if m.Migrations, err = migrations(ctx, opt.Store); err != nil {
		return nil, err
	}
	type pending struct {
		name, src string
		rows      int64
		mode      fs.FileMode
	}
	var files []pending
	switch opt.Store.Dialect() {
	case store.SQLite:
		dst := filepath.Join(tmp, "posture.db")
		// VACUUM INTO writes a consistent, compacted copy from one read transaction,
		// without blocking the server's writers (WAL).
		if _, err := opt.Store.Exec(ctx, `VACUUM INTO ?`, dst); err != nil {
			return nil, fmt.Errorf("backup: copy the SQLite database: %w", err)
		}
		files = append(files, pending{name: sqliteName, src: dst, mode: 0o600})
	case store.Postgres:
		tables, err := Tables(ctx, opt.Store)
		if err != nil {
			return nil, err
		}
		// One REPEATABLE READ snapshot for every table: the dump is the database as of
		// one moment, however much the server writes meanwhile.
		err = opt.Store.InReadTx(ctx, func(tx *store.Tx) error {
			for i, t := range tables {
				p := filepath.Join(tmp, fmt.Sprintf("%04d.jsonl", i))
				f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
				if err != nil {
					return err
				}
				n, err := DumpTable(ctx, tx, t, f)
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return err
				}
				files = append(files, pending{name: fmt.Sprintf("%s%04d_%s.jsonl", dumpPrefix, i, t), src: p, rows: n, mode: 0o600})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("backup: dump PostgreSQL: %w", err)
		}
	}
	if opt.DataDir != "" {
		dataFiles, err := listDataFiles(opt.DataDir, opt.Skip, opt.Store)
		if err != nil {
			return nil, err
		}
		for _, f := range dataFiles {
			files = append(files, pending{name: filesPrefix + f.rel, src: filepath.Join(opt.DataDir, filepath.FromSlash(f.rel)), mode: f.mode})
		}
	}

	enc, err := age.Encrypt(w, opt.Recipients...)
	if err != nil {
		return nil, fmt.Errorf("backup: encrypt: %w", err)
	}
	tw := tar.NewWriter(enc)
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := addFile(tw, p.name, p.src, p.mode, m.CreatedAt)
		if err != nil {
			return nil, fmt.Errorf("backup: %s: %w", p.name, err)
		}
		e.Rows = p.rows
		m.Entries = append(m.Entries, e)
	}
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestName, Mode: 0o600, Size: int64(len(mj)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(mj); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("backup: finish encryption: %w", err)
	}
	return m, nil
}

func addFile(tw *tar.Writer, name, src string, mode fs.FileMode, mtime time.Time) (Entry, error) {
	f, err := os.Open(src)
	if err != nil {
		return Entry{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Entry{}, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: int64(mode.Perm()), Size: fi.Size(), ModTime: mtime, Typeflag: tar.TypeReg}); err != nil {
		return Entry{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tw, h), io.LimitReader(f, fi.Size()))
	if err != nil {
		return Entry{}, err
	}
	if n != fi.Size() {
		// The file shrank while it was read: the header promised more bytes.
		return Entry{}, fmt.Errorf("file changed while it was archived")
	}
	return Entry{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), Mode: uint32(mode.Perm())}, nil
}

type dataFile struct {
	rel  string
	mode fs.FileMode
}

// listDataFiles lists the regular files of dir to archive, relative with '/'. The SQLite
// database and its -wal/-shm files are left out (the consistent copy stands for them),
// and so are symbolic links (they could point anywhere) and the skipped directories.
func listDataFiles(dir string, skip []string, st *store.Store) ([]dataFile, error) {
	var out []dataFile
	skipSet := map[string]bool{}
	for _, s := range skip {
		skipSet[path.Clean(filepath.ToSlash(s))] = true
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if d.IsDir() {
			if skipSet[rel] {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if st.Dialect() == store.SQLite && (rel == "posture.db" || rel == "posture.db-wal" || rel == "posture.db-shm" || rel == "posture.db-journal") {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, dataFile{rel: rel, mode: fi.Mode()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: list %s: %w", dir, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rel < out[j].rel })
	return out, nil
}

func migrations(ctx context.Context, st *store.Store) ([]Migration, error) {
	rows, err := st.Query(ctx, `SELECT version, checksum FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("backup: read schema_migrations: %w", err)
	}
	defer rows.Close()
	var out []Migration
	for rows.Next() {
		var m Migration
		if err := rows.Scan(&m.Version, &m.Checksum); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// safeName reports whether an archive entry name may be written under a directory:
// relative, clean, no "..", no backslashes or NUL.
func safeName(n string) bool {
	return n != "" && !strings.HasPrefix(n, "/") && path.Clean(n) == n && n != "." && n != ".." &&
		!strings.HasPrefix(n, "../") && !strings.ContainsAny(n, "\\\x00") && !strings.Contains(n, "/../")
}
