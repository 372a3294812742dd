package cron

import (
	"errors"
	"strings"
	"testing"
)

// fieldErrorCases: each rule of the dialect that rejects an expression, with the field
// the error must name and a phrase the message must contain.
var fieldErrorCases = []struct {
	expr, field, value, phrase string
}{
	{"0 0 * * 0", "day-of-week", "0", `value "0" out of range 1-7 (1 = Monday, 7 = Sunday`},
	{"0 0 * * 8", "day-of-week", "8", "out of range 1-7"},
	{"0 0 ? * MON", "day-of-month", "?", `"?" is not supported: use "*" to ignore a field`},
	{"0 0 * * ?", "day-of-week", "?", `"?" is not supported`},
	{"0 0 L * *", "day-of-month", "L", `"L" and "W" are not supported`},
	{"0 0 15W * *", "day-of-month", "15W", `"L" and "W" are not supported`},
	{"0 0 LW * *", "day-of-month", "LW", `"L" and "W" are not supported`},
	{"0 0 * * 5L", "day-of-week", "5L", `"L" and "W" are not supported`},
	{"0 0 * * MON#2", "day-of-week", "MON#2", `"#" (n-th weekday of the month) is not supported`},
	{"@ * * * *", "minute", "@", `"@" descriptors`},
	{"5-3 * * * *", "minute", "5-3", `range "5-3" is reversed`},
	{"0 0 * * SUN-MON", "day-of-week", "SUN-MON", `range "SUN-MON" is reversed`},
	{"*/0 * * * *", "minute", "0", "step 0"},
	{"0 5/0 * * *", "hour", "0", "step 0"},
	{"0/61 * * * *", "minute", "61", "larger than the field's range 0-59"},
	{"1,,2 * * * *", "minute", "1,,2", "empty list item"},
	{"1, * * * *", "minute", "1,", "empty list item"},
	{",1 * * * *", "minute", ",1", "empty list item"},
	{"60 * * * *", "minute", "60", `value "60" out of range 0-59`},
	{"0 24 * * *", "hour", "24", `value "24" out of range 0-23`},
	{"0 0 0 * *", "day-of-month", "0", `value "0" out of range 1-31`},
	{"0 0 32 * *", "day-of-month", "32", `value "32" out of range 1-31`},
	{"0 0 * 0 *", "month", "0", "out of range 1-12 (or JAN-DEC)"},
	{"0 0 * 13 *", "month", "13", "out of range 1-12"},
	{"0 0 * 99999999999999999999 *", "month", "99999999999999999999", "out of range 1-12"},
	{"0 0 * FOO *", "month", "FOO", "neither a number 1-12 nor a name JAN, FEB"},
	{"0 0 * * MONDAY", "day-of-week", "MONDAY", "neither a number 1-7 nor a name MON, TUE"},
	{"0 0 * WED *", "month", "WED", "neither a number"},
	{"0 0 * * ſun", "day-of-week", "ſun", "neither a number"},
	{"a * * * *", "minute", "a", `"a" is not a number 0-59`},
	{"+5 * * * *", "minute", "+5", "not a number"},
	{"-5 * * * *", "minute", "-5", "missing start of range"},
	{"5- * * * *", "minute", "5-", "missing end of range"},
	{"/5 * * * *", "minute", "/5", `missing start before "/"`},
	{"5/ * * * *", "minute", "5/", `missing step after "/"`},
	{"*/5/2 * * * *", "minute", "*/5/2", `more than one "/"`},
	{"1-2-3 * * * *", "minute", "2-3", "not a number"},
	{"*-5 * * * *", "minute", "*-5", `"*" cannot be part of a range`},
	{"0 0 30 2 *", "day-of-month", "30", "would never fire"},
	{"0 0 31 4,6 *", "day-of-month", "31", "(April, June), so the expression would never fire"},
	{"0 0 30,31 FEB *", "day-of-month", "30,31", "would never fire"},
	{"0 0 31 2 */2", "day-of-month", "31", "would never fire"},
}

func TestParseRejectsWithFieldError(t *testing.T) {
	for _, tc := range fieldErrorCases {
		t.Run(tc.expr, func(t *testing.T) {
			s, err := Parse(tc.expr)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want an error", tc.expr, s)
			}
			var fieldErr *FieldError
			if !errors.As(err, &fieldErr) {
				t.Fatalf("Parse(%q) error %v (%T), want *FieldError", tc.expr, err, err)
			}
			if fieldErr.Field != tc.field || fieldErr.Value != tc.value {
				t.Errorf("FieldError{Field: %q, Value: %q}, want {%q, %q}", fieldErr.Field, fieldErr.Value, tc.field, tc.value)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tc.field+": ") || !strings.Contains(msg, tc.phrase) {
				t.Errorf("error %q, want it to start with %q and contain %q", msg, tc.field+": ", tc.phrase)
			}
		})
	}
}

var fieldCountErrorCases = []struct{ expr, phrase string }{
	{"", "has 0 fields, want 5"},
	{"0 0 * *", "has 4 fields, want 5: minute hour day-of-month month day-of-week"},
	{"0 0 0 * * *", "has 6 fields, want 5"},
	{"@daily", `cron descriptor "@daily" is not supported`},
	{"@every 5m", "has 2 fields"},
}

func TestParseRejectsWrongFieldCount(t *testing.T) {
	for _, tc := range fieldCountErrorCases {
		_, err := Parse(tc.expr)
		if err == nil || !strings.Contains(err.Error(), tc.phrase) {
			t.Errorf("Parse(%q) error = %v, want one containing %q", tc.expr, err, tc.phrase)
		}
		var fieldErr *FieldError
		if errors.As(err, &fieldErr) {
			t.Errorf("Parse(%q) returned a *FieldError for a whole-expression problem", tc.expr)
		}
	}
}

func TestParseNormalizesWhitespaceAndNames(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"  15   10 * *\t*  ", "15 10 * * *"},
		{"0 0 * jan-Mar mon-fri", "0 0 * JAN-MAR MON-FRI"},
		{"0\n12 * * wed", "0 12 * * WED"},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.expr)
		if s.String() != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.expr, s.String(), tt.want)
		}
	}
}

// TestParseFieldSets pins down steps, ranges and names value by value.
func TestParseFieldSets(t *testing.T) {
	tests := []struct {
		expr  string
		field int // index into the 5 fields
		want  []int
	}{
		{"3/20 * * * *", 0, []int{3, 23, 43}},
		{"*/20 * * * *", 0, []int{0, 20, 40}},
		{"10-50/20 * * * *", 0, []int{10, 30, 50}},
		{"0/60 * * * *", 0, []int{0}},
		{"0 */5 * * *", 1, []int{0, 5, 10, 15, 20}},
		{"0 9-17/4,23 * * *", 1, []int{9, 13, 17, 23}},
		{"0 0 */10 * *", 2, []int{1, 11, 21, 31}},
		{"0 0 * */4 *", 3, []int{1, 5, 9}},
		{"0 0 * nov/1 *", 3, []int{11, 12}},
		{"0 0 * * */2", 4, []int{1, 3, 5, 7}},
		{"0 0 * * SAT,7,1", 4, []int{1, 6, 7}},
		{"0 0 * * Tue-thu", 4, []int{2, 3, 4}},
		{"*,5 * * * *", 0, intRange(0, 59)},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.expr)
		sets := [5]uint64{s.minutes, s.hours, s.days, s.months, s.weekdays}
		if got := members(sets[tt.field]); !equalInts(got, tt.want) {
			t.Errorf("Parse(%q) field %s = %v, want %v", tt.expr, fieldSpecs[tt.field].name, got, tt.want)
		}
	}
}

func TestRestrictedMeansNotStartingWithStar(t *testing.T) {
	tests := []struct {
		expr                     string
		daysRestricted, weekdays bool
	}{
		{"0 0 * * *", false, false},
		{"0 0 1 * *", true, false},
		{"0 0 */2 * MON", false, true},
		{"0 0 1-31 * 1-7", true, true},
		{"0 0 *,5 * 5", false, true},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.expr)
		if s.daysRestricted != tt.daysRestricted || s.weekdaysRestricted != tt.weekdays {
			t.Errorf("Parse(%q): restricted day-of-month=%v day-of-week=%v, want %v %v",
				tt.expr, s.daysRestricted, s.weekdaysRestricted, tt.daysRestricted, tt.weekdays)
		}
	}
}

func TestImpossibleDayIsValidWhenWeekdaysAlsoRestricted(t *testing.T) {
	// Both day fields restricted: OR, so Mondays in April and June still fire.
	mustParse(t, "0 0 31 4,6 MON")
	mustParse(t, "0 0 29 2 *") // leap years
}

func TestLoadLocation(t *testing.T) {
	for _, name := range []string{"", "UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"} {
		loc, err := LoadLocation(name)
		if err != nil || loc == nil {
			t.Errorf("LoadLocation(%q) = %v, %v; want a location", name, loc, err)
		}
	}
	if loc, _ := LoadLocation(""); loc.String() != "UTC" {
		t.Errorf(`LoadLocation("") = %v, want UTC`, loc)
	}
	for _, name := range []string{"Mars/Olympus_Mons", "Local", "../etc/passwd", "america/new_york"} {
		_, err := LoadLocation(name)
		if err == nil || !strings.Contains(err.Error(), "IANA") || !strings.Contains(err.Error(), name) {
			t.Errorf("LoadLocation(%q) error = %v, want one naming the zone and saying it is not a valid IANA name", name, err)
		}
	}
}

func intRange(low, high int) []int {
	var out []int
	for v := low; v <= high; v++ {
		out = append(out, v)
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
