package keys

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestFileCreateSignVerify(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", DefaultKeyFile)
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	if di, _ := os.Stat(filepath.Dir(path)); di.Mode().Perm() != 0o700 {
		t.Errorf("key directory mode %v, want 0700", di.Mode().Perm())
	}
	if !strings.HasPrefix(f.KeyID(), "file:") || len(f.KeyID()) != len("file:")+16 {
		t.Errorf("KeyID = %q", f.KeyID())
	}
	msg := []byte("checkpoint")
	sig, err := f.Sign(ctx, msg)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := NewRing(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if err := ring.Verify(f.KeyID(), Ed25519, msg, sig); err != nil {
		t.Errorf("Verify: %v", err)
	}
	if err := ring.Verify(f.KeyID(), Ed25519, []byte("other"), sig); err == nil {
		t.Error("Verify accepted a signature over another message")
	}
	if err := ring.Verify(f.KeyID(), ECDSAP256SHA256, msg, sig); err == nil {
		t.Error("Verify accepted a signature claiming another algorithm")
	}
	if err := ring.Verify("file:0000", Ed25519, msg, sig); err == nil {
		t.Error("Verify accepted an unknown key id")
	}

	// Reopening gives the same key.
	g, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if g.KeyID() != f.KeyID() {
		t.Errorf("reopened key id %s, want %s", g.KeyID(), f.KeyID())
	}
}

func TestFileRefusesReadableKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	if _, err := OpenFile(path); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %v: err = %v, want a refusal", mode, err)
		}
	}
}

func TestFileLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadFile(filepath.Join(dir, "missing")); err == nil {
		t.Error("LoadFile of a missing file succeeded")
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("not pem"), 0o600)
	if _, err := LoadFile(bad); err == nil {
		t.Error("LoadFile of garbage succeeded")
	}
}

func TestFileConcurrentCreateAgrees(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := OpenFile(path)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = f.KeyID()
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("concurrent creation gave different keys: %v", ids)
		}
	}
}

func TestFileWrapUnwrap(t *testing.T) {
	ctx := context.Background()
	f, err := OpenFile(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	dk := bytes.Repeat([]byte{7}, 32)
	w, err := f.Wrap(ctx, dk)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(w, dk) {
		t.Error("wrapped key contains the plaintext")
	}
	got, err := f.Unwrap(ctx, w)
	if err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("Unwrap = %x, %v", got, err)
	}
	w[len(w)-1] ^= 1
	if _, err := f.Unwrap(ctx, w); err == nil {
		t.Error("Unwrap accepted a modified blob")
	}
	if _, err := f.Unwrap(ctx, w[:5]); err == nil {
		t.Error("Unwrap accepted a short blob")
	}
}
