package webserver

import (
	"testing"

	"github.com/posture-dev/posture/internal/confparse/apache"
	"github.com/posture-dev/posture/internal/confparse/nginx"
	"github.com/posture-dev/posture/internal/probe"
)

// FuzzChecks runs the checks on whatever the parsers accept: no input may make a check
// panic, and every finding must point into the file.
func FuzzChecks(f *testing.F) {
	f.Add("http { server { listen 80; location /admin { allow 1.2.3.4; deny all; } location ~ \\.php$ { } } }", "<VirtualHost *:80>\n<Location /server-status>\nSetHandler server-status\nRequire ip 1.2.3.4\n</Location>\n</VirtualHost>\n")
	f.Add(tlsServer("location /x { add_header A b; internal; return; }\nlocation { }\nlocation ~ { }\n"), "<LocationMatch>\n</LocationMatch>\n<RequireAll>\nRequire not\n</RequireAll>\nSSLProtocol\nHeader\nHeader always set\n")
	f.Add("server { listen; ssl; return; rewrite; if { return 301; } satisfy; auth_basic; }", "<VirtualHost>\nRedirect\nRewriteRule\nOrder\nAllow from\nDeny\nSatisfy\nOptions\n</VirtualHost>\n")
	f.Fuzz(func(t *testing.T, ngx, ap string) {
		r := &probe.Result{}
		rp := newReporter(r)
		if ds, err := nginx.Parse("n.conf", []byte(ngx)); err == nil {
			checkNginx(rp, ds)
		}
		if ds, err := apache.Parse("a.conf", []byte(ap)); err == nil {
			checkApache(rp, "a.conf", ds, false, true)
			checkApache(rp, "a.conf", ds, true, false)
		}
		rp.flush()
		for _, fd := range r.Findings {
			if fd.Location.Path != "n.conf" && fd.Location.Path != "a.conf" || fd.Message == "" || fd.Rule == "" {
				t.Fatalf("finding %+v", fd)
			}
		}
	})
}
