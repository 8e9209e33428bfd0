package host

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/posture-dev/posture/internal/finding"
	"github.com/posture-dev/posture/internal/policy"
	"github.com/posture-dev/posture/internal/probe"
	"github.com/posture-dev/posture/internal/target"
)

// Rule of the services probe.
const RuleUnauthenticatedService = "host/service-without-authentication"

// standardPorts are where each service listens by default.
var standardPorts = []struct {
	kind string
	port uint16
}{
	{Redis, 6379}, {MySQL, 3306}, {PostgreSQL, 5432}, {Memcached, 11211}, {Elasticsearch, 9200},
}

var serviceNames = map[string]string{
	Redis: "Redis", MySQL: "MySQL/MariaDB", PostgreSQL: "PostgreSQL", Memcached: "memcached", Elasticsearch: "Elasticsearch/OpenSearch",
}

// maxReply bounds what is read from any service.
const maxReply = 64 << 10

// verdict is what trying one service showed.
type verdict struct {
	open     bool   // answered a command without credentials
	evidence string // what it answered
	// unknown is set when the exchange did not show either way.
	unknown string
}

type servicesProbe struct {
	*env
	services []Service
}

func (*servicesProbe) Name() string               { return "host/services" }
func (*servicesProbe) Controls() []string         { return []string{ctlServices} }
func (*servicesProbe) Kinds() []policy.TargetKind { return hostKinds }
func (*servicesProbe) Description() string {
	return "Redis, MySQL/MariaDB, PostgreSQL, memcached and Elasticsearch/OpenSearch listening here refuse a command sent without credentials (Redis PING, MySQL root with an empty password, PostgreSQL user postgres without a password, memcached stats, GET / on Elasticsearch)"
}

func (p *servicesProbe) Run(ctx context.Context, t *target.Target) (*probe.Result, error) {
	if err := checkTarget(t); err != nil {
		return nil, err
	}
	r := &probe.Result{}
	svcs := p.services
	if svcs == nil {
		var err error
		svcs, err = p.discover()
		if err != nil {
			r.MarkUnknown(ctlServices, err.Error())
			return r, nil
		}
	}
	var protected, gone []string
	tried := 0
	for _, s := range svcs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name := serviceNames[s.Kind]
		if name == "" {
			r.MarkUnknown(ctlServices, fmt.Sprintf("unknown service kind %q for %s", s.Kind, s.Addr))
			continue
		}
		v, err := p.try(ctx, s)
		if err != nil {
			if errors.Is(err, syscall.ECONNREFUSED) {
				gone = append(gone, name+" at "+s.Addr)
				continue
			}
			r.MarkUnknown(ctlServices, fmt.Sprintf("%s at %s: %v", name, s.Addr, err))
			continue
		}
		tried++
		switch {
		case v.unknown != "":
			r.MarkUnknown(ctlServices, fmt.Sprintf("%s at %s: %s", name, s.Addr, v.unknown))
		case v.open:
			r.Add(finding.Finding{
				Control: ctlServices, Rule: RuleUnauthenticatedService, Key: s.Kind + "@" + s.Addr,
				Location: finding.Location{URL: s.Kind + "://" + s.Addr},
				Message:  fmt.Sprintf("%s at %s answers without credentials: any process or host that reaches the port can read and change its data.", name, s.Addr),
				Evidence: finding.Plain(v.evidence),
				Fix:      fixFor(s.Kind),
			})
		default:
			protected = append(protected, fmt.Sprintf("%s at %s (%s)", name, s.Addr, v.evidence))
		}
	}
	if tried == 0 && len(r.Unknown) == 0 {
		reason := "no Redis, MySQL/MariaDB, PostgreSQL, memcached or Elasticsearch/OpenSearch listens on its standard port"
		if p.services != nil {
			reason = "none of the configured services accepts connections (" + strings.Join(gone, ", ") + ")"
		}
		r.MarkNotApplicable(ctlServices, reason)
		return r, nil
	}
	if len(protected) > 0 {
		r.Attest(ctlServices, "refused without credentials: "+strings.Join(protected, "; "))
	}
	return r, nil
}

func fixFor(kind string) string {
	switch kind {
	case Redis:
		return "Set `requirepass` (or ACL users with `user default off`) in redis.conf, and keep `bind` to the interfaces that need it."
	case MySQL:
		return "Give root a password or the unix_socket plugin only (`ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket;` on MariaDB), and remove accounts without a password."
	case PostgreSQL:
		return "Replace `trust` in pg_hba.conf with `scram-sha-256` (or `peer` for local sockets) and reload PostgreSQL."
	case Memcached:
		return "Enable SASL (`-S`) or an auth file (`-Y`), bind memcached to 127.0.0.1 only (`-l 127.0.0.1`), and disable UDP (`-U 0`)."
	case Elasticsearch:
		return "Enable security (`xpack.security.enabled: true`, or the OpenSearch security plugin) so every request needs credentials."
	}
	return "Require authentication."
}

// discover finds which standard ports listen, and where to reach each. A socket bound to
// every address is tried over loopback.
func (p *servicesProbe) discover() ([]Service, error) {
	socks, err := p.listening()
	if err != nil {
		if !p.live {
			return nil, err
		}
		// Without the socket tables, try loopback: a refused connection then means
		// "nothing listens".
		var out []Service
		for _, sp := range standardPorts {
			out = append(out, Service{Kind: sp.kind, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(int(sp.port)))})
		}
		return out, nil
	}
	seen := map[string]bool{}
	var out []Service
	for _, sp := range standardPorts {
		var addrs []netip.AddrPort
		for _, s := range socks {
			if s.Addr.Port() == sp.port {
				addrs = append(addrs, s.Addr)
			}
		}
		sort.Slice(addrs, func(i, j int) bool { return rankAddr(addrs[i].Addr()) < rankAddr(addrs[j].Addr()) })
		// One address per service: the same server answers on each of its sockets.
		if len(addrs) == 0 {
			continue
		}
		a := addrs[0].Addr()
		switch {
		case a.IsUnspecified() && a.Is4():
			a = netip.MustParseAddr("127.0.0.1")
		case a.IsUnspecified():
			a = netip.IPv6Loopback()
		}
		addr := netip.AddrPortFrom(a, sp.port).String()
		if !seen[addr] {
			seen[addr] = true
			out = append(out, Service{Kind: sp.kind, Addr: addr})
		}
	}
	return out, nil
}

// rankAddr prefers loopback, then any-address, then the rest, IPv4 before IPv6.
func rankAddr(a netip.Addr) int {
	n := 0
	if !a.Is4() {
		n = 1
	}
	switch {
	case a.IsLoopback():
		return n
	case a.IsUnspecified():
		return 2 + n
	}
	return 4 + n
}

func (p *servicesProbe) try(ctx context.Context, s Service) (verdict, error) {
	ctx, cancel := context.WithTimeout(ctx, 4*p.timeout)
	defer cancel()
	if s.Kind == Elasticsearch {
		return p.tryElasticsearch(ctx, s.Addr)
	}
	var d net.Dialer
	dctx, dcancel := context.WithTimeout(ctx, p.timeout)
	c, err := d.DialContext(dctx, "tcp", s.Addr)
	dcancel()
	if err != nil {
		return verdict{}, err
	}
	defer c.Close()
	deadline := time.Now().Add(2 * p.timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = c.SetDeadline(deadline)
	switch s.Kind {
	case Redis:
		return tryRedis(c)
	case MySQL:
		return tryMySQL(c)
	case PostgreSQL:
		return tryPostgres(c)
	case Memcached:
		return tryMemcached(c)
	}
	return verdict{}, fmt.Errorf("unknown kind %q", s.Kind)
}

// describeIOErr turns a failed read into words for an unknown.
func describeIOErr(what string, err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return what + ": no answer before the timeout"
	}
	return fmt.Sprintf("%s: %v", what, err)
}
