package keys

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Vectors from AWS's Signature Version 4 test suite (credentials AKIDEXAMPLE, region
// us-east-1, service "service", 2015-08-30T12:36:00Z) and the IAM ListUsers example of
// AWS's signing documentation.
func TestSignV4Vectors(t *testing.T) {
	cred := AWSCredentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
	when := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	tests := []struct {
		name, method, url, body, service string
		headers                          map[string]string
		want                             string
	}{
		{name: "get-vanilla", method: "GET", url: "https://example.amazonaws.com/", service: "service",
			want: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{name: "get-vanilla-query-order-key-case", method: "GET", url: "https://example.amazonaws.com/?Param2=value2&Param1=value1", service: "service",
			want: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
		{name: "post-vanilla", method: "POST", url: "https://example.amazonaws.com/", service: "service",
			want: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
		{name: "post-x-www-form-urlencoded", method: "POST", url: "https://example.amazonaws.com/", service: "service", body: "Param1=value1",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			want:    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
		{name: "iam-listusers", method: "GET", url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", service: "iam",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
			want:    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			signV4(req, []byte(tc.body), cred, "us-east-1", tc.service, when)
			if got := req.Header.Get("Authorization"); got != tc.want {
				t.Errorf("Authorization:\n got %s\nwant %s", got, tc.want)
			}
			if got := req.Header.Get("X-Amz-Date"); got != "20150830T123600Z" {
				t.Errorf("X-Amz-Date = %q", got)
			}
		})
	}
}

func TestSignV4SessionTokenIsSigned(t *testing.T) {
	req, _ := http.NewRequest("POST", "https://kms.eu-west-1.amazonaws.com/", nil)
	signV4(req, nil, AWSCredentials{AccessKeyID: "AK", SecretAccessKey: "SK", SessionToken: "TOKEN"}, "eu-west-1", "kms", time.Unix(0, 0))
	if req.Header.Get("X-Amz-Security-Token") != "TOKEN" || !strings.Contains(req.Header.Get("Authorization"), "x-amz-security-token") {
		t.Errorf("session token not sent and signed: %v", req.Header)
	}
}
