package cron

import (
	"strings"
	"testing"
	"time"
)

// TestTenMinuteWarningIsExact: the warning is computed from the field sets, including
// wrap-around from one hour to the next and from 23:xx to 00:xx of a following day.
func TestTenMinuteWarningIsExact(t *testing.T) {
	tests := []struct {
		expr    string
		example string // "" when no warning is expected
	}{
		{"15 10 * * *", ""},
		{"0/5 14 * * *", "5 minutes apart, e.g. 14:00 then 14:05"},
		{"0,55 * * * *", "5 minutes apart, e.g. 00:55 then 01:00"},
		{"55 * * * *", ""},
		{"*/10 * * * *", ""},
		{"5,55 * * * *", ""}, // 55 -> 05 of the next hour is exactly 10 minutes
		{"0,51 * * * *", "9 minutes apart, e.g. 00:51 then 01:00"},
		{"0,55 9,11 * * *", ""}, // hours not adjacent
		{"0,55 9,10 * * *", "09:55 then 10:00"},
		{"0,55 0,23 * * *", "23:55 then 00:00 the next day"},
		{"0,55 0,23 1 * *", ""},                                    // the 1st never follows the 1st
		{"0,55 0,23 1,2 * *", "23:55 then 00:00 the next day"},     // 1st -> 2nd
		{"0,55 0,23 28,1 2,3 *", "23:55 then 00:00 the next day"},  // Feb 28 -> Mar 1 in common years
		{"0,55 0,23 29,1 2,3 *", "23:55 then 00:00 the next day"},  // Feb 29 -> Mar 1
		{"0,55 0,23 28,1 2 *", ""},                                 // Feb 28 -> Feb 1 never
		{"0,55 0,23 31 12 *", ""},                                  // Dec 31 -> Jan 1 not selected
		{"0,55 0,23 1,31 1,12 *", "23:55 then 00:00 the next day"}, // Dec 31 -> Jan 1 across the year
		{"0,55 0,23 * * SUN", ""},
		{"0,55 0,23 * * SAT,SUN", "23:55 then 00:00 the next day"},
		{"0,55 0,23 31 * MON", "23:55 then 00:00 the next day"}, // OR: a Sunday 31st then Monday
		{"0,55 0,23 */2 * *", "23:55 then 00:00 the next day"},  // the 31st then the 1st
		{"0,55 0,23 */2 2,4 *", ""},                             // 29 Feb -> 1 Mar not selected; Apr 29 -> 30 no
		{"* 14 * * *", "1 minutes apart"},
	}
	for _, tt := range tests {
		warnings := mustParse(t, tt.expr).Warnings()
		if tt.example == "" {
			if warnings != nil {
				t.Errorf("%q: Warnings() = %q, want nil", tt.expr, warnings)
			}
			continue
		}
		if len(warnings) != 1 || !strings.Contains(warnings[0], "fires more often than every 10 minutes") ||
			!strings.Contains(warnings[0], tt.example) {
			t.Errorf("%q: Warnings() = %q, want one 10-minute warning containing %q", tt.expr, warnings, tt.example)
		}
	}
}

func TestFloorAcrossHourWrap(t *testing.T) {
	s := mustParse(t, "0,55 * * * *")
	got := formatAll(s.NextFires(time.Date(2026, 3, 2, 7, 59, 0, 0, time.UTC), time.UTC, 4), wallLayout)
	assertSameList(t, "NextFires", got, []string{
		"2026-03-02 08:00 Mon", "2026-03-02 08:55 Mon", "2026-03-02 09:55 Mon", "2026-03-02 10:55 Mon",
	})
}

func TestNextAfterFire(t *testing.T) {
	s := mustParse(t, "*/5 * * * *")
	last := time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC)
	if got := s.NextAfterFire(last, time.UTC); !got.Equal(last.Add(10 * time.Minute)) {
		t.Errorf("NextAfterFire(14:05) = %v, want 14:15", got)
	}
	// A fire that was late (the scheduler ran at 14:07) still waits 10 minutes.
	late := time.Date(2026, 3, 2, 14, 7, 0, 0, time.UTC)
	if got := s.NextAfterFire(late, time.UTC); got.Format("15:04") != "14:20" {
		t.Errorf("NextAfterFire(14:07) = %v, want 14:20", got)
	}
	if got := s.NextFires(last, time.UTC, 0); got != nil {
		t.Errorf("NextFires(n=0) = %v, want nil", got)
	}
}

func TestLeapDay(t *testing.T) {
	s := mustParse(t, "0 0 29 2 *")
	if s.Warnings() != nil {
		t.Errorf("Warnings() = %q, want nil", s.Warnings())
	}
	got := formatAll(s.NextFires(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC, 3), wallLayout)
	assertSameList(t, "leap days", got, []string{"2028-02-29 00:00 Tue", "2032-02-29 00:00 Sun", "2036-02-29 00:00 Fri"})

	// 2100 is not a leap year: from 2096-03-01 the next Feb 29 (2104) is beyond the 5-year horizon.
	if got := s.Next(time.Date(2096, 3, 1, 0, 0, 0, 0, time.UTC), time.UTC); !got.IsZero() {
		t.Errorf("Next after 2096-03-01 = %v, want the zero Time (2104 is beyond 5 years)", got)
	}

	// Feb 29 restricted to some weekdays can be decades away: valid, with a warning.
	rare := mustParse(t, "0 0 29 2 */7")
	if w := rare.Warnings(); len(w) != 1 || !strings.Contains(w[0], "February 29") {
		t.Errorf("Warnings() = %q, want a February 29 warning", w)
	}
	if got := rare.Next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC); !got.IsZero() {
		t.Errorf("%q: Next = %v, want the zero Time (next Monday Feb 29 is 2044)", rare, got)
	}
	if got := rare.Next(time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC), time.UTC); got.Format(wallLayout) != "2044-02-29 00:00 Mon" {
		t.Errorf("%q: Next from 2040 = %v, want 2044-02-29 Monday", rare, got)
	}
}
