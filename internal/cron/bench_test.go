package cron

import (
	"testing"
	"time"
)

// BenchmarkNext measures one Next call, chaining from the previous fire so every call
// does a real search (the scheduler calls Next for each of ~10,000 policies).
func BenchmarkNext(b *testing.B) {
	newYork := mustLoad(b, "America/New_York")
	cases := []struct {
		name, expr string
		loc        *time.Location
	}{
		{"daily/UTC", "15 10 * * *", time.UTC},
		{"every5min/UTC", "0/5 14,18 * * *", time.UTC},
		{"wednesdaysInMarch/NewYork", "10,44 14 * 3 WED", newYork},
		{"firstOrFriday/NewYork", "0 12 1 * 5", newYork},
		{"leapDay/UTC", "0 0 29 2 *", time.UTC},
	}
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			s := mustParse(b, bc.expr)
			after := start
			b.ReportAllocs()
			for b.Loop() {
				after = s.Next(after, bc.loc)
				if after.IsZero() || after.Year() > 2200 {
					after = start
				}
			}
		})
	}
}
