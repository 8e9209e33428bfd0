package terraform

import "fmt"

// logGroups checks that CloudWatch log groups expire their events (SC-5): without
// retention_in_days, or with 0, CloudWatch keeps them forever.
func (s *scan) logGroups() {
	for _, x := range s.resources("aws_cloudwatch_log_group") {
		ret := x.arg("retention_in_days")
		var msg string
		switch {
		case !ret.set():
			msg = fmt.Sprintf("%s does not set retention_in_days, so CloudWatch keeps its log events forever.", x.label())
		case ret.unknown():
			s.undecided(ctlLogs, ret.attr.Pos, x.label(), "cannot tell how long its events are kept: retention_in_days "+ret.v.Reason())
			continue
		default:
			n, ok := ret.number()
			if !ok {
				s.undecided(ctlLogs, ret.attr.Pos, x.label(), "retention_in_days is "+ret.v.Display()+", not a number")
				continue
			}
			if n > 0 {
				continue
			}
			msg = fmt.Sprintf("%s sets %s, which means never expire, so CloudWatch keeps its log events forever.", x.label(), describe("retention_in_days", ret.v))
		}
		s.report(x, issue{
			control: ctlLogs, rule: RuleLogGroupRetention, attr: ret.attr, key: "retention_in_days", message: msg,
			fix: "Set retention_in_days to the period the logs are needed for (for example retention_in_days = 90); CloudWatch accepts 1 to 3653 days.",
		})
	}
}
