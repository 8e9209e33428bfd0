package terraform

import (
	"fmt"
	"strings"
)

// replicas checks that production services are not pinned to one instance (SC-3). Only
// production is judged: a single instance is normal for development. A service whose
// environment cannot be told would be judged on a guess, so it is reported as undecided.
func (s *scan) replicas() {
	for _, x := range s.resources("aws_autoscaling_group") {
		maxSize, desired := x.arg("max_size"), x.arg("desired_capacity")
		var what string
		switch {
		case maxSize.unknown():
			s.undecidedReplicas(x, "cannot tell how many instances it may run: max_size "+maxSize.v.Reason())
			continue
		case isNumber(maxSize, 1):
			what = "sets " + describe("max_size", maxSize.v) + ", so it can never run more than one instance"
		case isNumber(maxSize, 0):
			continue // Scaled to nothing: it runs no service.
		case desired.unknown():
			s.undecidedReplicas(x, "cannot tell how many instances it runs: desired_capacity "+desired.v.Reason())
			continue
		case isNumber(desired, 1):
			what = "sets " + describe("desired_capacity", desired.v) + ", so it runs a single instance"
		default:
			continue
		}
		at := maxSize
		if !isNumber(maxSize, 1) {
			at = desired
		}
		s.singleInstance(x, issue{
			control: ctlReplicas, rule: RuleASGSingleInstance, attr: at.attr, key: "size",
			fix: "Set min_size = 2 and desired_capacity = 2 or more, with max_size above them, across subnets in two or more Availability Zones (vpc_zone_identifier), and keep instance state off local disk.",
		}, what)
	}
	for _, x := range s.resources("aws_ecs_service") {
		if strategy, _ := x.arg("scheduling_strategy").str(); strategy == "DAEMON" {
			continue
		}
		count := x.arg("desired_count")
		switch {
		case count.unknown():
			s.undecidedReplicas(x, "cannot tell how many tasks it runs: desired_count "+count.v.Reason())
			continue
		case !isNumber(count, 1):
			continue
		}
		scaled, why := s.autoscaledMinimum(x)
		switch {
		case scaled >= 2:
			continue
		case why != "":
			s.undecidedReplicas(x, why)
			continue
		}
		s.singleInstance(x, issue{
			control: ctlReplicas, rule: RuleECSSingleTask, attr: count.attr, key: "desired_count",
			fix: "Set desired_count = 2 or more (or add an aws_appautoscaling_target with min_capacity = 2) and spread the tasks across Availability Zones; keep task state off the container's local disk.",
		}, "sets "+describe("desired_count", count.v)+" and no aws_appautoscaling_target raises its minimum, so the service runs as a single task")
	}
}

func isNumber(a arg, n float64) bool {
	v, ok := a.number()
	return ok && a.set() && v == n
}

// autoscaledMinimum finds an Application Auto Scaling target for an ECS service (its
// resource_id refers to the service) and returns its min_capacity.
func (s *scan) autoscaledMinimum(svc subject) (int, string) {
	best, why := 0, ""
	for _, x := range s.resources("aws_appautoscaling_target") {
		if x.in != svc.in {
			continue
		}
		found := false
		for _, r := range refs(x.arg("resource_id")) {
			found = found || r == svc.r.Address()
		}
		if !found {
			continue
		}
		minCap := x.arg("min_capacity")
		n, ok := minCap.number()
		if !ok {
			why = fmt.Sprintf("cannot tell the minimum number of tasks %s keeps: min_capacity %s", x.in.Address(x.r), minCap.v.Reason())
			continue
		}
		if int(n) > best {
			best = int(n)
		}
	}
	return best, why
}

// singleInstance reports a service pinned to one instance when it runs in production,
// and leaves the control undecided when its environment cannot be told.
func (s *scan) singleInstance(x subject, is issue, what string) {
	e := s.env(x)
	switch e.class {
	case envNonProduction:
		return
	case envUnclassified:
		at := x.r.Pos
		if is.attr != nil {
			at = is.attr.Pos
		}
		s.undecided(ctlReplicas, at, x.label(), strings.TrimPrefix(what, "sets ")+", but posture cannot tell if it runs in production: "+e.why)
		return
	}
	is.message = fmt.Sprintf("%s %s, and it runs in production (%s): while that one %s is failing or being replaced, the service is down.", x.label(), what, e.why, unit(x))
	s.report(x, is)
}

func unit(x subject) string {
	if x.r.Type == "aws_ecs_service" {
		return "task"
	}
	return "instance"
}

func (s *scan) undecidedReplicas(x subject, why string) {
	if s.env(x).class == envNonProduction {
		return
	}
	s.undecided(ctlReplicas, x.r.Pos, x.label(), why)
}
