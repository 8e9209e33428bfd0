package server

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
)

// FileAuditor appends events as JSON lines to a file and syncs each one before Append
// returns. It is the stand-in until the hash-chained internal/audit log is wired into
// posture serve: durable and fail-closed, but not tamper-evident.
type FileAuditor struct {
	mu sync.Mutex
	f  *os.File
}

// OpenFileAuditor opens (creating, 0600) the JSON-lines audit file at path.
func OpenFileAuditor(path string) (*FileAuditor, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit file: %w", err)
	}
	return &FileAuditor{f: f}, nil
}

// Append implements Auditor.
func (a *FileAuditor) Append(_ context.Context, e Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("audit file: %w", err)
	}
	if err := a.f.Sync(); err != nil {
		return fmt.Errorf("audit file: %w", err)
	}
	return nil
}

// Close closes the file.
func (a *FileAuditor) Close() error { return a.f.Close() }
