package api

import "time"

// Architectures and storage types of a workspace.
const (
	ArchX86   = "x86_64"
	ArchARM64 = "arm64"

	StorageManaged = "managed"
	StorageOSS     = "oss"

	RuntimeLocal = "local"
	RuntimeFlink = "flink"
)

// Runtime says where a workspace's jobs run: the engine's embedded simulation ("local") or an Apache Flink
// session cluster ("flink", through its JobManager REST API and its SQL Gateway).
type Runtime struct {
	Type          string `json:"type"`
	RESTURL       string `json:"rest_url,omitempty"`
	SQLGatewayURL string `json:"sql_gateway_url,omitempty"`
	// FlinkVersion is read from the cluster when the workspace is written (read-only).
	FlinkVersion string `json:"flink_version,omitempty"`
}

// Storage says where a workspace keeps state bytes. Only the admin and the workspace's Owner see its
// endpoint, region, bucket, prefix and access key id; members of its namespaces see the type alone. For
// "managed" every other field is empty: the engine's
// managed storage is used. For "oss" the bytes live in the user's S3-compatible bucket. SecretAccessKey is
// write-only: responses leave it empty and set HasSecret instead.
type Storage struct {
	Type            string `json:"type"`
	Endpoint        string `json:"endpoint,omitempty"`
	Region          string `json:"region,omitempty"`
	Bucket          string `json:"bucket,omitempty"`
	Prefix          string `json:"prefix,omitempty"`
	PathStyle       bool   `json:"path_style,omitempty"`
	AccessKeyID     string `json:"access_key_id,omitempty"`
	SecretAccessKey string `json:"secret_access_key,omitempty"`
	HasSecret       bool   `json:"has_secret,omitempty"`
}

// Workspace groups namespaces that share a region, an architecture and a storage.
type Workspace struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Region       string    `json:"region"`
	Architecture string    `json:"architecture"`
	Storage      Storage   `json:"storage"`
	Runtime      Runtime   `json:"runtime"`
	CloneEnabled bool      `json:"clone_enabled"`
	Owner        string    `json:"owner"`
	Version      int64     `json:"version"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// WorkspaceInput creates (POST) or replaces (PUT) a workspace. On PUT, Version must match the current one
// (0 skips the check) and Region, Architecture and Storage.Type cannot change.
type WorkspaceInput struct {
	Name         string  `json:"name"`
	Region       string  `json:"region"`
	Architecture string  `json:"architecture"`
	Storage      Storage `json:"storage"`
	Runtime      Runtime `json:"runtime"` // default {type = "local"}
	CloneEnabled bool    `json:"clone_enabled"`
	// Owner is the user who owns the workspace (switches clone on, creates namespaces). Only the admin
	// sets or changes it; empty means the caller on create and "unchanged" on update.
	Owner   string `json:"owner,omitempty"`
	Version int64  `json:"version,omitempty"`
}

// Namespace lives in a workspace; its name is unique there. LockedBy names the clone task that holds it.
type Namespace struct {
	ID          string    `json:"id"`
	WorkspaceID string    `json:"workspace_id"`
	Name        string    `json:"name"`
	LockedBy    string    `json:"locked_by,omitempty"`
	Version     int64     `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// NamespaceInput creates a namespace. The creator becomes its OWNER.
type NamespaceInput struct {
	Name string `json:"name"`
}

// NamespaceContents counts the objects in a namespace per kind.
type NamespaceContents struct {
	Counts map[string]int `json:"counts"`
	Total  int            `json:"total"`
}

// Member is a user's role on a namespace.
type Member struct {
	NamespaceID string    `json:"namespace_id"`
	User        string    `json:"user"`
	Role        string    `json:"role"`
	CreatedAt   time.Time `json:"created_at"`
}

// MemberInput sets a member's role (PUT /namespaces/{id}/members/{user}).
type MemberInput struct {
	Role string `json:"role"`
	// CreateOnly refuses the PUT with already_exists when the user already has a role in the namespace.
	CreateOnly bool `json:"create_only,omitempty"`
}
