package keys

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// KMSOptions locates an AWS KMS key.
type KMSOptions struct {
	// KeyID is the key's ARN, id or alias ("alias/posture-audit").
	KeyID string
	// Region, e.g. eu-west-1 ($AWS_REGION).
	Region string
	// Credentials; from $AWS_ACCESS_KEY_ID, $AWS_SECRET_ACCESS_KEY, $AWS_SESSION_TOKEN.
	Credentials AWSCredentials
	// Endpoint overrides https://kms.<region>.amazonaws.com (VPC endpoints, tests).
	Endpoint string
	// Client is the HTTP client; nil uses one with a 10 s timeout.
	Client *http.Client
	// Now is the clock for request signing; nil is time.Now.
	Now func() time.Time
}

// KMS signs with an asymmetric KMS key of spec ECC_NIST_P256 (ECDSA_SHA_256) — KMS has
// no Ed25519 keys — and wraps data keys with a symmetric KMS key (Encrypt/Decrypt).
type KMS struct {
	opt      KMSOptions
	endpoint string

	mu  sync.Mutex
	pub *ecdsa.PublicKey
}

// NewKMS checks the options; the key is first contacted by Public or Sign.
func NewKMS(opt KMSOptions) (*KMS, error) {
	if opt.KeyID == "" || opt.Region == "" {
		return nil, errors.New("keys: kms: key id and region are required")
	}
	if opt.Credentials.AccessKeyID == "" || opt.Credentials.SecretAccessKey == "" {
		return nil, errors.New("keys: kms: no credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
	}
	ep := opt.Endpoint
	if ep == "" {
		ep = "https://kms." + opt.Region + ".amazonaws.com/"
	}
	if u, err := url.Parse(ep); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("keys: kms: bad endpoint %q", ep)
	}
	if opt.Client == nil {
		opt.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &KMS{opt: opt, endpoint: ep}, nil
}

// call sends one KMS JSON API request (X-Amz-Target: TrentService.<op>).
func (k *KMS) call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, k.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("keys: kms: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+op)
	signV4(req, body, k.opt.Credentials, k.opt.Region, "kms", k.opt.Now())
	resp, err := k.opt.Client.Do(req)
	if err != nil {
		return fmt.Errorf("keys: kms %s: %w", op, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("keys: kms %s: read response: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type     string `json:"__type"`
			Message  string `json:"message"`
			Message2 string `json:"Message"`
		}
		_ = json.Unmarshal(raw, &e)
		msg := e.Message
		if msg == "" {
			msg = e.Message2
		}
		typ := e.Type
		if i := strings.LastIndexByte(typ, '#'); i >= 0 {
			typ = typ[i+1:]
		}
		return fmt.Errorf("keys: kms %s: HTTP %d %s: %s", op, resp.StatusCode, typ, truncate(msg, 300))
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("keys: kms %s: bad response: %w", op, err)
	}
	return nil
}

// KeyID is "kms:" and the configured key id.
func (k *KMS) KeyID() string { return "kms:" + k.opt.KeyID }

// Algorithm is ECDSAP256SHA256.
func (k *KMS) Algorithm() string { return ECDSAP256SHA256 }

// Public fetches (once) the key's public half with GetPublicKey and checks that it is
// a P-256 signing key.
func (k *KMS) Public(ctx context.Context) (crypto.PublicKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.pub != nil {
		return k.pub, nil
	}
	var out struct {
		PublicKey         []byte   `json:"PublicKey"`
		KeySpec           string   `json:"KeySpec"`
		KeyUsage          string   `json:"KeyUsage"`
		SigningAlgorithms []string `json:"SigningAlgorithms"`
	}
	if err := k.call(ctx, "GetPublicKey", map[string]string{"KeyId": k.opt.KeyID}, &out); err != nil {
		return nil, err
	}
	if out.KeySpec != "ECC_NIST_P256" || out.KeyUsage != "SIGN_VERIFY" {
		return nil, fmt.Errorf("keys: kms key %s is %s/%s; checkpoints need ECC_NIST_P256 with SIGN_VERIFY", k.opt.KeyID, out.KeySpec, out.KeyUsage)
	}
	pk, err := x509.ParsePKIXPublicKey(out.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("keys: kms key %s: %w", k.opt.KeyID, err)
	}
	ec, ok := pk.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("keys: kms key %s: public key is %T", k.opt.KeyID, pk)
	}
	k.pub = ec
	return ec, nil
}

// Sign asks KMS for an ECDSA_SHA_256 signature over msg (MessageType RAW: KMS hashes it)
// and checks it against the public key before returning the ASN.1 DER signature.
func (k *KMS) Sign(ctx context.Context, msg []byte) ([]byte, error) {
	pub, err := k.Public(ctx)
	if err != nil {
		return nil, err
	}
	if len(msg) > 4096 {
		return nil, errors.New("keys: kms signs at most 4096 bytes of raw message")
	}
	var out struct {
		Signature []byte `json:"Signature"`
	}
	err = k.call(ctx, "Sign", map[string]any{
		"KeyId": k.opt.KeyID, "Message": msg, "MessageType": "RAW", "SigningAlgorithm": "ECDSA_SHA_256",
	}, &out)
	if err != nil {
		return nil, err
	}
	if err := Verify(ECDSAP256SHA256, pub, msg, out.Signature); err != nil {
		return nil, fmt.Errorf("keys: kms sign %s: %w", k.opt.KeyID, err)
	}
	return out.Signature, nil
}

// Wrap encrypts a data key with KMS Encrypt (for a symmetric key).
func (k *KMS) Wrap(ctx context.Context, dataKey []byte) ([]byte, error) {
	var out struct {
		CiphertextBlob []byte `json:"CiphertextBlob"`
	}
	if err := k.call(ctx, "Encrypt", map[string]any{"KeyId": k.opt.KeyID, "Plaintext": dataKey}, &out); err != nil {
		return nil, err
	}
	return out.CiphertextBlob, nil
}

// Unwrap decrypts with KMS Decrypt, naming the key so that a blob made with another
// key is refused rather than decrypted.
func (k *KMS) Unwrap(ctx context.Context, wrapped []byte) ([]byte, error) {
	var out struct {
		Plaintext []byte `json:"Plaintext"`
	}
	if err := k.call(ctx, "Decrypt", map[string]any{"KeyId": k.opt.KeyID, "CiphertextBlob": wrapped}, &out); err != nil {
		return nil, err
	}
	return out.Plaintext, nil
}
