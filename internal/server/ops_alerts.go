package server

import (
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/posture-dev/posture/internal/alert"
	"github.com/posture-dev/posture/internal/jobs"
	"github.com/posture-dev/posture/internal/store"
)

// channelJSON is a channel as the API shows it: never its secret, only whether it has one.
type channelJSON struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	Kind        string       `json:"kind"`
	Config      alert.Config `json:"config"`
	Events      []string     `json:"events"`
	MinSeverity string       `json:"min_severity"`
	Enabled     bool         `json:"enabled"`
	HasSecret   bool         `json:"has_secret"`
	CreatedBy   string       `json:"created_by"`
	CreatedAt   string       `json:"created_at"`
	// Secret is set only in the answer to creating a webhook or Slack channel: the HMAC
	// key the receiver verifies signatures with, shown this once.
	Secret string `json:"secret,omitempty"`
}

func toChannelJSON(c alert.Channel) channelJSON {
	return channelJSON{ID: c.ID, Name: c.Name, Kind: c.Kind, Config: c.Config, Events: c.Events, MinSeverity: c.MinSeverity,
		Enabled: c.Enabled, HasSecret: c.HasSecret, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt.UTC().Format(apiTime)}
}

func (o *Ops) apiChannels(w http.ResponseWriter, r *http.Request) {
	list, err := o.ch.List(r.Context())
	if err != nil {
		o.s.unavailable(w, r, false, "listing channels", err)
		return
	}
	out := make([]channelJSON, 0, len(list))
	for _, c := range list {
		out = append(out, toChannelJSON(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"channels": out})
}

func (o *Ops) alertsPage(w http.ResponseWriter, r *http.Request) {
	chans, err := o.ch.List(r.Context())
	if err != nil {
		o.s.unavailable(w, r, true, "listing channels", err)
		return
	}
	dels, err := alert.Deliveries(r.Context(), o.s.st, 100)
	if err != nil {
		o.s.unavailable(w, r, true, "listing deliveries", err)
		return
	}
	names := map[int64]string{}
	for _, c := range chans {
		names[c.ID] = c.Name
	}
	o.s.page(w, r, "ops-alerts", "Alerts", map[string]any{"Channels": chans, "Deliveries": dels, "ChannelNames": names,
		"Kinds": alert.Kinds, "Severities": []string{"info", "low", "medium", "high", "critical"}})
}

// splitList reads a comma- or space-separated list.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// channelCreate adds a channel. Webhook and Slack channels get a fresh random HMAC key,
// shown once in the answer and stored only wrapped by the key provider; an e-mail
// channel's SMTP password is typed in and never shown again.
func (o *Ops) channelCreate(w http.ResponseWriter, r *http.Request) {
	in, err := input(r)
	if err != nil {
		o.s.fail(w, r, !isAPI(r), http.StatusBadRequest, "Channel not created", err.Error())
		return
	}
	ci := alert.ChannelInput{Name: strings.TrimSpace(in["name"]), Kind: in["kind"], Events: splitList(in["events"]), MinSeverity: in["min_severity"],
		CreatedBy: PrincipalFrom(r.Context()).Actor(),
		Config:    alert.Config{URL: strings.TrimSpace(in["url"]), Addr: strings.TrimSpace(in["addr"]), From: strings.TrimSpace(in["from"]), To: splitList(in["to"]), Username: in["username"]}}
	var shown string
	switch ci.Kind {
	case alert.Webhook, alert.Slack:
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			o.s.unavailable(w, r, !isAPI(r), "random secret", err)
			return
		}
		shown = "phk_" + base64.RawURLEncoding.EncodeToString(b)
		ci.Secret = []byte(shown)
	case alert.Email:
		if p := in["password"]; p != "" {
			ci.Secret = []byte(p)
		}
	}
	object := "alert-channel:" + fmt.Sprintf("%q", truncate(ci.Name, 100))
	// The destination is not put in the audit detail: a Slack URL's path is a token.
	if !o.audit(w, r, "alert.channel.create", object, "kind "+truncate(ci.Kind, 20)) {
		return
	}
	var ch alert.Channel
	err = o.s.st.InTx(r.Context(), func(tx *store.Tx) error {
		var err error
		ch, err = o.ch.CreateTx(r.Context(), tx, ci)
		return err
	})
	switch {
	case errors.Is(err, store.ErrInvalid):
		msg := strings.TrimPrefix(err.Error(), store.ErrInvalid.Error()+": ")
		o.refuse(w, r, "alert.channel.create", object, http.StatusBadRequest, "Channel not created", msg)
		return
	case errors.Is(err, store.ErrConflict) || err != nil && strings.Contains(err.Error(), "UNIQUE"):
		o.refuse(w, r, "alert.channel.create", object, http.StatusConflict, "Channel not created", "a channel with that name exists")
		return
	case err != nil:
		_ = o.s.Audit(r, "alert.channel.create", object, OutcomeError, "not created")
		// The error may come from the key provider; it never holds the secret.
		o.s.unavailable(w, r, !isAPI(r), "creating channel", err)
		return
	}
	out := toChannelJSON(ch)
	out.Secret = shown
	if isAPI(r) {
		writeJSON(w, http.StatusCreated, out)
		return
	}
	o.s.page(w, r, "ops-channel-created", "Channel created", map[string]any{"Channel": ch, "Secret": shown})
}

func (o *Ops) channelByID(w http.ResponseWriter, r *http.Request) (alert.Channel, bool) {
	id, ok := pathID(r)
	if ok {
		list, err := o.ch.List(r.Context())
		if err != nil {
			o.s.unavailable(w, r, !isAPI(r), "listing channels", err)
			return alert.Channel{}, false
		}
		for _, c := range list {
			if c.ID == id {
				return c, true
			}
		}
	}
	o.s.fail(w, r, !isAPI(r), http.StatusNotFound, "No such channel", "")
	return alert.Channel{}, false
}

func (o *Ops) channelDelete(w http.ResponseWriter, r *http.Request) {
	ch, ok := o.channelByID(w, r)
	if !ok {
		return
	}
	object := "alert-channel:" + itoa(ch.ID)
	if !o.audit(w, r, "alert.channel.delete", object, fmt.Sprintf("%q", truncate(ch.Name, 100))) {
		return
	}
	if err := o.s.st.InTx(r.Context(), func(tx *store.Tx) error { return alert.DeleteChannelTx(r.Context(), tx, ch.ID) }); err != nil {
		_ = o.s.Audit(r, "alert.channel.delete", object, OutcomeError, "not deleted")
		o.s.unavailable(w, r, !isAPI(r), "deleting channel", err)
		return
	}
	o.done(w, r, http.StatusOK, map[string]any{"deleted": ch.ID}, "/ops/alerts")
}

// channelTest sends a test event to one channel, whatever kinds it subscribes to, as an
// ordinary delivery (retried and logged like any other).
func (o *Ops) channelTest(w http.ResponseWriter, r *http.Request) {
	ch, ok := o.channelByID(w, r)
	if !ok {
		return
	}
	object := "alert-channel:" + itoa(ch.ID)
	if !o.audit(w, r, "alert.channel.test", object, "test alert requested") {
		return
	}
	now := o.s.now().UTC().Truncate(time.Second)
	p := PrincipalFrom(r.Context())
	e := alert.Event{Kind: alert.KindTest, Key: "test:" + itoa(ch.ID) + ":" + strconv.FormatInt(now.UnixNano(), 36), Severity: "info",
		Subject: "posture test alert", Text: "A test alert requested by " + p.Actor() + ". If you read this, the channel works.", At: now}
	var id int64
	err := o.s.st.InTx(r.Context(), func(tx *store.Tx) error {
		var err error
		id, err = enqueueDeliveryTx(r, tx, o, ch.ID, e)
		return err
	})
	if err != nil {
		_ = o.s.Audit(r, "alert.channel.test", object, OutcomeError, "not enqueued")
		o.s.unavailable(w, r, !isAPI(r), "test alert", err)
		return
	}
	o.done(w, r, http.StatusAccepted, map[string]any{"delivery_id": id}, "/ops/alerts/deliveries/"+itoa(id))
}

// enqueueDeliveryTx writes one pending delivery to one channel and its alert.deliver job,
// as alert.Notifier.NotifyTx does for each subscribed channel; a test goes to the chosen
// channel only, which NotifyTx (by subscription) cannot express.
func enqueueDeliveryTx(r *http.Request, tx *store.Tx, o *Ops, channelID int64, e alert.Event) (int64, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return 0, err
	}
	d := tx.Dialect()
	now := o.s.now()
	var id int64
	if err := tx.QueryRow(r.Context(), `INSERT INTO alert_deliveries (channel_id, event_kind, event_key, event, state, created_at, updated_at)
VALUES (?, ?, ?, ?, 'pending', ?, ?) RETURNING id`, channelID, e.Kind, e.Key, string(body), d.TimeValue(now), d.TimeValue(now)).Scan(&id); err != nil {
		return 0, err
	}
	_, _, err = o.q.EnqueueTx(r.Context(), tx, jobsSpecDeliver(id))
	return id, err
}

// --- deliveries

type deliveryJSON struct {
	ID        int64        `json:"id"`
	ChannelID int64        `json:"channel_id"`
	Kind      string       `json:"kind"`
	Key       string       `json:"key"`
	State     string       `json:"state"`
	Attempts  int          `json:"attempts"`
	LastError string       `json:"last_error,omitempty"`
	CreatedAt string       `json:"created_at"`
	SentAt    string       `json:"sent_at,omitempty"`
	Runs      []jobRunJSON `json:"runs,omitempty"`
}

func toDeliveryJSON(d alert.Delivery) deliveryJSON {
	out := deliveryJSON{ID: d.ID, ChannelID: d.ChannelID, Kind: d.Kind, Key: d.Key, State: d.State, Attempts: d.Attempts, LastError: d.LastError,
		CreatedAt: d.CreatedAt.UTC().Format(apiTime)}
	if !d.SentAt.IsZero() {
		out.SentAt = d.SentAt.UTC().Format(apiTime)
	}
	return out
}

func (o *Ops) apiDeliveries(w http.ResponseWriter, r *http.Request) {
	list, err := alert.Deliveries(r.Context(), o.s.st, 200)
	if err != nil {
		o.s.unavailable(w, r, false, "listing deliveries", err)
		return
	}
	out := make([]deliveryJSON, 0, len(list))
	for _, d := range list {
		out = append(out, toDeliveryJSON(d))
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": out})
}

// delivery returns one delivery and the runs of its job: each attempt to send it.
func (o *Ops) delivery(w http.ResponseWriter, r *http.Request) (alert.Delivery, []store.JobRun, bool) {
	id, ok := pathID(r)
	if !ok {
		o.s.fail(w, r, !isAPI(r), http.StatusNotFound, "No such delivery", "")
		return alert.Delivery{}, nil, false
	}
	var d alert.Delivery
	var sent any
	err := o.s.st.QueryRow(r.Context(), `SELECT id, channel_id, event_kind, event_key, state, attempts, last_error, created_at, sent_at FROM alert_deliveries WHERE id = ?`, id).
		Scan(&d.ID, &d.ChannelID, &d.Kind, &d.Key, &d.State, &d.Attempts, &d.LastError, store.TimeScanner(&d.CreatedAt), &sent)
	if errors.Is(err, sql.ErrNoRows) {
		o.s.fail(w, r, !isAPI(r), http.StatusNotFound, "No such delivery", "")
		return alert.Delivery{}, nil, false
	}
	if err == nil && sent != nil {
		err = store.TimeScanner(&d.SentAt).Scan(sent)
	}
	if err != nil {
		o.s.unavailable(w, r, !isAPI(r), "reading delivery", err)
		return alert.Delivery{}, nil, false
	}
	var runs []store.JobRun
	if jid, err := o.s.st.JobByDedupKey(r.Context(), "alert:"+itoa(id)); err == nil {
		if runs, err = o.s.st.JobRuns(r.Context(), jid); err != nil {
			o.s.unavailable(w, r, !isAPI(r), "reading delivery attempts", err)
			return alert.Delivery{}, nil, false
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		o.s.unavailable(w, r, !isAPI(r), "reading delivery job", err)
		return alert.Delivery{}, nil, false
	}
	return d, runs, true
}

func (o *Ops) apiDelivery(w http.ResponseWriter, r *http.Request) {
	d, runs, ok := o.delivery(w, r)
	if !ok {
		return
	}
	out := toDeliveryJSON(d)
	out.Runs = toRunsJSON(runs)
	writeJSON(w, http.StatusOK, out)
}

func (o *Ops) deliveryPage(w http.ResponseWriter, r *http.Request) {
	d, runs, ok := o.delivery(w, r)
	if !ok {
		return
	}
	o.s.page(w, r, "ops-delivery", fmt.Sprintf("Delivery %d", d.ID), map[string]any{"Delivery": d, "Runs": runs})
}

// jobsSpecDeliver is the alert.deliver job of a delivery, with the payload and dedup key
// alert.Notifier uses, so that the deliverer treats it like any other.
func jobsSpecDeliver(deliveryID int64) jobs.Spec {
	return jobs.Spec{Kind: alert.DeliverKind, Payload: map[string]int64{"delivery_id": deliveryID}, DedupKey: "alert:" + itoa(deliveryID), MaxAttempts: alert.MaxAttempts}
}
