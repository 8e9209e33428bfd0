package terraform

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/posture-dev/posture/internal/policy"

	tf "github.com/posture-dev/posture/internal/confparse/terraform"
)

// adminPort is a port of an administrative service.
type adminPort struct {
	port    int
	service string
	// authenticates is set for protocols that always ask who the caller is (SSH keys,
	// RDP and WinRM logins, Kubernetes API credentials). For the others, a deployment
	// can and often does run without authentication, so an address list may be all
	// that stands in front of them.
	authenticates bool
}

var adminPorts = []adminPort{
	{22, "SSH", true},
	{2375, "the Docker API without TLS", false},
	{2376, "the Docker API", false},
	{2379, "the etcd client API", false},
	{3389, "RDP", true},
	{4646, "the Nomad HTTP API", false},
	{5601, "Kibana", false},
	{5900, "VNC", false},
	{5985, "WinRM over HTTP", true},
	{5986, "WinRM over HTTPS", true},
	{6443, "the Kubernetes API", true},
	{8500, "the Consul HTTP API", false},
	{9090, "the Prometheus web UI", false},
	{9200, "the Elasticsearch/OpenSearch API", false},
	{10250, "the kubelet API", false},
	{15672, "the RabbitMQ management UI", false},
}

// ingress is one inbound rule, however it is written: an ingress block of
// aws_security_group (possibly one element of a dynamic block), an
// aws_security_group_rule of type ingress, or an aws_vpc_security_group_ingress_rule.
type ingress struct {
	x     subject
	where string // "ingress block (line 12)", for messages
	at    tf.Pos
	proto arg
	from  arg
	to    arg
	cidrs []arg
}

func (s *scan) securityGroups() {
	for _, x := range s.resources("aws_security_group") {
		if a := x.r.Attr("ingress"); a != nil {
			s.undecided(ctlNetwork, a.Pos, x.label(), "its ingress rules are written as an argument (ingress = [...]), which posture does not read")
		}
		for _, b := range x.r.Nested("ingress") {
			if !b.Dynamic {
				s.checkIngress(s.ingressOf(x, b, nil, fmt.Sprintf("ingress block (line %d)", b.Pos.Line), []string{"cidr_blocks", "ipv6_cidr_blocks"}, "protocol"))
				continue
			}
			its, v, ok := x.in.Iterations(b)
			if !ok {
				s.undecided(ctlNetwork, b.Pos, x.label(), fmt.Sprintf("cannot tell which ports its dynamic \"ingress\" block (line %d) opens: for_each %s", b.Pos.Line, v.Reason()))
				continue
			}
			for i, it := range its {
				where := fmt.Sprintf("element %d of the dynamic \"ingress\" block (line %d)", i+1, b.Pos.Line)
				s.checkIngress(s.ingressOf(x, b, []tf.Iteration{it}, where, []string{"cidr_blocks", "ipv6_cidr_blocks"}, "protocol"))
			}
		}
	}
	for _, x := range s.resources("aws_security_group_rule") {
		typ := x.arg("type")
		t, ok := typ.str()
		switch {
		case typ.unknown():
			s.undecided(ctlNetwork, typ.attr.Pos, x.label(), "cannot tell if it is an ingress rule: type "+typ.v.Reason())
			continue
		case !ok || t != "ingress":
			continue
		}
		s.checkIngress(s.ingressOf(x, x.r.Block, nil, "", []string{"cidr_blocks", "ipv6_cidr_blocks"}, "protocol"))
	}
	for _, x := range s.resources("aws_vpc_security_group_ingress_rule") {
		s.checkIngress(s.ingressOf(x, x.r.Block, nil, "", []string{"cidr_ipv4", "cidr_ipv6"}, "ip_protocol"))
	}
}

func (s *scan) ingressOf(x subject, b *tf.Block, its []tf.Iteration, where string, cidrNames []string, protoName string) ingress {
	get := func(name string) arg {
		a := b.Attr(name)
		if its != nil {
			return arg{attr: a, v: x.in.EvalIn(a, its)}
		}
		return arg{attr: a, v: x.in.Eval(a)}
	}
	in := ingress{x: x, where: where, at: b.Pos, proto: get(protoName), from: get("from_port"), to: get("to_port")}
	for _, n := range cidrNames {
		if a := get(n); a.set() {
			in.cidrs = append(in.cidrs, a)
		}
	}
	return in
}

func (g ingress) label() string {
	if g.where == "" {
		return g.x.label()
	}
	return g.x.label() + ", " + g.where
}

// ports returns the admin ports a rule opens; all is set when it opens every port.
func (g ingress) ports() (open []adminPort, all bool, why string) {
	proto, ok := g.proto.str()
	switch {
	case g.proto.unknown():
		return nil, false, "protocol " + g.proto.v.Reason()
	case !ok:
		return nil, false, ""
	}
	switch strings.ToLower(proto) {
	case "-1", "all":
		return adminPorts, true, ""
	case "tcp", "6":
	default:
		return nil, false, ""
	}
	if g.from.unknown() || g.to.unknown() {
		return nil, false, "its port range is not known: " + firstReason(g.from, g.to)
	}
	from, okF := g.from.number()
	to, okT := g.to.number()
	if !okF || !okT {
		return nil, false, ""
	}
	if from <= 0 && to >= 65535 {
		all = true
	}
	for _, p := range adminPorts {
		if float64(p.port) >= from && float64(p.port) <= to {
			open = append(open, p)
		}
	}
	return open, all, ""
}

func firstReason(args ...arg) string {
	for _, a := range args {
		if a.unknown() {
			return a.v.Reason()
		}
	}
	return ""
}

// sources sorts a rule's address ranges into the whole internet and narrower lists.
func (g ingress) sources() (internet, listed []string, cidrAt *tf.Attribute, why string) {
	for _, a := range g.cidrs {
		if cidrAt == nil {
			cidrAt = a.attr
		}
		if a.unknown() {
			return nil, nil, a.attr, a.attr.Name + " " + a.v.Reason()
		}
		var values []string
		if elems, ok := a.v.Elements(); ok {
			for _, e := range elems {
				str, ok := e.Str()
				if !ok {
					return nil, nil, a.attr, a.attr.Name + " " + e.Reason()
				}
				values = append(values, str)
			}
		} else if str, ok := a.str(); ok {
			values = append(values, str)
		}
		for _, c := range values {
			if c == "0.0.0.0/0" || c == "::/0" {
				internet = append(internet, c)
			} else {
				listed = append(listed, c)
			}
		}
	}
	return internet, listed, cidrAt, ""
}

func (s *scan) checkIngress(g ingress) {
	if len(g.cidrs) == 0 {
		return // Only security groups, prefix lists or self: not an address list.
	}
	open, all, portWhy := g.ports()
	internet, listed, cidrAt, cidrWhy := g.sources()
	at := g.at
	if cidrAt != nil {
		at = cidrAt.Pos
	}
	switch {
	case portWhy != "" && (cidrWhy != "" || len(internet)+len(listed) > 0):
		s.undecided(ctlNetwork, at, g.label(), "cannot tell which ports it opens: "+portWhy)
		return
	case len(open) == 0:
		return
	case cidrWhy != "":
		s.undecided(ctlNetwork, at, g.label(), "cannot tell where it admits "+portList(open, all)+" from: "+cidrWhy)
		return
	}
	x := g.x
	key := fmt.Sprintf("ingress|%s|%s", portKey(open, all), strings.Join(append(append([]string(nil), internet...), listed...), ","))
	loc := x.r.Pos
	if cidrAt != nil {
		loc = cidrAt.Pos
	}
	if len(internet) > 0 {
		s.add(loc, x.key()+"|"+key, issue{
			control: ctlNetwork, rule: RuleAdminPortOpen,
			message: fmt.Sprintf("%s admits %s from %s, so anyone on the internet can reach the administrative service and try its login; the policy allows address rules only as an extra layer on top of authentication, and here not even an address list narrows who can connect.", g.label(), portList(open, all), strings.Join(internet, " and ")),
			fix:     "Remove the rule and reach the hosts through an authenticating path with no inbound port, such as AWS Systems Manager Session Manager (resource \"aws_iam_role_policy_attachment\" \"ssm\" { role = aws_iam_role.instance.name  policy_arn = \"arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore\" }) or an identity-aware proxy; an address list such as cidr_blocks = [\"10.20.0.0/16\"] may stay only as an extra layer.",
		})
		return
	}
	if len(listed) == 0 {
		return
	}
	sev, note := policy.Low, "every service behind it authenticates its callers by protocol, so this is a reminder to keep that authentication strict (keys or certificates, no passwords)"
	for _, p := range open {
		if !p.authenticates {
			sev, note = policy.Medium, "nothing in the configuration shows that "+p.service+" asks who the caller is"
			break
		}
	}
	s.add(loc, x.key()+"|"+key, issue{
		control: ctlNetwork, rule: RuleAdminPortAllowList, severity: sev,
		message: fmt.Sprintf("%s admits %s from %s only: an address list says where a connection comes from, not who makes it, so any host or user inside those ranges reaches the service; the policy allows address lists only as an extra layer, and %s.", g.label(), portList(open, all), strings.Join(listed, ", "), note),
		fix:     "Make the service authenticate every caller (or put AWS Systems Manager Session Manager or an identity-aware proxy in front of it) and keep the address list only as an extra layer; if the service already does, record that as an approved deviation.",
	})
}

func portList(open []adminPort, all bool) string {
	if all {
		return "every port, including 22 (SSH) and 3389 (RDP)"
	}
	var parts []string
	for _, p := range open {
		parts = append(parts, fmt.Sprintf("port %d (%s)", p.port, p.service))
	}
	return joinAnd(parts)
}

func portKey(open []adminPort, all bool) string {
	if all {
		return "all"
	}
	var ps []string
	for _, p := range open {
		ps = append(ps, strconv.Itoa(p.port))
	}
	sort.Strings(ps)
	return strings.Join(ps, ",")
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
