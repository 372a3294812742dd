package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/runtime"
	"github.com/streamstate/terraform-provider-flink/internal/store"
)

// decodeStrict decodes a spec, refusing unknown fields so a typo is an error rather than ignored.
func decodeStrict(raw json.RawMessage, out any) error {
	if len(raw) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return invalid("spec", "%v", err)
	}
	return nil
}

// prepareSpec validates and normalises in as rec's new spec: defaults applied, secrets sealed, file
// bytes stored. It writes rec.Spec (and rec.Sealed).
func (e *Engine) prepareSpec(ctx context.Context, tx store.Tx, p Principal, ns api.Namespace, rec *objectRecord, in json.RawMessage) error {
	var spec any
	switch rec.Kind {
	case api.KindDeployment:
		d := api.DeploymentSpec{}
		if err := decodeStrict(in, &d); err != nil {
			return err
		}
		if err := validateDeployment(&d); err != nil {
			return err
		}
		if err := checkDeploymentReferences(tx, p, ns.ID, d); err != nil {
			return err
		}
		if d.Jar != nil && (strings.HasPrefix(d.Jar.URI, "http://") || strings.HasPrefix(d.Jar.URI, "https://")) {
			// The engine fetches the jar itself: the URL is held to --allow-endpoint like a storage endpoint.
			if err := e.checkEndpoint("spec.jar.uri", d.Jar.URI); err != nil {
				return err
			}
		}
		spec = d
		if rec.Status == "" {
			rec.Status = api.StatusCreated
		}
	case api.KindVariable:
		v := api.VariableSpec{}
		if err := decodeStrict(in, &v); err != nil {
			return err
		}
		switch v.Kind {
		case "", api.VariablePlain:
			v.Kind = api.VariablePlain
			rec.Sealed = ""
		case api.VariableEncrypted:
			sealed, err := e.secrets.Seal(v.Value)
			if err != nil {
				return err
			}
			rec.Sealed, v.Value = sealed, ""
		default:
			return invalid("spec.kind", "%q must be PLAIN or ENCRYPTED", v.Kind)
		}
		spec = v
	case api.KindDraft:
		d := api.DraftSpec{}
		if err := decodeStrict(in, &d); err != nil {
			return err
		}
		if d.Type == "" {
			d.Type = api.DeploymentSQL
		}
		if err := oneOf("spec.type", d.Type, api.DeploymentSQL, api.DeploymentJAR, api.DeploymentPython); err != nil {
			return err
		}
		if err := checkEngineVersion(d.EngineVersion, false); err != nil {
			return err
		}
		spec = d
	case api.KindFileResource:
		f := api.FileResourceSpec{}
		if err := decodeStrict(in, &f); err != nil {
			return err
		}
		if err := e.storeFileResource(rec, &f); err != nil {
			return err
		}
		spec = f
	case api.KindSessionCluster:
		s := api.SessionClusterSpec{}
		if err := decodeStrict(in, &s); err != nil {
			return err
		}
		if s.State == "" {
			s.State = "STOPPED"
		}
		if err := oneOf("spec.state", s.State, "STOPPED", "RUNNING"); err != nil {
			return err
		}
		if err := checkEngineVersion(s.EngineVersion, false); err != nil {
			return err
		}
		rec.Status = s.State
		spec = s
	default:
		g := api.GenericSpec{}
		if err := decodeStrict(in, &g); err != nil {
			return err
		}
		if err := checkFileResourceReference(tx, ns.ID, rec.Kind, g); err != nil {
			return err
		}
		spec = g
	}
	raw, err := json.Marshal(spec)
	rec.Spec = raw
	return err
}

func oneOf(field, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return invalid(field, "%q must be one of %v", v, allowed)
}

// checkEngineVersion refuses a spec.engine_version that does not parse; an empty one only when required
// (deployments need one, drafts and session clusters may leave it out).
func checkEngineVersion(v string, required bool) error {
	if v == "" && !required {
		return nil
	}
	if _, ok := ParseEngineVersion(v); !ok {
		return invalid("spec.engine_version", "%q is not an engine version like \"flink-1.20\", \"vvr-11.1-flink-1.20\" or \"vvr-8.0.9-flink-1.17\"", v)
	}
	return nil
}

var engineVersion = regexp.MustCompile(`^(?:vvr-(\d+)\.(\d+)(?:\.(\d+))?-)?flink-(\d+)\.(\d+)$`)

// EngineVersion is a parsed engine version: "flink-1.20" (Apache Flink), "vvr-11.1-flink-1.20" or
// "vvr-8.0.9-flink-1.17" (Ververica Runtime on that Flink).
type EngineVersion struct {
	VVR                    bool
	Major, Minor, Patch    int // the VVR version
	FlinkMajor, FlinkMinor int
}

// ParseEngineVersion parses an engine version string.
func ParseEngineVersion(v string) (EngineVersion, bool) {
	m := engineVersion.FindStringSubmatch(v)
	if m == nil {
		return EngineVersion{}, false
	}
	var ev EngineVersion
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	if m[1] != "" {
		ev.VVR, ev.Major, ev.Minor, ev.Patch = true, atoi(m[1]), atoi(m[2]), atoi(m[3])
	}
	ev.FlinkMajor, ev.FlinkMinor = atoi(m[4]), atoi(m[5])
	return ev, true
}

func validateDeployment(d *api.DeploymentSpec) error {
	if d.ExecutionMode == "" {
		d.ExecutionMode = api.ModeStreaming
	}
	if err := oneOf("spec.type", d.Type, api.DeploymentSQL, api.DeploymentJAR, api.DeploymentPython); err != nil {
		return err
	}
	if err := oneOf("spec.execution_mode", d.ExecutionMode, api.ModeStreaming, api.ModeBatch); err != nil {
		return err
	}
	if err := checkEngineVersion(d.EngineVersion, true); err != nil {
		return err
	}
	switch d.Type {
	case api.DeploymentSQL:
		if d.SQL == "" {
			return invalid("spec.sql", "a SQL deployment needs its SQL text")
		}
		if d.Jar != nil {
			return invalid("spec.jar", "a SQL deployment takes sql, not jar")
		}
	default:
		if d.Jar == nil || d.Jar.URI == "" {
			return invalid("spec.jar.uri", "a %s deployment needs jar.uri", d.Type)
		}
		if d.SQL != "" {
			return invalid("spec.sql", "a %s deployment takes jar, not sql", d.Type)
		}
	}
	if err := checkCheckpointSettings(d.Checkpoint); err != nil {
		return err
	}
	if d.Checkpoint.Retained == 0 {
		d.Checkpoint.Retained = 1
	}
	if err := runtime.ValidateConfig(d.FlinkConfiguration); err != nil {
		return invalid("spec.flink_configuration", "%v", err)
	}
	return nil
}
