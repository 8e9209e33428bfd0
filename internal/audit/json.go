package audit

import (
	"encoding/hex"
	"encoding/json"
	"time"
)

// jsonEvent is the export and forwarding form: hashes in hex, time in RFC 3339.
type jsonEvent struct {
	Seq       int64             `json:"seq"`
	Time      string            `json:"time"`
	Actor     string            `json:"actor"`
	Action    string            `json:"action"`
	Object    string            `json:"object"`
	Outcome   Outcome           `json:"outcome"`
	RequestID string            `json:"request_id"`
	Source    string            `json:"source"`
	Details   map[string]string `json:"details,omitempty"`
	PrevHash  string            `json:"prev_hash"`
	Hash      string            `json:"hash"`
}

// MarshalJSON writes the event as one JSON object with hex hashes.
func (e Event) MarshalJSON() ([]byte, error) {
	return json.Marshal(jsonEvent{Seq: e.Seq, Time: e.Time.UTC().Format(time.RFC3339Nano), Actor: e.Actor, Action: e.Action,
		Object: e.Object, Outcome: e.Outcome, RequestID: e.RequestID, Source: e.Source, Details: e.Details,
		PrevHash: hex.EncodeToString(e.PrevHash), Hash: hex.EncodeToString(e.Hash)})
}
