package policy

import (
	"fmt"
	"strings"
	"time"
)

// Date is a calendar day (no time of day), as policy documents state them.
type Date struct{ time.Time }

const dateLayout = "2006-01-02"

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// UnmarshalYAML accepts a bare or quoted YYYY-MM-DD.
func (d *Date) UnmarshalYAML(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"'`)
	if s == "" || s == "null" || s == "~" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalYAML writes the day only.
func (d Date) MarshalYAML() ([]byte, error) {
	if d.IsZero() {
		return []byte(`""`), nil
	}
	return []byte(d.Format(dateLayout)), nil
}

// MarshalJSON writes the day only.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte(`null`), nil
	}
	return []byte(`"` + d.Format(dateLayout) + `"`), nil
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(dateLayout)
}

// EndsBefore reports whether the whole day d is over at t: a pack that expires on day D
// is still valid for all of D (UTC).
func (d Date) EndsBefore(t time.Time) bool {
	return !d.IsZero() && !t.Before(d.AddDate(0, 0, 1))
}

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Date) UnmarshalJSON(b []byte) error {
	return d.UnmarshalYAML(b)
}
