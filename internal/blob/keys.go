package blob

import (
	"fmt"
	"strings"
)

// validateKey refuses keys that could escape the store's root or that no store could hold the same way
// (a filesystem cannot tell "a//b" from "a/b").
func validateKey(key string) error {
	if key == "" {
		return fmt.Errorf("blob: key is empty; give a slash-separated path such as \"chk-1/_metadata\"")
	}
	if strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") {
		return fmt.Errorf("blob: key %q must not begin or end with \"/\"", key)
	}
	if strings.ContainsRune(key, 0) {
		return fmt.Errorf("blob: key %q contains a NUL byte", key)
	}
	for _, part := range strings.Split(key, "/") {
		switch part {
		case "":
			return fmt.Errorf("blob: key %q has an empty path segment (\"//\")", key)
		case ".", "..":
			return fmt.Errorf("blob: key %q has a %q path segment; keys are plain paths relative to the store", key, part)
		}
	}
	return nil
}

// validatePrefix accepts "" (everything) and any prefix whose complete segments are valid.
func validatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if strings.HasPrefix(prefix, "/") {
		return fmt.Errorf("blob: prefix %q must not begin with \"/\"", prefix)
	}
	for _, part := range strings.Split(strings.TrimSuffix(prefix, "/"), "/") {
		if part == "" || part == "." || part == ".." {
			return fmt.Errorf("blob: prefix %q has an empty, \".\" or \"..\" path segment", prefix)
		}
	}
	return nil
}

// splitPrefix cuts a prefix at its last slash: the directory part (with the slash) and the name part.
func splitPrefix(prefix string) (dir, name string) {
	i := strings.LastIndex(prefix, "/")
	return prefix[:i+1], prefix[i+1:]
}
