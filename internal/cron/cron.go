// Package cron implements the managed service's 5-field cron dialect
// (`minute hour day-of-month month day-of-week`, day-of-week 1 = Monday ... 7 = Sunday),
// shared by the engine's snapshot scheduler and the Terraform provider's validation.
package cron

import (
	"errors"
	"fmt"
	"strings"
	"time"

	// Embedded zone data so that zone names resolve the same way on every machine
	// the provider or the engine runs on (Windows and slim containers have none).
	_ "time/tzdata"
)

// MinInterval is the shortest time between two scheduled snapshots: a schedule that
// matches more often fires at the first match at least MinInterval after the previous fire.
const MinInterval = 10 * time.Minute

// horizonYears bounds the search for the next fire.
const horizonYears = 5

// Schedule is a parsed cron expression. Its zero value is not useful; use Parse.
type Schedule struct {
	normalized string

	minutes  uint64 // bit i set: minute i (0-59) matches
	hours    uint64 // bits 0-23
	days     uint64 // bits 1-31 (day of month)
	months   uint64 // bits 1-12
	weekdays uint64 // bits 1-7, 1 = Monday, 7 = Sunday

	// A field is restricted when it does not begin with "*". When both day fields are
	// restricted a day matches if either matches; otherwise both must match.
	daysRestricted     bool
	weekdaysRestricted bool
}

// FieldError reports what is wrong with one field of an expression.
type FieldError struct {
	Field  string // minute, hour, day-of-month, month or day-of-week
	Value  string // the offending part of the field
	Reason string // what is wrong and, where possible, how to fix it
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// Parse parses a 5-field cron expression. Fields are separated by whitespace.
// A wrong number of fields is reported with a plain error; anything wrong inside a
// field with a *FieldError.
func Parse(expr string) (*Schedule, error) {
	fields := strings.Fields(expr)
	if len(fields) == 1 && strings.HasPrefix(fields[0], "@") {
		return nil, fmt.Errorf("cron descriptor %q is not supported: write the 5 fields "+
			"minute hour day-of-month month day-of-week, for example \"0 0 * * *\" for every day at midnight", fields[0])
	}
	if len(fields) != len(fieldSpecs) {
		return nil, fmt.Errorf("cron expression %q has %d fields, want 5: "+
			"minute hour day-of-month month day-of-week, for example \"0 12 * * *\"", expr, len(fields))
	}
	var sets [5]uint64
	normalized := make([]string, len(fields))
	for i, text := range fields {
		set, norm, err := parseField(&fieldSpecs[i], text)
		if err != nil {
			return nil, err
		}
		sets[i], normalized[i] = set, norm
	}
	s := &Schedule{
		normalized:         strings.Join(normalized, " "),
		minutes:            sets[0],
		hours:              sets[1],
		days:               sets[2],
		months:             sets[3],
		weekdays:           sets[4],
		daysRestricted:     !strings.HasPrefix(fields[2], "*"),
		weekdaysRestricted: !strings.HasPrefix(fields[4], "*"),
	}
	if err := s.checkCanFire(normalized[2], normalized[3]); err != nil {
		return nil, err
	}
	return s, nil
}

// String returns the normalized expression: fields separated by one space, names in
// upper case. It parses back to the same schedule.
func (s *Schedule) String() string { return s.normalized }

// checkCanFire rejects day/month combinations that exist in no year, such as
// "30 2" or "31 4,6". When both day fields are restricted the weekdays alone fire.
func (s *Schedule) checkCanFire(daysText, monthsText string) error {
	if s.daysRestricted && s.weekdaysRestricted {
		return nil
	}
	for month := 1; month <= 12; month++ {
		if s.months&(1<<month) != 0 && s.days&daysUpTo(maxDaysIn(month)) != 0 {
			return nil
		}
	}
	var monthNames []string
	for month := 1; month <= 12; month++ {
		if s.months&(1<<month) != 0 {
			monthNames = append(monthNames, time.Month(month).String())
		}
	}
	return &FieldError{
		Field: "day-of-month",
		Value: daysText,
		Reason: fmt.Sprintf("no day in %q exists in month %q (%s), so the expression would never fire: "+
			"choose days that exist in those months", daysText, monthsText, strings.Join(monthNames, ", ")),
	}
}

// daysUpTo is the set of days 1..last.
func daysUpTo(last int) uint64 { return (uint64(1) << (last + 1)) - 1 }

// maxDaysIn is the longest a month can be in any year (February: 29).
func maxDaysIn(month int) int {
	if month == 2 {
		return 29
	}
	return daysIn(2001, month)
}

// LoadLocation resolves an IANA time zone name; "" means UTC.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" || name == "UTC" {
		return time.UTC, nil
	}
	if name == "Local" {
		return nil, errors.New(`time zone "Local" depends on the machine's settings: ` +
			`use an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC"`)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q is not a valid IANA time zone name: "+
			"use a name such as \"Europe/Berlin\", \"America/New_York\" or \"UTC\"", name)
	}
	return loc, nil
}
