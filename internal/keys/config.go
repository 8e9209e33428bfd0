package keys

import (
	"context"
	"fmt"
	"path/filepath"
)

// Config chooses the signing key provider; the server and `posture audit` share it.
type Config struct {
	// Provider is "file" (default), "vault" or "kms".
	Provider string
	// File is the key file for "file"; default <data dir>/audit-signing.key.
	File string
	// VaultAddr, VaultMount, VaultKey for "vault"; the token comes from $VAULT_TOKEN.
	VaultAddr, VaultMount, VaultKey string
	// KMSKeyID, KMSRegion, KMSEndpoint for "kms"; credentials from the AWS_* variables.
	KMSKeyID, KMSRegion, KMSEndpoint string
}

// OpenSigner builds the configured Signer. create says whether a missing development key
// file may be created (the server may; `posture audit verify` must not invent a key).
// Unset Vault and KMS settings fall back to VAULT_ADDR, AWS_REGION and friends.
func OpenSigner(ctx context.Context, c Config, dataDir string, create bool, getenv func(string) string) (Signer, error) {
	switch c.Provider {
	case "", "file":
		path := c.File
		if path == "" {
			path = filepath.Join(dataDir, DefaultKeyFile)
		}
		if create {
			return OpenFile(path)
		}
		return LoadFile(path)
	case "vault":
		addr := c.VaultAddr
		if addr == "" {
			addr = getenv("VAULT_ADDR")
		}
		return NewVault(ctx, VaultOptions{Addr: addr, Token: getenv("VAULT_TOKEN"), Mount: c.VaultMount, Key: c.VaultKey, Namespace: getenv("VAULT_NAMESPACE")})
	case "kms":
		region := c.KMSRegion
		if region == "" {
			region = getenv("AWS_REGION")
		}
		return NewKMS(KMSOptions{KeyID: c.KMSKeyID, Region: region, Endpoint: c.KMSEndpoint, Credentials: AWSCredentials{
			AccessKeyID: getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: getenv("AWS_SESSION_TOKEN"),
		}})
	}
	return nil, fmt.Errorf("keys: unknown key provider %q (want file, vault or kms)", c.Provider)
}
