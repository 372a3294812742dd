package cron

import (
	"testing"
	"time"
)

const offsetLayout = "2006-01-02T15:04-07:00"

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustInstant(t testing.TB, value string) time.Time {
	t.Helper()
	ts, err := time.Parse(offsetLayout, value)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestDSTNewYork(t *testing.T) {
	newYork := mustLoad(t, "America/New_York")
	tests := []struct {
		name, expr, after string
		want              []string
	}{
		{
			// 2026-03-08 02:00 EST jumps to 03:00 EDT: 02:30 does not exist that day.
			name: "skipped wall time does not fire", expr: "30 2 * * *", after: "2026-03-07T00:00-05:00",
			want: []string{"2026-03-07T02:30-05:00", "2026-03-09T02:30-04:00", "2026-03-10T02:30-04:00"},
		},
		{
			// 2026-11-01 01:00-01:59 happens twice: fires at the first (EDT) occurrence only.
			name: "repeated wall time fires once", expr: "30 1 * * *", after: "2026-10-31T00:00-04:00",
			want: []string{"2026-10-31T01:30-04:00", "2026-11-01T01:30-04:00", "2026-11-02T01:30-05:00"},
		},
		{
			name: "from inside the second occurrence", expr: "30 1 * * *", after: "2026-11-01T01:10-05:00",
			want: []string{"2026-11-02T01:30-05:00"},
		},
		{
			name: "every 15 minutes across spring forward", expr: "*/15 * * * *", after: "2026-03-08T01:15-05:00",
			want: []string{"2026-03-08T01:30-05:00", "2026-03-08T01:45-05:00", "2026-03-08T03:00-04:00", "2026-03-08T03:15-04:00"},
		},
		{
			name: "every 15 minutes across fall back", expr: "*/15 * * * *", after: "2026-11-01T00:30-04:00",
			want: []string{
				"2026-11-01T00:45-04:00", "2026-11-01T01:00-04:00", "2026-11-01T01:15-04:00", "2026-11-01T01:30-04:00",
				"2026-11-01T01:45-04:00", "2026-11-01T02:00-05:00", "2026-11-01T02:15-05:00",
			},
		},
		{
			name: "every 15 minutes from inside the repeated hour", expr: "*/15 * * * *", after: "2026-11-01T01:10-05:00",
			want: []string{"2026-11-01T02:00-05:00"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.expr)
			after := mustInstant(t, tt.after)
			var got []string
			for range tt.want {
				after = s.Next(after, newYork)
				got = append(got, after.Format(offsetLayout))
			}
			assertSameList(t, tt.expr, got, tt.want)
		})
	}
}

func TestNextAtOrAfterRoundsUpToWholeMinute(t *testing.T) {
	s := mustParse(t, "* * * * *")
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	if got := s.NextAtOrAfter(start, time.UTC); !got.Equal(start) {
		t.Errorf("NextAtOrAfter(08:00:00) = %v, want 08:00 itself", got)
	}
	if got := s.NextAtOrAfter(start.Add(time.Second), time.UTC); !got.Equal(start.Add(time.Minute)) {
		t.Errorf("NextAtOrAfter(08:00:01) = %v, want 08:01", got)
	}
	if got := s.Next(start, time.UTC); !got.Equal(start.Add(time.Minute)) {
		t.Errorf("Next(08:00:00) = %v, want 08:01 (strictly after)", got)
	}
	if got := s.Next(start.Add(59*time.Second), time.UTC); !got.Equal(start.Add(time.Minute)) {
		t.Errorf("Next(08:00:59) = %v, want 08:01", got)
	}
}

func TestNextReturnsTimeInRequestedZone(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	s := mustParse(t, "0 12 * * *")
	got := s.Next(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), berlin)
	if got.Location() != berlin || got.Format(offsetLayout) != "2026-06-01T12:00+02:00" {
		t.Errorf("Next in Berlin = %v (%v), want 2026-06-01T12:00+02:00 in Europe/Berlin", got, got.Location())
	}
	if got := s.Next(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), nil); got.Location() != time.UTC || got.Hour() != 12 {
		t.Errorf("Next with nil location = %v, want 12:00 UTC", got)
	}
}

// bruteForceFires steps through every minute from `from` to `to` and applies the rules
// literally: a wall minute fires the first time the clock shows it.
func bruteForceFires(s *Schedule, from, to time.Time, loc *time.Location) []time.Time {
	seen := map[wallMinute]bool{}
	var fires []time.Time
	// Start a day early so that wall minutes shown before `from` count as already seen.
	for t := from.Add(-24 * time.Hour).Truncate(time.Minute); !t.After(to); t = t.Add(time.Minute) {
		local := t.In(loc)
		w := wallOf(local)
		first := !seen[w]
		seen[w] = true
		if first && t.After(from) && matchesWall(s, local) {
			fires = append(fires, local)
		}
	}
	return fires
}

// TestNextAgreesWithBruteForce compares Next and the floored NextFires with a literal
// minute-by-minute evaluation around DST transitions, in zones with 1-hour and
// 30-minute shifts and in UTC.
func TestNextAgreesWithBruteForce(t *testing.T) {
	windows := []struct {
		zone, from string
	}{
		{"America/New_York", "2026-03-07T12:00-05:00"},
		{"America/New_York", "2026-10-31T12:00-04:00"},
		{"Europe/Berlin", "2026-03-28T12:00+01:00"},
		{"Europe/Berlin", "2026-10-24T12:00+02:00"},
		{"Australia/Lord_Howe", "2026-04-04T12:00+11:00"}, // 30-minute shift back
		{"Australia/Lord_Howe", "2026-10-03T12:00+10:30"}, // 30-minute shift forward
		{"UTC", "2028-02-27T12:00+00:00"},
	}
	exprs := []string{
		"*/15 * * * *", "30 2 * * *", "30 1 * * *", "0,55 * * * *", "*/7 1-3 * * *",
		"0 0 29 2 *", "10,44 14 * 3 WED", "0 12 1 * 5", "* 2 * * *", "0/5 14,18 * * *", "45 2,3 * * SUN",
	}
	for _, window := range windows {
		loc := mustLoad(t, window.zone)
		from := mustInstant(t, window.from)
		to := from.Add(60 * time.Hour)
		for _, expr := range exprs {
			s := mustParse(t, expr)
			want := bruteForceFires(s, from, to, loc)
			var got []time.Time
			for fire := s.Next(from, loc); !fire.After(to); fire = s.Next(fire, loc) {
				got = append(got, fire)
			}
			assertSameList(t, window.zone+" "+window.from+" "+expr+" Next",
				formatAll(got, offsetLayout), formatAll(want, offsetLayout))

			var wantFloored []time.Time
			for _, fire := range want {
				if len(wantFloored) == 0 || !fire.Before(wantFloored[len(wantFloored)-1].Add(MinInterval)) {
					wantFloored = append(wantFloored, fire)
				}
			}
			gotFloored := s.NextFires(from, loc, len(wantFloored)+1)
			if len(gotFloored) > len(wantFloored) && !gotFloored[len(wantFloored)].After(to) {
				t.Errorf("%s %s: NextFires has an extra fire %v inside the window", window.zone, expr, gotFloored[len(wantFloored)])
			}
			if len(gotFloored) > len(wantFloored) {
				gotFloored = gotFloored[:len(wantFloored)]
			}
			assertSameList(t, window.zone+" "+window.from+" "+expr+" NextFires",
				formatAll(gotFloored, offsetLayout), formatAll(wantFloored, offsetLayout))
		}
	}
}
