package pii

import (
	"fmt"
	"strings"
	"testing"
)

// Identifiers with check digits are built at run time from their completers, so the
// source holds no valid number that could be mistaken for anyone's; e-mail addresses at
// real providers use invented names.
var (
	visa        = CompleteLuhn("453201511283036")
	mastercard  = CompleteLuhn("545762389901234")
	amex        = CompleteLuhn("34987654321012")
	discover    = CompleteLuhn("601198765432101")
	ibanNL      = CompleteIBAN("NL", "RABO0123456789")
	ibanDE      = CompleteIBAN("DE", "500105175407324931")
	bsn         = CompleteBSN("23456789")
	steuerID    = CompleteSteuerID("8609574271")
	nir         = CompleteNIR("2920175123456")
	dni         = CompleteDNI("48291736")
	nie         = CompleteDNI("X4829173")
	cf          = CompleteCodiceFiscale("BNCGPP75L12F205")
	bcryptHash  = "$2y$10$" + strings.Repeat("aB3./", 10) + "xyz"
	phpassHash  = "$P$B" + strings.Repeat("k9/Q.", 6)
	wpBcrypt    = "$wp$2y$10$" + strings.Repeat("Zx8/.", 10) + "Q1w"
	argonHash   = "$argon2id$v=19$m=65536,t=4,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("dGVzdGhhc2g", 4)
	drupalHash  = "$S$D" + strings.Repeat("a1B2c3D4./", 5) + "x"
	djangoHash  = "pbkdf2_sha256$600000$Qm9vbVNhbHQ$" + strings.Repeat("YWJjZGVmZ2hpams", 3) + "=="
	sha512Crypt = "$6$rounds=5000$saltsalt$" + strings.Repeat("aZ09./", 14) + "xy"
)

func spaced4(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

func bumpLast(s string) string {
	c := s[len(s)-1]
	if c == '9' {
		c = '0'
	} else {
		c++
	}
	return s[:len(s)-1] + string(c)
}

type detCase struct {
	name, text, field string
	kind              Kind   // "" expects no match at Medium or above
	detail            string // checked when set
	conf              Confidence
	value             string // the matched text, when set
}

func detectorCases() []detCase {
	return []detCase{
		// E-mail.
		{name: "email free text", text: "contact jan.devries84@gmail.com for details", kind: Email, conf: Medium, value: "jan.devries84@gmail.com"},
		{name: "email column", text: "marie.dupont@orange.fr", field: "user_email", kind: Email, conf: High},
		{name: "email plus tag", text: "<k.mueller+shop@web.de>", kind: Email, conf: Medium, value: "k.mueller+shop@web.de"},
		{name: "email subdomain", text: "a.smith@mail.uni-leiden.nl.", kind: Email, conf: Medium, value: "a.smith@mail.uni-leiden.nl"},
		{name: "email example.com", text: "john@example.com"},
		{name: "email example.org sub", text: "john@shop.example.org"},
		{name: "email .test", text: "jane@shop.test"},
		{name: "email .example", text: "jane@acme.example"},
		{name: "email .invalid", text: "jane@nowhere.invalid"},
		{name: "email localhost", text: "root@localhost"},
		{name: "email placeholder", text: "you@yourcompany.com and me@domain.com"},
		{name: "email forge noreply", text: "1234+dev@users.noreply.github.com"},
		{name: "email asset name", text: "logo@2x.png"},
		{name: "email url credentials", text: "https://deploy:hunter2@git.internal-host.io/x"},
		{name: "email role address", text: "noreply@shopsite.nl", kind: Email, conf: Low},
		{name: "email dots", text: "a..b@gmail.com"},
		{name: "email translated example", text: "utilisateur@exemple.org, ali@yanityok.ornek.org, max@beispiel.de"},
		{name: "email ssh algorithm", text: "sk-ssh-ed25519@openssh.com"},
		{name: "email list archive url", text: "https://lists.fedoraproject.org/archives/list/package-announce@lists.fedoraproject.org/message/6X2U"},
		{name: "email message id", text: "mbox/%3cC628798F-315D-4428-8CB1-4ED1ECC958E4@apache.org%3e and <5f3c2a1b-9d8e-4f7a-b6c5-d4e3f2a1b0c9@mail.gmail.com>"},
		{name: "email publisher", text: "<publisher>Jane Roe &lt;jane.roe@gmail.com&gt;</publisher>", kind: Email, conf: Low},
		{name: "email copyright", text: "Copyright (c) 2015 Jane Roe <jane.roe@gmail.com>", kind: Email, conf: Low},
		{name: "email signed-off", text: "Signed-off-by: Jane Roe <jane.roe@gmail.com>", kind: Email, conf: Low},
		{name: "email author column", text: "Jane Roe <jane.roe@gmail.com>", field: "maintainer", kind: Email, conf: Low},
		{name: "email comment author", text: "jane.roe@gmail.com", field: "comment_author_email", kind: Email, conf: High},

		// Phones.
		{name: "e164 spaced", text: "see +31 6 4821 7730 today", kind: Phone, detail: "E.164", conf: Medium, value: "+31 6 4821 7730"},
		{name: "e164 labelled", text: "tel: +49 30 8841 2290", kind: Phone, detail: "E.164", conf: High},
		{name: "e164 trunk", text: "+44 (0)20 7183 4410", kind: Phone, detail: "E.164", conf: Medium},
		{name: "e164 compact", text: "+33612457890", kind: Phone, conf: Medium},
		{name: "nanp parens", text: "(415) 829-3341", kind: Phone, detail: "NANP", conf: Medium},
		{name: "nanp dashes", text: "1-415-829-3341", kind: Phone, detail: "NANP", conf: Medium},
		{name: "nanp column bare", text: "4158293341", field: "phone", kind: Phone, conf: High},
		{name: "german labelled", text: "Telefon: 030 88412290", kind: Phone, detail: "national", conf: Medium},
		{name: "dutch column", text: "06-48217730", field: "billing_phone", kind: Phone, detail: "national", conf: High},
		{name: "french pairs labelled", text: "Tél. portable : 06 12 45 78 90", kind: Phone, conf: Medium},
		{name: "uk labelled", text: "Mobile: 07911 123456", kind: Phone, conf: Medium},
		{name: "00 prefix labelled", text: "phone 0031 6 48217730", kind: Phone, detail: "international", conf: Medium},
		{name: "national unlabelled", text: "order 0612345678 shipped"},
		{name: "nanp bare unlabelled", text: "id 4158293341"},
		{name: "nanp fiction", text: "(212) 555-0142"},
		{name: "nanp 555 exchange", text: "(415) 555-2671 or +1 415 555 1212"},
		{name: "nanp invalid area", text: "(123) 829-3341"},
		{name: "ofcom drama", text: "+44 20 7946 0123"},
		{name: "ofcom drama national", text: "phone: 020 7946 0958"},
		{name: "arcep fiction", text: "tel 01 99 00 12 34"},
		{name: "iso date", text: "released 2024-03-15 10:30"},
		{name: "european date", text: "Datum: 15.03.2024"},
		{name: "us date labelled phone", text: "phone changed 03/15/2024"},
		{name: "version", text: "Windows 10.0.19041.1 build"},
		{name: "version prefixed", text: "v1.2.3 and 4.5.6"},
		{name: "ip address", text: "server 192.168.100.200 phone"},
		{name: "epoch millis", text: "ts=1700000000000"},
		{name: "semver dotted long", text: "+1.5 and +12.34"},
		{name: "invalid country code", text: "+999 1234 5678"},
		{name: "too short e164", text: "+31 6 12"},
		{name: "uuid", text: "550e8400-e29b-41d4-a716-446655440000"},

		// Cards.
		{name: "visa bare", text: "pan " + visa, kind: Card, detail: "visa", conf: High},
		{name: "visa bare unlabelled", text: "x " + visa + " y", kind: Card, detail: "visa", conf: Medium},
		{name: "mastercard spaced", text: spaced4(mastercard), kind: Card, detail: "mastercard", conf: High},
		{name: "amex 4-6-5", text: amex[:4] + " " + amex[4:10] + " " + amex[10:], kind: Card, detail: "amex", conf: High},
		{name: "discover dashed", text: strings.ReplaceAll(spaced4(discover), " ", "-"), kind: Card, detail: "discover", conf: High},
		{name: "card column", text: visa, field: "card_number", kind: Card, conf: High},
		{name: "card-like id column", text: visa, field: "order_id", kind: Card, conf: Low},
		{name: "luhn invalid", text: "card " + bumpLast(visa)},
		{name: "test card visa", text: "card 4111 1111 1111 1111"},
		{name: "test card stripe", text: "4242424242424242"},
		{name: "test card amex", text: "378282246310005"},
		{name: "dummy zeros", text: "card " + CompleteLuhn("400000000000001")},
		{name: "no scheme", text: "card " + CompleteLuhn("912345678901234")},
		{name: "card in longer run", text: "9" + visa + "1"},
		{name: "card odd grouping", text: "card " + visa[:3] + " " + visa[3:]},
		{name: "bare 19 digits", text: `"` + CompleteLuhn("411524747474122223") + `": {`, kind: Card, conf: Low},
		{name: "19 digits labelled", text: "card: " + CompleteLuhn("411524747474122223"), kind: Card, conf: High},

		// IBANs.
		{name: "iban compact", text: "IBAN: " + ibanNL, kind: IBAN, detail: "NL", conf: High},
		{name: "iban grouped", text: spaced4(ibanDE) + ".", kind: IBAN, detail: "DE", conf: High, value: spaced4(ibanDE)},
		{name: "iban bad checksum", text: ibanNL[:2] + bumpLast(ibanNL[:4])[2:] + ibanNL[4:]},
		{name: "iban example", text: "NL91ABNA0417164300"},
		{name: "iban wrong length", text: ibanNL + "12"},
		{name: "iban unknown country", text: "QQ12ABCD1234567890"},

		// National IDs.
		{name: "ssn labelled", text: "SSN: 536-22-8841", kind: NationalID, detail: "US SSN", conf: High},
		{name: "ssn column bare", text: "536228841", field: "ssn", kind: NationalID, detail: "US SSN", conf: High},
		{name: "ssn unlabelled", text: "ref 536-22-8841"},
		{name: "ssn invalid area", text: "SSN: 666-22-8841"},
		{name: "ssn woolworth", text: "SSN 078-05-1120"},
		{name: "bsn labelled", text: "BSN " + bsn, kind: NationalID, detail: "NL BSN", conf: High},
		{name: "bsn column", text: bsn, field: "burgerservicenummer", kind: NationalID, detail: "NL BSN", conf: High},
		{name: "bsn unlabelled", text: "nr " + bsn, kind: NationalID, detail: "NL BSN", conf: Low},
		{name: "bsn bad checksum", text: "BSN " + bumpLast(bsn)},
		{name: "steuer-id labelled", text: "Steuer-ID: " + steuerID, kind: NationalID, detail: "DE Steuer-ID", conf: High},
		{name: "steuer-id bad", text: "Steuer-ID: " + bumpLast(steuerID)},
		{name: "steuer-id no repeat", text: "IdNr 57391820463"},
		{name: "nir spaced", text: fmt.Sprintf("%s %s %s %s %s %s %s", nir[:1], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]), kind: NationalID, detail: "FR NIR", conf: Medium},
		{name: "nir labelled", text: "n° sécurité sociale " + nir, kind: NationalID, detail: "FR NIR", conf: High},
		{name: "nir bad key", text: bumpLast(nir)},
		{name: "dni", text: "DNI " + dni, kind: NationalID, detail: "ES DNI", conf: High},
		{name: "dni unlabelled", text: "x " + dni + " y", kind: NationalID, detail: "ES DNI", conf: Medium},
		{name: "dni wrong letter", text: "DNI " + dni[:8] + "A"},
		{name: "dni specimen", text: "DNI 12345678Z"},
		{name: "nie", text: "NIE " + nie, kind: NationalID, detail: "ES NIE", conf: High},
		{name: "codice fiscale", text: "CF " + cf, kind: NationalID, detail: "IT codice fiscale", conf: High},
		{name: "codice fiscale bad", text: cf[:15] + "A"},
		{name: "codice fiscale specimen", text: "RSSMRA85T10A562S"},
		{name: "nino labelled", text: "NI number: JG 10 37 82 A", kind: NationalID, detail: "UK NINO", conf: High},
		{name: "nino unlabelled", text: "JG103782A", kind: NationalID, detail: "UK NINO", conf: Low},
		{name: "nino bad prefix", text: "NINO QQ123456C"},

		// Password hashes.
		{name: "bcrypt", text: "'" + bcryptHash + "'", kind: PasswordHash, detail: "bcrypt", conf: High, value: bcryptHash},
		{name: "phpass", text: phpassHash, kind: PasswordHash, detail: "phpass", conf: High},
		{name: "wordpress bcrypt", text: wpBcrypt, kind: PasswordHash, detail: "WordPress bcrypt", conf: High},
		{name: "argon2id", text: argonHash, kind: PasswordHash, detail: "argon2id", conf: High},
		{name: "drupal", text: drupalHash, kind: PasswordHash, detail: "drupal", conf: High},
		{name: "django pbkdf2", text: djangoHash, kind: PasswordHash, detail: "django pbkdf2_sha256", conf: High, value: djangoHash},
		{name: "sha512-crypt", text: "root:" + sha512Crypt + ":19000:0:99999:7:::", kind: PasswordHash, detail: "sha512-crypt", conf: High},
		{name: "md5 in password column", text: "5f4dcc3b5aa765d61d8327deb882cf99", field: "user_pass", kind: PasswordHash, conf: High},
		{name: "md5 elsewhere", text: "5f4dcc3b5aa765d61d8327deb882cf99", field: "checksum"},
		{name: "bcrypt truncated", text: "$2y$10$abc"},
		{name: "dollar amounts", text: "costs $5$ or $P$ maybe"},

		// Addresses.
		{name: "uk address", text: "Ship to: 42 Larkspur Avenue, Leeds LS6 2QT", kind: Address, conf: Medium},
		{name: "us address", text: "1600 Maple Street, Springfield, IL 62704", kind: Address, conf: Medium},
		{name: "german address", text: "Hauptstraße 12, 10115 Berlin", kind: Address, conf: Medium},
		{name: "german two words", text: "Berliner Straße 7a, 14467 Potsdam", kind: Address, conf: Medium},
		{name: "dutch address", text: "Keizersgracht 123, 1015 CJ Amsterdam", kind: Address, conf: Medium},
		{name: "french address", text: "12 rue de la Paix, 75002 Paris", kind: Address, conf: Medium},
		{name: "address column", text: "17 Wellington Road", field: "billing_address_1", kind: Address, conf: High},
		{name: "address column no street word", text: "Flat 3, Kingsway House", field: "address", kind: Address, conf: Medium},
		{name: "street without postcode", text: "see 3 Pine Road for directions", kind: Address, conf: Low},
		{name: "not a street", text: "we shipped 3 Things Today"},
		{name: "ip column not address", text: "10.0.0.1", field: "ip_address"},
	}
}

func TestDetectors(t *testing.T) {
	for _, c := range detectorCases() {
		t.Run(c.name, func(t *testing.T) {
			ms := Scan([]byte(c.text), c.field)
			for _, m := range ms {
				if m.Start < 0 || m.End > len(c.text) || m.Start >= m.End {
					t.Fatalf("match %+v out of range", m)
				}
			}
			var got *Match
			for i := range ms {
				if c.kind == "" && ms[i].Confidence >= Medium {
					t.Fatalf("unexpected %s (%s, %s): %q", ms[i].Kind, ms[i].Detail, ms[i].Confidence, c.text[ms[i].Start:ms[i].End])
				}
				if ms[i].Kind == c.kind && got == nil {
					got = &ms[i]
				}
			}
			if c.kind == "" {
				return
			}
			if got == nil {
				t.Fatalf("no %s in %q; got %+v", c.kind, c.text, ms)
			}
			if c.detail != "" && got.Detail != c.detail {
				t.Errorf("detail %q, want %q", got.Detail, c.detail)
			}
			if got.Confidence != c.conf {
				t.Errorf("confidence %s, want %s", got.Confidence, c.conf)
			}
			if c.value != "" && c.text[got.Start:got.End] != c.value {
				t.Errorf("matched %q, want %q", c.text[got.Start:got.End], c.value)
			}
		})
	}
}

func TestValidators(t *testing.T) {
	valid := map[string]func(string) bool{
		visa: Luhn, ibanNL: ValidIBAN, ibanDE: ValidIBAN, bsn: ValidBSN, steuerID: ValidSteuerID,
		nir: ValidNIR, dni: ValidDNI, nie: ValidDNI, cf: ValidCodiceFiscale, "536228841": ValidSSN,
		"JG103782A": ValidNINO, "RSSMRA85T10A562S": ValidCodiceFiscale, "GB82WEST12345698765432": ValidIBAN,
	}
	for s, f := range valid {
		if s == "" || !f(s) {
			t.Errorf("%q should be valid", s)
		}
	}
	invalid := map[string]func(string) bool{
		bumpLast(visa): Luhn, "GB82WEST12345698765433": ValidIBAN, "NL91ABNA041716430": ValidIBAN,
		bumpLast(bsn): ValidBSN, "000000000": ValidBSN, "11111111111": ValidSteuerID, "05739182046": ValidSteuerID,
		bumpLast(nir): ValidNIR, "585057800608491": ValidNIR, dni[:8] + "A": ValidDNI, bumpLast(cf): ValidCodiceFiscale,
		"900228841": ValidSSN, "536008841": ValidSSN, "536220000": ValidSSN, "DA103782A": ValidNINO,
		"GB103782A": ValidNINO, "JG103782E": ValidNINO,
	}
	for s, f := range invalid {
		if f(s) {
			t.Errorf("%q should be invalid", s)
		}
	}
	if CardScheme("2221000000000009") != "mastercard" || CardScheme("3530111333300000") != "jcb" || CardScheme("6212345678901232") != "unionpay" {
		t.Error("card schemes")
	}
	if !IsTestCard("4111111111111111") || IsTestCard(visa) {
		t.Error("test cards")
	}
}

func TestHintFor(t *testing.T) {
	cases := map[string]Kind{
		"user_email": Email, "billing_email": Email, "email_address": Email, "E-Mail": Email, "billingPhone": Phone,
		"Telefonnummer": Phone, "billing_address_1": Address, "Straße": Address, "iban": IBAN,
		"card_number": Card, "cc_number": Card, "ssn": NationalID, "burgerservicenummer": NationalID,
		"user_pass": PasswordHash, "password_hash": PasswordHash, "email_verified_at": "", "ip_address": "",
		"meta_value": "", "id": "", "user_url": "", "_billing_email": Email, "mac_address": "",
	}
	for name, want := range cases {
		if got := HintFor(name).Kind; got != want {
			t.Errorf("HintFor(%q) = %q, want %q", name, got, want)
		}
	}
	if h := HintFor("social_security_number"); h.Kind != NationalID || h.ID != "ssn" {
		t.Errorf("social_security_number: %+v", h)
	}
}

func TestRedactNeverShowsTheValue(t *testing.T) {
	cases := []detCase{
		{text: "jan.devries84@gmail.com", kind: Email},
		{text: "+31 6 4821 7730", kind: Phone},
		{text: spaced4(mastercard), kind: Card},
		{text: ibanNL, kind: IBAN},
		{text: "BSN " + bsn, kind: NationalID},
		{text: bcryptHash, kind: PasswordHash},
		{text: "Keizersgracht 123, 1015 CJ Amsterdam", kind: Address},
	}
	want := map[Kind]string{
		Email: "j***@gm***.com", Phone: "+31 * **** **30", Card: "mastercard **** **** **** " + mastercard[12:],
		IBAN: "NL" + strings.Repeat("*", 14) + ibanNL[16:], NationalID: "NL BSN *******" + bsn[7:], PasswordHash: "bcrypt $2y$10$…",
		Address: "K*** ** ** C***",
	}
	for _, c := range cases {
		ms := Scan([]byte(c.text), "")
		if len(ms) == 0 {
			t.Fatalf("no match in %q", c.text)
		}
		m := ms[len(ms)-1]
		v := c.text[m.Start:m.End]
		got := Redact(m, []byte(v))
		if got != want[c.kind] {
			t.Errorf("Redact(%s) = %q, want %q", c.kind, got, want[c.kind])
		}
		digits := digitsOnly(v)
		if strings.Contains(got, v) || len(digits) > 6 && strings.Contains(digitsOnly(got), digits[:len(digits)-2]) {
			t.Errorf("redaction %q reveals %q", got, v)
		}
	}
}

func TestMarker(t *testing.T) {
	line := SQLMarker("0a1b2c3d4e5f")
	if line != "-- posture-anonymized: v1 key-id=0a1b2c3d4e5f" {
		t.Fatalf("SQLMarker = %q", line)
	}
	m, ok := ParseMarker(line)
	if !ok || m.KeyID != "0a1b2c3d4e5f" || m.Version != "v1" {
		t.Fatalf("ParseMarker = %+v, %v", m, ok)
	}
	for _, bad := range []string{"-- posture-anonymized: v2 key-id=0a1b2c3d", "posture-anonymized: v1 key-id=XYZ12345", "posture-anonymized: v1", "-- anonymized: v1 key-id=0a1b2c3d"} {
		if _, ok := ParseMarker(bad); ok {
			t.Errorf("ParseMarker(%q) accepted", bad)
		}
	}
}
