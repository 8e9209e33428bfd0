package nginxtest

// Cipher strings of the presets.
const (
	// IntermediateCiphers is Mozilla's intermediate TLS 1.2 list (guidelines 5.7).
	IntermediateCiphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" +
		"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" +
		"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"
	// LegacyCiphers keeps what old configurations still carry: CBC with SHA-1, plain RSA
	// key exchange, Camellia, an anonymous and a NULL suite. @SECLEVEL=0 lets OpenSSL 3
	// speak TLS 1.0/1.1 at all. 3DES, DES and RC4 are not here because Debian builds
	// OpenSSL 3.0 without them (no-weak-ssl-ciphers): nginx would drop the names silently
	// and the site would differ between distributions.
	LegacyCiphers = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:" +
		"AES128-SHA:AES256-SHA:CAMELLIA128-SHA:AECDH-AES128-SHA:NULL-SHA:@SECLEVEL=0"
)

// Security headers of a well-configured site; HSTS is kept apart so no-hsts can drop it.
const (
	hsts            = `add_header Strict-Transport-Security "max-age=63072000" always;`
	securityHeaders = `add_header Content-Security-Policy "default-src 'self'" always;
add_header X-Content-Type-Options "nosniff" always;
add_header X-Frame-Options "DENY" always;
add_header Referrer-Policy "no-referrer" always;`
)

func index(name string) map[string]string {
	return map[string]string{"index.html": "<!doctype html><title>" + name + "</title><p>posture test site " + name + "\n"}
}

// Presets returns the sites the integration tests of the endpoint probes share, each a
// configuration people run: modern, intermediate, legacy, and one for each common
// mistake. Every call returns fresh values that callers may change.
func Presets() []Site {
	good := hsts + "\n" + securityHeaders
	return []Site{
		{Name: "modern", Protocols: "TLSv1.3", Directives: good, Files: index("modern")},
		{Name: "intermediate", Protocols: "TLSv1.2 TLSv1.3", Ciphers: IntermediateCiphers,
			Directives: "ssl_dhparam ffdhe2048.pem;\nssl_prefer_server_ciphers off;\n" + good, Files: index("intermediate")},
		{Name: "legacy", Protocols: "TLSv1 TLSv1.1 TLSv1.2", Ciphers: LegacyCiphers, Directives: good, Files: index("legacy")},
		{Name: "no-hsts", Directives: securityHeaders, Files: index("no-hsts")},
		{Name: "listing", Directives: good + "\nautoindex on;",
			Files: map[string]string{"pub/report.txt": "quarterly numbers\n", "pub/notes.txt": "notes\n"}},
		{Name: "git-exposed", Directives: good,
			Files: map[string]string{"index.html": index("git-exposed")["index.html"], ".git/HEAD": "ref: refs/heads/main\n",
				".git/config": "[core]\n\trepositoryformatversion = 0\n"}},
		{Name: "expired", Cert: CertExpired, Directives: good, Files: index("expired")},
		{Name: "wrong-host", Cert: CertWrongHost, Directives: good, Files: index("wrong-host")},
		{Name: "self-signed", Cert: CertSelfSigned, Directives: good, Files: index("self-signed")},
		{Name: "rsa1024", Cert: CertRSA1024, Ciphers: "HIGH:!aNULL:!MD5:@SECLEVEL=0", Directives: good, Files: index("rsa1024")},
		{Name: "incomplete-chain", Cert: CertIncompleteChain, Directives: good, Files: index("incomplete-chain")},
	}
}

// WeakKeyExchange is a site whose suites are fine but whose key exchange is not: DHE
// with a 1024-bit group and ECDHE that accepts secp192r1. It is not among Presets, whose
// findings other tests pin; the key-exchange tests add it.
func WeakKeyExchange() Site {
	return Site{Name: "weak-kex", Protocols: "TLSv1.2 TLSv1.3",
		Ciphers:    "DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
		Directives: "ssl_dhparam dh1024.pem;\nssl_ecdh_curve secp192r1:prime256v1;\n" + hsts + "\n" + securityHeaders, Files: index("weak-kex")}
}

// WeakOrder is a site that chooses the suite itself and prefers a CBC suite to an AEAD
// one, with TLS 1.0 to 1.2 so that there is a version to fall back to, and that sends
// its pages gzip-compressed (the BREACH note). Like WeakKeyExchange it is not among
// Presets.
func WeakOrder() Site {
	return Site{Name: "weak-order", Protocols: "TLSv1 TLSv1.1 TLSv1.2",
		Ciphers:    "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
		Directives: "ssl_prefer_server_ciphers on;\ngzip on;\ngzip_min_length 1;\n" + hsts + "\n" + securityHeaders, Files: index("weak-order")}
}

// Preset returns the preset called name; it panics on a name Presets does not have,
// which is a mistake in the calling test.
func Preset(name string) Site {
	for _, s := range Presets() {
		if s.Name == name {
			return s
		}
	}
	panic("nginxtest: no preset " + name)
}
