package keys

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fakeKMS answers KMS's JSON API (GetPublicKey, Sign, Encrypt, Decrypt) in the shapes of
// the AWS KMS API reference, with a real P-256 key, and checks that each request carries
// a SigV4 Authorization header for the kms service.
type fakeKMS struct {
	t    *testing.T
	key  *ecdsa.PrivateKey
	spec string
}

func (f *fakeKMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(auth, "/eu-west-1/kms/aws4_request") ||
		!strings.Contains(auth, "x-amz-target") {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazon.coral.service#InvalidSignatureException", "message": "bad signature"})
		return
	}
	var in map[string]any
	json.NewDecoder(r.Body).Decode(&in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch r.Header.Get("X-Amz-Target") {
	case "TrentService.GetPublicKey":
		der, _ := x509.MarshalPKIXPublicKey(&f.key.PublicKey)
		json.NewEncoder(w).Encode(map[string]any{"KeyId": in["KeyId"], "PublicKey": der, "KeySpec": f.spec, "KeyUsage": "SIGN_VERIFY",
			"SigningAlgorithms": []string{"ECDSA_SHA_256"}})
	case "TrentService.Sign":
		msg, _ := base64Std(in["Message"].(string))
		d := sha256.Sum256(msg)
		sig, _ := ecdsa.SignASN1(rand.Reader, f.key, d[:])
		json.NewEncoder(w).Encode(map[string]any{"KeyId": in["KeyId"], "Signature": sig, "SigningAlgorithm": "ECDSA_SHA_256"})
	case "TrentService.Encrypt":
		pt, _ := base64Std(in["Plaintext"].(string))
		json.NewEncoder(w).Encode(map[string]any{"CiphertextBlob": append([]byte("blob:"), pt...)})
	case "TrentService.Decrypt":
		ct, _ := base64Std(in["CiphertextBlob"].(string))
		json.NewEncoder(w).Encode(map[string]any{"Plaintext": []byte(strings.TrimPrefix(string(ct), "blob:"))})
	default:
		w.WriteHeader(http.StatusBadRequest)
	}
}

func base64Std(s string) ([]byte, error) {
	var b []byte
	err := json.Unmarshal([]byte(`"`+s+`"`), &b)
	return b, err
}

func newTestKMS(t *testing.T, spec string) (*KMS, *fakeKMS) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	f := &fakeKMS{t: t, key: k, spec: spec}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	kms, err := NewKMS(KMSOptions{KeyID: "alias/posture", Region: "eu-west-1", Endpoint: srv.URL + "/",
		Credentials: AWSCredentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"}, Now: func() time.Time { return time.Unix(1700000000, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	return kms, f
}

func TestKMSSign(t *testing.T) {
	ctx := context.Background()
	k, _ := newTestKMS(t, "ECC_NIST_P256")
	if k.Algorithm() != ECDSAP256SHA256 || k.KeyID() != "kms:alias/posture" {
		t.Errorf("alg %s id %s", k.Algorithm(), k.KeyID())
	}
	sig, err := k.Sign(ctx, []byte("checkpoint"))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := NewRing(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := ring.Verify(k.KeyID(), ECDSAP256SHA256, []byte("checkpoint"), sig); err != nil {
		t.Error(err)
	}
	if err := ring.Verify(k.KeyID(), ECDSAP256SHA256, []byte("other"), sig); err == nil {
		t.Error("signature over another message verified")
	}
	b, err := k.Wrap(ctx, []byte("dk"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.Unwrap(ctx, b); err != nil || string(got) != "dk" {
		t.Errorf("Unwrap = %q, %v", got, err)
	}
}

func TestKMSRefusesWrongKeySpec(t *testing.T) {
	k, _ := newTestKMS(t, "RSA_2048")
	if _, err := k.Sign(context.Background(), []byte("m")); err == nil || !strings.Contains(err.Error(), "ECC_NIST_P256") {
		t.Errorf("err = %v", err)
	}
}

func TestKMSErrorNamesTheException(t *testing.T) {
	k, _ := newTestKMS(t, "ECC_NIST_P256")
	k.opt.Credentials.AccessKeyID = "OTHER"
	_, err := k.Public(context.Background())
	if err == nil || !strings.Contains(err.Error(), "InvalidSignatureException") || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("err = %v", err)
	}
	if _, err := NewKMS(KMSOptions{KeyID: "k", Region: "r"}); err == nil {
		t.Error("no credentials accepted")
	}
}
