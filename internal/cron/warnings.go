package cron

import (
	"fmt"
	"math/bits"
)

// Warnings describes valid but surprising schedules; nil when there is nothing to say.
// The 10-minute check is exact for wall-clock time: it considers gaps inside an hour,
// from one hour to the next and from 23:xx to 00:xx of a following matching day.
// (A DST jump forward can shorten a gap further; the floor still applies at run time.)
func (s *Schedule) Warnings() []string {
	var warnings []string
	if gap, example := s.shortestGap(); gap < int(MinInterval.Minutes()) {
		warnings = append(warnings, fmt.Sprintf("fires more often than every 10 minutes "+
			"(%d minutes apart, e.g. %s): snapshots are taken at most every 10 minutes, "+
			"at the first scheduled time at least 10 minutes after the previous snapshot", gap, example))
	}
	if s.onlyLeapDayOnSomeWeekdays() {
		warnings = append(warnings, "fires only when February 29 falls on one of the selected weekdays, "+
			"which can be more than 5 years apart; no next fire is reported beyond 5 years")
	}
	return warnings
}

// shortestGap returns the shortest wall-clock gap in minutes between two consecutive
// fires and an example of it. Schedules that fire at most once per hour report 60 or more.
func (s *Schedule) shortestGap() (int, string) {
	minutes := members(s.minutes)
	first, last := minutes[0], minutes[len(minutes)-1]
	firstHour := members(s.hours)[0]

	gap, example := 60, ""
	for i := 1; i < len(minutes); i++ {
		if d := minutes[i] - minutes[i-1]; d < gap {
			gap = d
			example = fmt.Sprintf("%02d:%02d then %02d:%02d", firstHour, minutes[i-1], firstHour, minutes[i])
		}
	}
	wrap := 60 - last + first // from hh:last to (hh+1):first
	if wrap >= gap {
		return gap, example
	}
	for hour := 0; hour < 23; hour++ {
		if s.hours&(1<<hour) != 0 && s.hours&(1<<(hour+1)) != 0 {
			return wrap, fmt.Sprintf("%02d:%02d then %02d:%02d", hour, last, hour+1, first)
		}
	}
	if s.hours&(1<<23) != 0 && s.hours&1 != 0 && s.consecutiveDaysMatch() {
		return wrap, fmt.Sprintf("23:%02d then 00:%02d the next day", last, first)
	}
	return gap, example
}

// consecutiveDaysMatch reports whether some day and the day after it both match.
// Every (month, day, weekday) combination occurs in some year, Feb 29 included, so
// enumerating them is exact.
func (s *Schedule) consecutiveDaysMatch() bool {
	for month := 1; month <= 12; month++ {
		if s.months&(1<<month) == 0 {
			continue
		}
		for day := 1; day <= maxDaysIn(month); day++ {
			for weekday := 1; weekday <= 7; weekday++ {
				if !s.dayRule(day, weekday) {
					continue
				}
				nextWeekday := weekday%7 + 1
				for _, next := range followingDays(month, day) {
					if s.months&(1<<next[0]) != 0 && s.dayRule(next[1], nextWeekday) {
						return true
					}
				}
			}
		}
	}
	return false
}

// followingDays lists the possible (month, day) after the given one in some year.
func followingDays(month, day int) [][2]int {
	nextMonth := month%12 + 1
	switch {
	case month == 2 && day == 28:
		return [][2]int{{2, 29}, {3, 1}}
	case day == maxDaysIn(month):
		return [][2]int{{nextMonth, 1}}
	}
	return [][2]int{{month, day + 1}}
}

// dayRule is dayMatches for a given day of month and ISO weekday.
func (s *Schedule) dayRule(day, weekday int) bool {
	dayOK := s.days&(1<<day) != 0
	weekdayOK := s.weekdays&(1<<weekday) != 0
	if s.daysRestricted && s.weekdaysRestricted {
		return dayOK || weekdayOK
	}
	return dayOK && weekdayOK
}

// onlyLeapDayOnSomeWeekdays detects schedules whose only possible day is Feb 29 on
// certain weekdays (e.g. "0 0 29 2 */2"): such a day can be up to 28 years away.
func (s *Schedule) onlyLeapDayOnSomeWeekdays() bool {
	if s.daysRestricted && s.weekdaysRestricted || s.weekdays == fullSet(1, 7) {
		return false
	}
	for month := 1; month <= 12; month++ {
		if s.months&(1<<month) == 0 {
			continue
		}
		for day := 1; day <= maxDaysIn(month); day++ {
			if s.days&(1<<day) != 0 && !(month == 2 && day == 29) {
				return false
			}
		}
	}
	return true
}

func fullSet(low, high int) uint64 { return daysUpTo(high) &^ daysUpTo(low-1) }

// members lists the values in set in increasing order.
func members(set uint64) []int {
	out := make([]int, 0, bits.OnesCount64(set))
	for set != 0 {
		v := bits.TrailingZeros64(set)
		out = append(out, v)
		set &^= 1 << v
	}
	return out
}
