// Package flinkconf reads Flink configuration values the way Flink itself parses them, so a value the
// engine accepts is one the cluster accepts too, and a value Flink would refuse is refused at plan time
// with the key and the accepted forms. It is pure: no I/O, no dependency on the rest of the engine.
package flinkconf

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// DurationForms describes what ParseDuration accepts, for error messages.
const DurationForms = `a whole number with an optional unit, as Flink writes durations: ` +
	`"129600000" (no unit = milliseconds), "500 ms", "90s", "1 min" or "1m", "36 h", "1 d"; ` +
	`units d|day(s), h|hour(s), min|m|minute(s), s|sec(s)|second(s), ms|milli(s)|millisecond(s), µs|micro(s)|microsecond(s), ns|nano(s)|nanosecond(s)`

// MemoryForms describes what ParseMemorySize accepts, for error messages.
const MemoryForms = `a whole number of bytes with an optional unit, as Flink writes memory sizes: ` +
	`"1048576", "64 mb", "1g", "512k"; units b|bytes, k|kb|kibibytes, m|mb|mebibytes, g|gb|gibibytes, ` +
	`t|tb|tebibytes (1 kb = 1024 bytes)`

// durationUnits is Flink's TimeUtils.TimeUnit table: every label, lower case, with its length.
var durationUnits = map[string]time.Duration{
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"min": time.Minute, "m": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"ms": time.Millisecond, "milli": time.Millisecond, "millis": time.Millisecond,
	"millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"µs": time.Microsecond, "micro": time.Microsecond, "micros": time.Microsecond,
	"microsecond": time.Microsecond, "microseconds": time.Microsecond,
	"ns": time.Nanosecond, "nano": time.Nanosecond, "nanos": time.Nanosecond,
	"nanosecond": time.Nanosecond, "nanoseconds": time.Nanosecond,
}

// memoryUnits is Flink's MemorySize.MemoryUnit table.
var memoryUnits = map[string]int64{
	"": 1, "b": 1, "bytes": 1,
	"k": 1 << 10, "kb": 1 << 10, "kibibytes": 1 << 10,
	"m": 1 << 20, "mb": 1 << 20, "mebibytes": 1 << 20,
	"g": 1 << 30, "gb": 1 << 30, "gibibytes": 1 << 30,
	"t": 1 << 40, "tb": 1 << 40, "tebibytes": 1 << 40,
}

// javaTrim is String.trim(): it strips every character up to and including the space, nothing else.
func javaTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
}

// splitNumber splits text as Flink does: the leading ASCII digits, then the rest trimmed and lower-cased.
func splitNumber(text string) (number uint64, unit string, err error) {
	s := javaTrim(text)
	if s == "" {
		return 0, "", errors.New("the value is empty")
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, "", errors.New("the value does not start with a number")
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("the number %s does not fit in 64 bits", s[:i])
	}
	return uint64(n), strings.ToLower(javaTrim(s[i:])), nil
}

// ParseDuration parses a duration as Flink's TimeUtils.parseDuration does: a whole number, optional
// whitespace, an optional unit label (case-insensitive); no unit means milliseconds. Negative numbers,
// fractions and combined forms ("1h30m") are refused, as Flink refuses them. Durations beyond Go's
// ~292 years are refused too, and so are ISO-8601 forms ("PT1H"): Flink 2.x reads them, 1.20 does not,
// and a deployment's configuration must mean the same on both.
func ParseDuration(text string) (time.Duration, error) {
	if t := javaTrim(text); len(t) > 1 && (t[0] == 'P' || t[0] == 'p') {
		return 0, fmt.Errorf("%q is an ISO-8601 duration, which only Flink 2.x reads; write the form every Flink reads, like \"1 h\" or \"90 s\"", text)
	}
	n, unit, err := splitNumber(text)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: %v", text, err)
	}
	mult := time.Millisecond
	if unit != "" {
		var ok bool
		if mult, ok = durationUnits[unit]; !ok {
			return 0, fmt.Errorf("%q is not a duration: unknown time unit %q", text, unit)
		}
	}
	if n > uint64(math.MaxInt64/int64(mult)) {
		return 0, fmt.Errorf("%q is not a duration: longer than %v", text, time.Duration(math.MaxInt64))
	}
	return time.Duration(n) * mult, nil
}

// ParseMemorySize parses a memory size as Flink's MemorySize.parse does and returns it in bytes.
func ParseMemorySize(text string) (int64, error) {
	n, unit, err := splitNumber(text)
	if err != nil {
		return 0, fmt.Errorf("%q is not a memory size: %v", text, err)
	}
	mult, ok := memoryUnits[unit]
	if !ok {
		return 0, fmt.Errorf("%q is not a memory size: unknown unit %q", text, unit)
	}
	if n > uint64(math.MaxInt64/mult) {
		return 0, fmt.Errorf("%q is not a memory size: more than 2^63-1 bytes", text)
	}
	return int64(n) * mult, nil
}

// ParseBool parses a boolean as Flink's ConfigurationUtils does: "true" or "false" in any case.
func ParseBool(text string) (bool, error) {
	switch strings.ToLower(javaTrim(text)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", text)
}

// ParseInt parses an integer as Java's Integer.parseInt does (an optional sign, decimal digits, 32 bits).
func ParseInt(text string) (int, error) {
	n, err := strconv.ParseInt(javaTrim(text), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not a 32-bit whole number", text)
	}
	return int(n), nil
}

// FormatDuration writes d in a form every Flink version parses: the largest whole unit Flink knows
// ("90 s", "36 h", "1500 ms").
func FormatDuration(d time.Duration) string {
	for _, u := range []struct {
		label string
		d     time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"min", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond}, {"µs", time.Microsecond}} {
		if d != 0 && d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + " " + u.label
		}
	}
	return strconv.FormatInt(int64(d), 10) + " ns"
}
