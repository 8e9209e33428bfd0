package terraform

import (
	"fmt"
	"sort"
	"strings"

	tf "github.com/posture-dev/posture/internal/confparse/terraform"
)

// dataStoreTypes are the resources whose data a backup must preserve, with the service
// part of their ARNs. S3 buckets are left out: their protection against loss is
// versioning and replication, not a backup plan.
var dataStoreTypes = map[string]string{
	"aws_db_instance":     "rds",
	"aws_rds_cluster":     "rds",
	"aws_ebs_volume":      "ec2",
	"aws_efs_file_system": "elasticfilesystem",
	"aws_dynamodb_table":  "dynamodb",
}

// store is a data store and whether AWS Backup copies it.
type store struct {
	x       subject
	service string
	covered bool
}

// backupPlans reports, in one finding for the repository, the data stores that no AWS
// Backup plan copies (SC-4). Covered means an aws_backup_selection selects the store (by
// reference, ARN pattern or tag), or, for EFS, an aws_efs_backup_policy turns on the
// automatic backups that AWS Backup's default plan takes. Automated RDS snapshots and
// DynamoDB point-in-time recovery do not count: they are deleted or lost with the
// resource they protect. Recognisably non-production stores are left out (CD-1 keeps
// customer data out of them).
func (s *scan) backupPlans() {
	var stores []*store
	for typ, service := range dataStoreTypes {
		for _, x := range s.resources(typ) {
			if _, replica := replicaOf(x); replica {
				continue
			}
			stores = append(stores, &store{x: x, service: service})
		}
	}
	for _, x := range s.registryCalls(rdsModule) {
		if !x.arg("replicate_source_db").set() {
			stores = append(stores, &store{x: x, service: "rds"})
		}
	}
	kept := stores[:0]
	for _, st := range stores {
		if s.env(st.x).class != envNonProduction {
			kept = append(kept, st)
		}
	}
	stores = kept
	if len(stores) == 0 {
		return
	}
	sortStores(stores)

	var unresolved []string
	for _, x := range s.resources("aws_efs_backup_policy") {
		on := false
		for _, bp := range x.r.Nested("backup_policy") {
			if status, ok := argOf(x.in, bp, "status").str(); ok && status == "ENABLED" {
				on = true
			}
		}
		if !on {
			continue
		}
		targets := refs(x.arg("file_system_id"))
		for _, st := range stores {
			if st.x.in == x.in && st.x.r.Type == "aws_efs_file_system" && contains(targets, st.x.r.Address()) {
				st.covered = true
			}
		}
	}
	for _, sel := range s.resources("aws_backup_selection") {
		if why := s.applySelection(sel, stores); why != "" {
			unresolved = append(unresolved, why)
		}
	}

	var uncovered []*store
	for _, st := range stores {
		if !st.covered {
			uncovered = append(uncovered, st)
		}
	}
	if len(uncovered) == 0 {
		return
	}
	var named []*store
	for _, st := range uncovered {
		why := ""
		if len(unresolved) > 0 {
			why = unresolved[0]
		} else if file, broken := s.rootBroken(st.x.in.Root); broken {
			why = file + " does not parse and may define a backup plan for it"
		}
		if why != "" {
			s.undecided(ctlBackups, st.x.r.Pos, st.x.label(), "cannot tell if an AWS Backup plan copies it: "+why)
			continue
		}
		named = append(named, st)
	}
	uncovered = named
	if len(uncovered) == 0 {
		return
	}
	var names []string
	for i, st := range uncovered {
		if i == 8 {
			names = append(names, fmt.Sprintf("%d more", len(uncovered)-i))
			break
		}
		names = append(names, fmt.Sprintf("%s (%s)", st.x.label(), st.x.r.Pos.Short()))
	}
	what := "the Terraform configuration has no aws_backup_plan"
	if len(s.resources("aws_backup_plan")) > 0 {
		what = "the Terraform configuration has an aws_backup_plan, but no aws_backup_selection selects them"
	}
	s.add(tf.Pos{}, "no-backup-plan", issue{
		control: ctlBackups, rule: RuleNoBackupPlan,
		message: fmt.Sprintf("No AWS Backup plan copies these data stores (%s): %s. Nothing keeps a copy of their data that outlives them: RDS automated backups and DynamoDB point-in-time recovery go with the resource or the account, and EBS volumes and EFS file systems have no copy at all.", what, joinAnd(names)),
		fix:     "Add resource \"aws_backup_plan\" \"daily\" { name = \"daily\"  rule { rule_name = \"daily\"  target_vault_name = aws_backup_vault.main.name  schedule = \"cron(0 3 * * ? *)\"  lifecycle { delete_after = 35 } } } with an aws_backup_selection that lists the stores' ARNs in resources (or selects them by tag), and test a restore every six months.",
	})
}

func sortStores(stores []*store) {
	sort.SliceStable(stores, func(i, j int) bool {
		a, b := stores[i].x, stores[j].x
		if a.r.Pos.Path != b.r.Pos.Path {
			return a.r.Pos.Path < b.r.Pos.Path
		}
		if a.r.Pos.Line != b.r.Pos.Line {
			return a.r.Pos.Line < b.r.Pos.Line
		}
		return a.label() < b.label()
	})
}

// applySelection marks the stores a backup selection selects. It returns why the
// selection could not be fully resolved, if it could not.
func (s *scan) applySelection(sel subject, stores []*store) string {
	who := sel.in.Address(sel.r) + " in " + rootName(sel.in)
	res := sel.r.Attr("resources")
	if res != nil {
		elems, ok := res.Elements()
		if !ok {
			elems = []*tf.Attribute{res}
		}
		for _, e := range elems {
			if why := s.selectResource(sel, e, stores); why != "" {
				return fmt.Sprintf("%s: %s selects %s", e.Pos.Short(), who, why)
			}
		}
	}
	for _, b := range sel.r.Nested("selection_tag") {
		if b.Dynamic {
			return fmt.Sprintf("%s: %s selects by tags from a dynamic block", b.Pos.Short(), who)
		}
		typ, _ := argOf(sel.in, b, "type").str()
		key, value := argOf(sel.in, b, "key"), argOf(sel.in, b, "value")
		k, okK := key.str()
		v, okV := value.str()
		if !okK || !okV || typ != "STRINGEQUALS" {
			return fmt.Sprintf("%s: %s selects by a tag condition posture does not resolve", b.Pos.Short(), who)
		}
		selectByTag(stores, k, v)
	}
	for _, c := range sel.r.Nested("condition") {
		for _, b := range c.Blocks {
			key, value := argOf(sel.in, b, "key"), argOf(sel.in, b, "value")
			k, okK := key.str()
			v, okV := value.str()
			if b.Type != "string_equals" || b.Dynamic || !okK || !okV || !strings.HasPrefix(k, "aws:ResourceTag/") {
				return fmt.Sprintf("%s: %s selects by a condition posture does not resolve", b.Pos.Short(), who)
			}
			selectByTag(stores, strings.TrimPrefix(k, "aws:ResourceTag/"), v)
		}
	}
	return ""
}

func selectByTag(stores []*store, key, value string) {
	for _, st := range stores {
		for _, t := range resourceTags(st.x) {
			if v, ok := t.v.Str(); ok && t.key == key && v == value {
				st.covered = true
			}
		}
	}
}

// selectResource marks the stores one element of a selection's resources selects: a
// reference to a store (or to a module whose stores it then covers), "*", or an ARN
// pattern ending in "*". It returns what could not be resolved, if anything.
func (s *scan) selectResource(sel subject, e *tf.Attribute, stores []*store) string {
	addrs, mods := tf.ResourceRefs(e), tf.ModuleRefs(e)
	for _, st := range stores {
		if st.x.in == sel.in && contains(addrs, st.x.r.Address()) {
			st.covered = true
		}
		for _, m := range mods {
			inModule := st.x.in.Root == sel.in.Root && strings.HasPrefix(st.x.in.Path, sel.in.Path+"module."+m+".")
			isModule := st.x.in == sel.in && st.x.r.Type == "module" && st.x.r.Name == m
			if inModule || isModule {
				st.covered = true
			}
		}
	}
	if len(addrs) > 0 || len(mods) > 0 {
		return ""
	}
	v := sel.in.Eval(e)
	var patterns []string
	if elems, ok := v.Elements(); ok {
		for _, el := range elems {
			str, ok := el.Str()
			if !ok {
				return "resources that are not known: " + el.Reason()
			}
			patterns = append(patterns, str)
		}
	} else if str, ok := v.Str(); ok {
		patterns = append(patterns, str)
	} else {
		return "resources that are not known: " + v.Reason()
	}
	for _, p := range patterns {
		switch {
		case p == "*":
			for _, st := range stores {
				st.covered = true
			}
		case strings.HasPrefix(p, "arn:") && strings.HasSuffix(p, "*"):
			parts := strings.SplitN(p, ":", 6)
			if len(parts) < 3 {
				continue
			}
			for _, st := range stores {
				if st.service == parts[2] && (st.service != "ec2" || strings.Contains(p, "volume") || strings.HasSuffix(p, ":*")) {
					st.covered = true
				}
			}
		default:
			return fmt.Sprintf("the resource %q, which posture does not match to the configuration's resources", p)
		}
	}
	return ""
}
