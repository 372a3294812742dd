package cron

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// matchesWall reports whether the wall clock of local (a time already in its zone)
// matches the schedule's fields; DST occurrence rules are not applied here.
func matchesWall(s *Schedule, local time.Time) bool {
	w := wallOf(local)
	return local.Second() == 0 && local.Nanosecond() == 0 &&
		s.minutes&(1<<w.minute) != 0 && s.hours&(1<<w.hour) != 0 &&
		s.months&(1<<w.month) != 0 && s.dayMatches(w.year, w.month, w.day)
}

var seedExampleExprs = []string{
	"15 10 * * *", "0 12 * * *", "0 10,14,16 * * *", "0/30 9-17 * * *", "* 14 * * *",
	"0-5 14 * * *", "0/5 14 * * *", "0/5 14,18 * * *", "0 12 * * WED", "15 10 15 * *",
	"10,44 14 * 3 WED", "0 12 1 * 5",
}

func FuzzParse(f *testing.F) {
	for _, expr := range seedExampleExprs {
		f.Add(expr)
	}
	for _, tc := range fieldErrorCases {
		f.Add(tc.expr)
	}
	for _, tc := range fieldCountErrorCases {
		f.Add(tc.expr)
	}
	for _, expr := range []string{"0 0 29 2 *", "0 0 29 2 */2", "0,55 0,23 28,1 2,3 *", "*/1 * * * *", "59 23 31 12 7"} {
		f.Add(expr)
	}
	newYork, err := LoadLocation("America/New_York")
	if err != nil {
		f.Fatal(err)
	}
	lordHowe, err := LoadLocation("Australia/Lord_Howe")
	if err != nil {
		f.Fatal(err)
	}
	starts := []struct {
		at  time.Time
		loc *time.Location
	}{
		{time.Date(2026, 3, 8, 1, 59, 30, 0, newYork), newYork},
		{time.Date(2026, 11, 1, 1, 30, 0, 0, newYork), newYork},
		{time.Date(2027, 12, 31, 23, 59, 0, 0, time.UTC), time.UTC},
		{time.Date(2026, 10, 4, 1, 45, 0, 0, lordHowe), lordHowe},
	}
	fieldNames := map[string]bool{}
	for _, spec := range fieldSpecs {
		fieldNames[spec.name] = true
	}

	f.Fuzz(func(t *testing.T, expr string) {
		s, err := Parse(expr)
		if err != nil {
			var fieldErr *FieldError
			if errors.As(err, &fieldErr) {
				if !fieldNames[fieldErr.Field] || !strings.HasPrefix(err.Error(), fieldErr.Field+": ") {
					t.Fatalf("Parse(%q): error %q does not name a field", expr, err)
				}
			} else if !strings.Contains(err.Error(), "minute hour day-of-month month day-of-week") {
				t.Fatalf("Parse(%q): plain error %q does not explain the 5 fields", expr, err)
			}
			return
		}
		again, err := Parse(s.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", expr, s.String(), err)
		}
		if *again != *s {
			t.Fatalf("Parse(%q) and Parse(String() = %q) differ: %+v vs %+v", expr, s.String(), *s, *again)
		}
		s.Warnings()
		for _, start := range starts {
			next := s.Next(start.at, start.loc)
			if next.IsZero() {
				if !s.onlyLeapDayOnSomeWeekdays() {
					t.Fatalf("%q: Next(%v) found no fire within 5 years", s, start.at)
				}
				continue
			}
			if !next.After(start.at) {
				t.Fatalf("%q: Next(%v) = %v, not after it", s, start.at, next)
			}
			if next.Location() != start.loc || !matchesWall(s, next) {
				t.Fatalf("%q: Next(%v) = %v does not match the schedule in %v", s, start.at, next, start.loc)
			}
			if floored := s.NextAfterFire(next, start.loc); !floored.IsZero() && floored.Before(next.Add(MinInterval)) {
				t.Fatalf("%q: NextAfterFire(%v) = %v, less than 10 minutes later", s, next, floored)
			}
		}
	})
}
