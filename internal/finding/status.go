package finding

// Status is the outcome of one control on one target.
type Status string

const (
	Pass          Status = "pass"
	Fail          Status = "fail"
	Deviation     Status = "deviation"
	NotApplicable Status = "not-applicable"
	Unknown       Status = "unknown"
)

// Statuses lists every status in the order reports show them.
var Statuses = []Status{Fail, Unknown, Deviation, Pass, NotApplicable}
