package api

import (
	"fmt"
	"regexp"
	"unicode"
	"unicode/utf8"
)

// The naming rules below are shared by the engine (which refuses a bad name, never trims it) and by the
// provider's plan-time validators, so `terraform plan` reports what the engine would refuse at apply.

// MaxNameLength bounds every name, in bytes.
const MaxNameLength = 128

// excerptLength bounds how much of a caller's input an error message quotes.
const excerptLength = 40

var (
	// identifierName is the rule for namespace and object names: they appear in paths and storage keys.
	identifierName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]*$`)
	// userNameRule is the rule for user names (token users, namespace members).
	userNameRule = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._@-]*$`)
)

// ValidateDisplayName checks a free-text name (a workspace's): not empty, valid UTF-8, at most
// MaxNameLength bytes, no control characters and no leading or trailing white space.
func ValidateDisplayName(name string) error {
	if err := basicName(name); err != nil {
		return err
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("%s contains the control character %U: remove it", Excerpt(name), r)
		}
	}
	first, _ := utf8.DecodeRuneInString(name)
	last, _ := utf8.DecodeLastRuneInString(name)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return fmt.Errorf("%s starts or ends with white space: remove it (names are never trimmed)", Excerpt(name))
	}
	return nil
}

// ValidateIdentifierName checks a namespace or object name: letters, digits, '.', '_' and '-', starting
// with a letter or digit, at most MaxNameLength bytes.
func ValidateIdentifierName(name string) error {
	if err := basicName(name); err != nil {
		return err
	}
	if !identifierName.MatchString(name) {
		return fmt.Errorf("%s is not a valid name: use letters, digits, '.', '_' and '-', starting with a letter or digit", Excerpt(name))
	}
	return nil
}

// ValidateUserName checks a user name: letters, digits, '.', '_', '@' and '-', starting with a letter or
// digit, at most MaxNameLength bytes.
func ValidateUserName(name string) error {
	if err := basicName(name); err != nil {
		return err
	}
	if !userNameRule.MatchString(name) {
		return fmt.Errorf("%s is not a valid user name: use letters, digits, '.', '_', '@' and '-', starting with a letter or digit", Excerpt(name))
	}
	return nil
}

func basicName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("must not be empty")
	case len(name) > MaxNameLength:
		return fmt.Errorf("%s is %d bytes long: at most %d are allowed", Excerpt(name), len(name), MaxNameLength)
	case !utf8.ValidString(name):
		return fmt.Errorf("%s is not valid UTF-8", Excerpt(name))
	}
	return nil
}

// Excerpt quotes s for an error message, cut to a short prefix when it is long, so an error never
// echoes a large input back.
func Excerpt(s string) string {
	if len(s) <= excerptLength {
		return fmt.Sprintf("%q", s)
	}
	cut := excerptLength
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:cut], len(s))
}
