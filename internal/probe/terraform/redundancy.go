package terraform

import (
	"fmt"
	"strings"
)

// redundancy checks that databases and caches can survive the loss of an instance or an
// Availability Zone (SC-7). Configurations that are recognisably non-production are left
// out: the policy keeps live customer data out of them (CD-1), so there is no data whose
// availability needs a standby.
func (s *scan) redundancy() {
	for _, x := range s.resources("aws_db_instance") {
		if _, replica := replicaOf(x); replica {
			continue
		}
		e := s.env(x)
		if e.class == envNonProduction {
			continue
		}
		a := x.arg("multi_az")
		st, why := boolState(a)
		is := issue{
			control: ctlRedundancy, rule: RuleRDSSingleAZ, key: "multi_az",
			fix: "Set multi_az = true for a synchronous standby in a second Availability Zone, or record the decision to run in one zone as an approved deviation.",
		}
		switch st {
		case stTrue:
			continue
		case stUnknown:
			s.undecided(ctlRedundancy, a.attr.Pos, x.label(), "cannot tell if multi_az is true: "+why)
			continue
		case stUnset:
			is.message = fmt.Sprintf("%s does not set multi_az (the default is false), so the database runs in one Availability Zone with no standby to fail over to (%s).", x.label(), envWhy(e))
		default:
			is.attr = a.attr
			is.message = fmt.Sprintf("%s sets %s, so the database runs in one Availability Zone with no standby to fail over to (%s).", x.label(), describe("multi_az", a.v), envWhy(e))
		}
		s.report(x, is)
	}
	s.auroraClusters()
	s.cacheFailover()
}

func (s *scan) auroraClusters() {
	instances := s.resources("aws_rds_cluster_instance")
	for _, x := range s.resources("aws_rds_cluster") {
		if mode, _ := x.arg("engine_mode").str(); mode == "serverless" {
			continue // Aurora Serverless v1 fails over across zones by itself.
		}
		if x.arg("db_cluster_instance_class").set() {
			continue // A Multi-AZ DB cluster always has a writer and two readers in three zones.
		}
		e := s.env(x)
		if e.class == envNonProduction {
			continue
		}
		id, idKnown := x.arg("cluster_identifier").str()
		total, members, undecided := 0, []string{}, ""
		for _, ci := range instances {
			if ci.in != x.in {
				continue
			}
			ref := ci.arg("cluster_identifier")
			match := false
			for _, r := range refs(ref) {
				if r == x.r.Address() {
					match = true
				}
			}
			if !match {
				v, ok := ref.str()
				switch {
				case ok && idKnown && v == id:
					match = true
				case !ok && ref.unknown() && len(refs(ref)) == 0:
					undecided = fmt.Sprintf("cannot tell which cluster %s belongs to: %s", ci.in.Address(ci.r), ref.v.Reason())
				}
			}
			if !match {
				continue
			}
			n, ok := ci.in.Count(ci.r.Block)
			if !ok {
				undecided = fmt.Sprintf("cannot tell how many instances %s makes: its count or for_each is not known", ci.in.Address(ci.r))
				continue
			}
			total += n
			members = append(members, ci.in.Address(ci.r))
		}
		switch {
		case total >= 2:
			continue
		case undecided != "":
			s.undecided(ctlRedundancy, x.r.Pos, x.label(), undecided)
			continue
		case total == 0:
			s.undecided(ctlRedundancy, x.r.Pos, x.label(), "no aws_rds_cluster_instance of its module refers to it, so the number of its instances is not known")
			continue
		}
		s.report(x, issue{
			control: ctlRedundancy, rule: RuleAuroraSingleInstance, key: "instances",
			message: fmt.Sprintf("%s has a single instance (%s), so when that instance or its Availability Zone fails there is no replica to promote and the database is down until a new instance is created (%s).", x.label(), strings.Join(members, ", "), envWhy(e)),
			fix:     fmt.Sprintf("Run two or more instances in different Availability Zones, for example count = 2 on %s, or record the decision as an approved deviation.", members[0]),
		})
	}
}

func (s *scan) cacheFailover() {
	for _, x := range s.resources("aws_elasticache_replication_group") {
		e := s.env(x)
		if e.class == envNonProduction {
			continue
		}
		a := x.arg("automatic_failover_enabled")
		st, why := boolState(a)
		switch st {
		case stTrue:
			continue
		case stUnknown:
			s.undecided(ctlRedundancy, a.attr.Pos, x.label(), "cannot tell if automatic_failover_enabled is true: "+why)
			continue
		}
		what := "does not set automatic_failover_enabled (the default is false)"
		if st == stFalse {
			what = "sets " + describe("automatic_failover_enabled", a.v)
		}
		nodes := x.arg("num_cache_clusters")
		if !nodes.set() {
			nodes = x.arg("number_cache_clusters")
		}
		if n, ok := nodes.number(); ok && n <= 1 {
			what += " and runs a single node (" + describe(nodes.attr.Name, nodes.v) + ")"
		}
		s.report(x, issue{
			control: ctlRedundancy, rule: RuleElastiCacheFailover, attr: a.attr, key: "automatic_failover_enabled",
			message: fmt.Sprintf("%s %s, so when the primary node fails no replica is promoted and the cache is unavailable until the node is replaced (%s).", x.label(), what, envWhy(e)),
			fix:     "Set automatic_failover_enabled = true and multi_az_enabled = true with num_cache_clusters = 2 or more, so a replica in another Availability Zone takes over when the primary fails.",
		})
	}
}
