package cron

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// exampleStart is a Monday morning.
var exampleStart = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

const wallLayout = "2006-01-02 15:04 Mon"

// nextChain follows Next n times: the schedule's raw matches, without the 10-minute floor.
func nextChain(t *testing.T, s *Schedule, after time.Time, loc *time.Location, n int) []string {
	t.Helper()
	var out []string
	for i := 0; i < n; i++ {
		after = s.Next(after, loc)
		if after.IsZero() {
			break
		}
		if after.Location() != loc {
			t.Fatalf("%q: Next returned a time in %v, want %v", s, after.Location(), loc)
		}
		out = append(out, after.Format(wallLayout))
	}
	return out
}

func formatAll(times []time.Time, layout string) []string {
	out := make([]string, len(times))
	for i, t := range times {
		out[i] = t.Format(layout)
	}
	return out
}

func mustParse(t testing.TB, expr string) *Schedule {
	t.Helper()
	s, err := Parse(expr)
	if err != nil {
		t.Fatalf("Parse(%q): %v", expr, err)
	}
	return s
}

func assertSameList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got: %q\nwant: %q", what, got, want)
	}
}

// everyMinutes lists the fires on one day, in the given hours, from fromMinute to
// toMinute step apart, formatted like wallLayout.
func everyMinutes(day, weekday string, hours []int, fromMinute, toMinute, step int) []string {
	var out []string
	for _, h := range hours {
		for m := fromMinute; m <= toMinute; m += step {
			out = append(out, fmt.Sprintf("%s %02d:%02d %s", day, h, m, weekday))
		}
	}
	return out
}

// TestSeedExampleTable checks every row of the service documentation's example table.
func TestSeedExampleTable(t *testing.T) {
	mon := "2026-03-02"
	hours9to17 := []int{9, 10, 11, 12, 13, 14, 15, 16, 17}
	tests := []struct {
		expr string
		n    int
		want []string // raw matches (Next chain) from exampleStart
	}{
		{"15 10 * * *", 3, []string{"2026-03-02 10:15 Mon", "2026-03-03 10:15 Tue", "2026-03-04 10:15 Wed"}},
		{"0 12 * * *", 2, []string{"2026-03-02 12:00 Mon", "2026-03-03 12:00 Tue"}},
		{"0 10,14,16 * * *", 4, []string{"2026-03-02 10:00 Mon", "2026-03-02 14:00 Mon", "2026-03-02 16:00 Mon", "2026-03-03 10:00 Tue"}},
		{"0/30 9-17 * * *", 19, append(everyMinutes(mon, "Mon", hours9to17, 0, 30, 30), "2026-03-03 09:00 Tue")},
		{"* 14 * * *", 61, append(everyMinutes(mon, "Mon", []int{14}, 0, 59, 1), "2026-03-03 14:00 Tue")},
		{"0-5 14 * * *", 7, append(everyMinutes(mon, "Mon", []int{14}, 0, 5, 1), "2026-03-03 14:00 Tue")},
		{"0/5 14 * * *", 13, append(everyMinutes(mon, "Mon", []int{14}, 0, 55, 5), "2026-03-03 14:00 Tue")},
		{"0/5 14,18 * * *", 25, append(everyMinutes(mon, "Mon", []int{14, 18}, 0, 55, 5), "2026-03-03 14:00 Tue")},
		{"0 12 * * WED", 3, []string{"2026-03-04 12:00 Wed", "2026-03-11 12:00 Wed", "2026-03-18 12:00 Wed"}},
		{"15 10 15 * *", 3, []string{"2026-03-15 10:15 Sun", "2026-04-15 10:15 Wed", "2026-05-15 10:15 Fri"}},
		{"10,44 14 * 3 WED", 9, []string{
			"2026-03-04 14:10 Wed", "2026-03-04 14:44 Wed", "2026-03-11 14:10 Wed", "2026-03-11 14:44 Wed",
			"2026-03-18 14:10 Wed", "2026-03-18 14:44 Wed", "2026-03-25 14:10 Wed", "2026-03-25 14:44 Wed",
			"2027-03-03 14:10 Wed",
		}},
		// Day-of-month and day-of-week both restricted: the 1st OR a Friday.
		{"0 12 1 * 5", 7, []string{
			"2026-03-06 12:00 Fri", "2026-03-13 12:00 Fri", "2026-03-20 12:00 Fri", "2026-03-27 12:00 Fri",
			"2026-04-01 12:00 Wed", "2026-04-03 12:00 Fri", "2026-04-10 12:00 Fri",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			s := mustParse(t, tt.expr)
			assertSameList(t, "fires", nextChain(t, s, exampleStart, time.UTC, tt.n), tt.want)
		})
	}
}

// TestFirstOfMonthOnAFridayFiresOnce: OR semantics never double-fires a day.
func TestFirstOfMonthOnAFridayFiresOnce(t *testing.T) {
	s := mustParse(t, "0 12 1 * 5")
	got := nextChain(t, s, time.Date(2026, 4, 25, 0, 0, 0, 0, time.UTC), time.UTC, 3)
	assertSameList(t, "fires", got, []string{"2026-05-01 12:00 Fri", "2026-05-08 12:00 Fri", "2026-05-15 12:00 Fri"})
}

// TestExampleTableWithFloor: rows that match more often than every 10 minutes fire
// every 10 minutes at most, and say so in a warning.
func TestExampleTableWithFloor(t *testing.T) {
	mon := "2026-03-02"
	tests := []struct {
		expr     string
		n        int
		want     []string
		warnings bool
	}{
		{"0/5 14 * * *", 7, append(everyMinutes(mon, "Mon", []int{14}, 0, 50, 10), "2026-03-03 14:00 Tue"), true},
		{"* 14 * * *", 7, append(everyMinutes(mon, "Mon", []int{14}, 0, 50, 10), "2026-03-03 14:00 Tue"), true},
		{"0-5 14 * * *", 2, []string{"2026-03-02 14:00 Mon", "2026-03-03 14:00 Tue"}, true},
		{"0/5 14,18 * * *", 13, append(everyMinutes(mon, "Mon", []int{14, 18}, 0, 50, 10), "2026-03-03 14:00 Tue"), true},
		{"0/30 9-17 * * *", 3, []string{"2026-03-02 09:00 Mon", "2026-03-02 09:30 Mon", "2026-03-02 10:00 Mon"}, false},
		{"15 10 * * *", 2, []string{"2026-03-02 10:15 Mon", "2026-03-03 10:15 Tue"}, false},
		{"0 10,14,16 * * *", 3, []string{"2026-03-02 10:00 Mon", "2026-03-02 14:00 Mon", "2026-03-02 16:00 Mon"}, false},
		{"10,44 14 * 3 WED", 2, []string{"2026-03-04 14:10 Wed", "2026-03-04 14:44 Wed"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			s := mustParse(t, tt.expr)
			got := formatAll(s.NextFires(exampleStart, time.UTC, tt.n), wallLayout)
			assertSameList(t, "NextFires", got, tt.want)
			if warned := len(s.Warnings()) > 0; warned != tt.warnings {
				t.Errorf("Warnings() = %q, want warning: %v", s.Warnings(), tt.warnings)
			}
		})
	}
}
