package cron

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

type fieldSpec struct {
	name      string
	min, max  int
	names     []string // names[i] names the value min+i; nil when the field takes numbers only
	rangeNote string   // appended to the range in out-of-range errors
}

var fieldSpecs = [5]fieldSpec{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31},
	{
		name: "month", min: 1, max: 12,
		names:     []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"},
		rangeNote: " (or JAN-DEC)",
	},
	{
		name: "day-of-week", min: 1, max: 7,
		names:     []string{"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"},
		rangeNote: " (1 = Monday, 7 = Sunday; or MON-SUN)",
	},
}

// fieldParser parses one field; it exists to build errors that name the field.
type fieldParser struct {
	spec *fieldSpec
	text string // the whole field as written
}

func (p *fieldParser) fail(value, format string, args ...any) *FieldError {
	return &FieldError{Field: p.spec.name, Value: value, Reason: fmt.Sprintf(format, args...)}
}

// parseField returns the set of values the field matches and its normalized text.
func parseField(spec *fieldSpec, text string) (uint64, string, error) {
	p := &fieldParser{spec: spec, text: text}
	switch {
	case strings.Contains(text, "?"):
		return 0, "", p.fail(text, `"?" is not supported: use "*" to ignore a field`)
	case strings.Contains(text, "#"):
		return 0, "", p.fail(text, `"#" (n-th weekday of the month) is not supported: `+
			`use "* , - /" only, for example "1-7" in day-of-month with a weekday (which combine with OR)`)
	case strings.Contains(text, "@"):
		return 0, "", p.fail(text, `"@" descriptors such as "@daily" are not supported: `+
			`write the 5 fields, for example "0 0 * * *"`)
	}
	var set uint64
	for _, item := range strings.Split(p.text, ",") {
		if item == "" {
			return 0, "", p.fail(text, `empty list item in %q: remove the extra ","`, text)
		}
		itemSet, err := p.parseItem(item)
		if err != nil {
			return 0, "", err
		}
		set |= itemSet
	}
	return set, asciiUpper(text), nil
}

// parseItem parses one list item: "*", "a", "a-b", each optionally followed by "/step".
// "a/step" runs from a to the field's maximum; "*/step" from its minimum.
func (p *fieldParser) parseItem(item string) (uint64, error) {
	base, stepText, hasStep := strings.Cut(item, "/")
	step := 1
	if hasStep {
		var err error
		if step, err = p.parseStep(item, stepText); err != nil {
			return 0, err
		}
	}
	low, high := p.spec.min, p.spec.max
	if base != "*" {
		if base == "" {
			return 0, p.fail(item, `missing start before "/" in %q: write "*/%s" or "%d/%s"`,
				item, stepText, p.spec.min, stepText)
		}
		lowText, highText, isRange := strings.Cut(base, "-")
		var err error
		if low, err = p.parseValue(item, lowText, "start of range"); err != nil {
			return 0, err
		}
		switch {
		case isRange:
			if high, err = p.parseValue(item, highText, "end of range"); err != nil {
				return 0, err
			}
			if high < low {
				return 0, p.fail(item, `range %q is reversed: write the smaller value first, for example "%s-%s"`,
					base, highText, lowText)
			}
		case !hasStep:
			high = low
		}
	}
	var set uint64
	for v := low; v <= high; v += step {
		set |= 1 << v
	}
	return set, nil
}

func (p *fieldParser) parseStep(item, stepText string) (int, error) {
	span := p.spec.max - p.spec.min + 1
	if stepText == "" {
		return 0, p.fail(item, `missing step after "/" in %q`, item)
	}
	if strings.Contains(stepText, "/") {
		return 0, p.fail(item, `more than one "/" in %q`, item)
	}
	step, ok := parseDigits(stepText)
	switch {
	case !ok:
		return 0, p.fail(stepText, "step %q in %q is not a number", stepText, item)
	case step == 0:
		return 0, p.fail(stepText, "step 0 in %q is not allowed: use a step of at least 1", item)
	case step > span:
		return 0, p.fail(stepText, "step %q in %q is larger than the field's range %d-%d",
			stepText, item, p.spec.min, p.spec.max)
	}
	return step, nil
}

// parseValue parses a number or, for month and day-of-week, a name.
func (p *fieldParser) parseValue(item, token, role string) (int, error) {
	spec := p.spec
	if token == "" {
		return 0, p.fail(item, "missing %s in %q", role, item)
	}
	if token == "*" {
		return 0, p.fail(item, `"*" cannot be part of a range or be combined with a value in %q: `+
			`use "*" alone or a range such as "%d-%d"`, item, spec.min, spec.max)
	}
	if n, ok := parseDigits(token); ok {
		if n < spec.min || n > spec.max {
			return 0, p.fail(token, "value %q out of range %d-%d%s", token, spec.min, spec.max, spec.rangeNote)
		}
		return n, nil
	}
	for i, name := range spec.names {
		if asciiUpper(token) == name {
			return spec.min + i, nil
		}
	}
	if isLastOrWeekdayToken(asciiUpper(token)) {
		return 0, p.fail(token, `%q: "L" and "W" are not supported: list the days explicitly, for example "28-31"`, token)
	}
	if spec.names != nil {
		return 0, p.fail(token, "%q is neither a number %d-%d nor a name %s", token,
			spec.min, spec.max, strings.Join(spec.names, ", "))
	}
	return 0, p.fail(token, "%q is not a number %d-%d", token, spec.min, spec.max)
}

// parseDigits accepts plain decimal digits only (no sign, no spaces).
func parseDigits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil { // too many digits: beyond any field's range, reported as such
		return math.MaxInt32, true
	}
	return n, true
}

// isLastOrWeekdayToken recognizes Quartz-style "L", "W", "LW", "15W", "5L".
func isLastOrWeekdayToken(token string) bool {
	trimmed := strings.TrimRight(token, "LW")
	if trimmed == token {
		return false
	}
	if trimmed == "" {
		return true
	}
	_, ok := parseDigits(trimmed)
	return ok
}

// asciiUpper upper-cases ASCII letters only, so that no Unicode folding ("ſ" ~ "s")
// lets an odd spelling through.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
