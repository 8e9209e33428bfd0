package tlsscan

import (
	"crypto/sha256"
	"encoding/hex"
	"math/big"
)

// knownDHPrimes names the standard finite-field groups by the SHA-256 of their prime
// (big-endian, no leading zeros). A standard group is not weak for being standard at
// 2048 bits and more; at 1024 bits it is worse than a random one, since one
// precomputation breaks every server that uses it (Logjam). dhgroups_integration_test
// regenerates each prime with OpenSSL and checks the hashes.
var knownDHPrimes = map[string]string{
	"9cd3b7f336872f46c09428d1bbc19877a4d440512cda8d1c1cf0cd6e33698966": "ffdhe2048",
	"0eaf67db3a839156d5013494a5318a772b5697d270d721f37f092efc69ea5a17": "ffdhe3072",
	"4648414224ac881b3d0dc59b466f96d06a558278776807797ecf1f66ff397b3e": "ffdhe4096",
	"227ac9066b3ddd9e193670cda2388fa884f65ba0cf98b742d1fe77a6687c79c7": "ffdhe6144",
	"770b14efaf6f049929c523113b3fa99a8d11dab1b18af3609590122075d19833": "ffdhe8192",
	"64fcc83ec403930bf18393dbc883ccaa1fbb08ac876f77f7aa99748ca945019b": "RFC 3526 MODP 1536 (group 5)",
	"d66436f79bbd6b2e38c0ffbd079be904d2641415e2e67140e09448be9a60890e": "RFC 3526 MODP 2048 (group 14)",
	"48cf8b092fbce4359d9871abf74f98e25b6163379eaa15cd9087e800c6d1c55c": "RFC 3526 MODP 3072 (group 15)",
	"4ee95187682bcb230ad26a95205f6920e84708f6251b3894329b09ec23919e33": "RFC 3526 MODP 4096 (group 16)",
	"d1bfe6d0925ce7e4da262b62861514a7755e35831e429f343e7b864848657efd": "RFC 3526 MODP 6144 (group 17)",
	"39ab4feab950a3128fb71accb9fc3965d857012e081998a85996e3ea8b3c3bcf": "RFC 3526 MODP 8192 (group 18)",
	"44c55cfee5c075927cf682da5b681bdecbd5c3eb0784c14f5dce7610f0ef133d": "RFC 5114 1024-bit MODP with 160-bit subgroup",
	"bfe545862ca102ad1eeddb5fbfa5bf855ac4995c56a8b408ce3fe099dce93a9d": "RFC 5114 2048-bit MODP with 224-bit subgroup",
	"0b7835722cb619827610c2549fdda5587421686c4409a13865e76225522ddcc9": "RFC 5114 2048-bit MODP with 256-bit subgroup",
}

// dhGroupName names a standard prime, "" for any other.
func dhGroupName(p []byte) string {
	sum := sha256.Sum256(new(big.Int).SetBytes(p).Bytes())
	return knownDHPrimes[hex.EncodeToString(sum[:])]
}
