package cron

import (
	"math/bits"
	"time"
)

// Next returns the first fire strictly after `after`, in loc (nil means UTC),
// or the zero Time if the schedule does not fire within 5 years.
func (s *Schedule) Next(after time.Time, loc *time.Location) time.Time {
	// Fires are on whole minutes, so the first fire at or after after+1ns is the
	// first one strictly after `after`.
	return s.NextAtOrAfter(after.Add(time.Nanosecond), loc)
}

// NextAtOrAfter returns the first fire at or after t (t rounded up to a whole minute),
// in loc (nil means UTC), or the zero Time if there is none within 5 years.
//
// Fires are wall-clock minutes of loc: a wall time skipped by a DST jump does not
// fire, and a wall time that occurs twice fires only at its first occurrence.
func (s *Schedule) NextAtOrAfter(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	local := t.In(loc)
	w := wallMinute{
		year: local.Year(), month: int(local.Month()), day: local.Day(),
		hour: local.Hour(), minute: local.Minute(),
	}
	if local.Second() != 0 || local.Nanosecond() != 0 {
		w.minute++
	}
	limit := t.AddDate(horizonYears, 0, 0)
	lastYear := w.year + horizonYears
	// Each step either returns or moves w forward to the next month, day, hour or
	// matching minute, so a search costs at most a few thousand cheap steps.
	for {
		if w.minute > 59 {
			w.minute, w.hour = 0, w.hour+1
		}
		if w.hour > 23 {
			w.hour, w.day = 0, w.day+1
		}
		if w.day > daysIn(w.year, w.month) {
			w.day, w.month = 1, w.month+1
		}
		if w.month > 12 {
			w.month, w.year = 1, w.year+1
		}
		if w.year > lastYear {
			return time.Time{}
		}
		if s.months&(1<<w.month) == 0 {
			if next := nextInSet(s.months, w.month); next > 0 {
				w.month = next
			} else {
				w.month, w.year = 1, w.year+1
			}
			w.day, w.hour, w.minute = 1, 0, 0
			continue
		}
		if !s.dayMatches(w.year, w.month, w.day) {
			w.day, w.hour, w.minute = w.day+1, 0, 0
			continue
		}
		if s.hours&(1<<w.hour) == 0 {
			if next := nextInSet(s.hours, w.hour); next >= 0 {
				w.hour = next
			} else {
				w.hour, w.day = 0, w.day+1
			}
			w.minute = 0
			continue
		}
		next := nextInSet(s.minutes, w.minute)
		if next < 0 {
			w.hour, w.minute = w.hour+1, 0
			continue
		}
		w.minute = next
		if fire, ok := firstOccurrence(w, loc); ok && !fire.Before(t) {
			if fire.After(limit) {
				return time.Time{}
			}
			return fire
		}
		w.minute++
	}
}

// NextAfterFire returns the fire that follows a fire at `last`: the first match at or
// after last+MinInterval, so snapshots are never taken more often than every 10 minutes.
func (s *Schedule) NextAfterFire(last time.Time, loc *time.Location) time.Time {
	return s.NextAtOrAfter(last.Add(MinInterval), loc)
}

// NextFires returns up to n fire times strictly after `after`, with the 10-minute
// floor applied between consecutive fires. It stops early if the schedule does not
// fire within 5 years of the previous fire.
func (s *Schedule) NextFires(after time.Time, loc *time.Location, n int) []time.Time {
	if n <= 0 {
		return nil
	}
	fires := make([]time.Time, 0, n)
	for fire := s.Next(after, loc); !fire.IsZero() && len(fires) < n; fire = s.NextAfterFire(fire, loc) {
		fires = append(fires, fire)
	}
	return fires
}

// dayMatches applies the day rule to a calendar date.
func (s *Schedule) dayMatches(year, month, day int) bool {
	return s.dayRule(day, isoWeekday(year, month, day))
}

type wallMinute struct{ year, month, day, hour, minute int }

func wallOf(t time.Time) wallMinute {
	year, month, day := t.Date()
	hour, minute, _ := t.Clock()
	return wallMinute{year, int(month), day, hour, minute}
}

// firstOccurrence returns the earliest instant whose wall clock in loc reads w, and
// false when DST skips w. Zone offsets are taken 12 hours either side of a first guess,
// which covers any transition near w (zones do not change offset twice within a day).
func firstOccurrence(w wallMinute, loc *time.Location) (time.Time, bool) {
	month := time.Month(w.month)
	wallAsUTC := time.Date(w.year, month, w.day, w.hour, w.minute, 0, 0, time.UTC).Unix()
	guess := time.Date(w.year, month, w.day, w.hour, w.minute, 0, 0, loc)
	var first time.Time
	found := false
	for _, probe := range [...]time.Time{guess.Add(-12 * time.Hour), guess, guess.Add(12 * time.Hour)} {
		_, offset := probe.Zone()
		candidate := time.Unix(wallAsUTC-int64(offset), 0).In(loc)
		if wallOf(candidate) == w && (!found || candidate.Before(first)) {
			first, found = candidate, true
		}
	}
	return first, found
}

// nextInSet returns the smallest member of set that is >= from, or -1.
func nextInSet(set uint64, from int) int {
	if from > 63 {
		return -1
	}
	rest := set & (^uint64(0) << from)
	if rest == 0 {
		return -1
	}
	return bits.TrailingZeros64(rest)
}

func isLeap(year int) bool { return year%4 == 0 && (year%100 != 0 || year%400 == 0) }

func daysIn(year, month int) int {
	switch month {
	case 2:
		if isLeap(year) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// isoWeekday returns 1 for Monday through 7 for Sunday.
func isoWeekday(year, month, day int) int {
	weekday := int(time.Date(year, time.Month(month), day, 12, 0, 0, 0, time.UTC).Weekday())
	if weekday == 0 {
		return 7
	}
	return weekday
}
