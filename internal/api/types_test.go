package api

import (
	"encoding/json"
	"testing"
	"time"
)

// A duration comes back as it was written ("90s", not "1m30s"): the engine stores and serves specs
// through this type, and an import that read "1m30s" for a configured "90s" would plan a change.
func TestDurationKeepsItsText(t *testing.T) {
	var in CheckpointSettings
	if err := json.Unmarshal([]byte(`{"interval":"90s","timeout":"10m0s"}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.Interval.Std() != 90*time.Second || in.Timeout.Std() != 10*time.Minute {
		t.Fatalf("parsed %v and %v", in.Interval.Std(), in.Timeout.Std())
	}
	out, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(out), `{"interval":"90s","timeout":"10m0s"}`; got != want {
		t.Fatalf("marshalled %s, want %s (as written; min_pause left out)", got, want)
	}
	if got := DurationOf(90 * time.Second).String(); got != "1m30s" {
		t.Fatalf("a duration made from a number is written in Go's form, got %q", got)
	}
	var bad CheckpointSettings
	if err := json.Unmarshal([]byte(`{"interval":"often"}`), &bad); err == nil {
		t.Fatal(`"often" parsed as a duration`)
	}
}
