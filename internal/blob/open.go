package blob

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Open opens the store a URL names:
//
//	file:///var/lib/flink-engine/state
//	s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&path_style=true
//
// S3 credentials come from the SDK's default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, profiles,
// instance roles); they are never part of the URL.
func Open(ctx context.Context, rawURL string) (Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("blob: storage URL %q does not parse: %w", rawURL, err)
	}
	switch u.Scheme {
	case "file":
		return openFileURL(u, rawURL)
	case "s3":
		return openS3URL(ctx, u, rawURL)
	case "":
		return nil, fmt.Errorf("blob: storage URL %q has no scheme; use file:///absolute/path or s3://bucket/prefix", rawURL)
	default:
		return nil, fmt.Errorf("blob: storage URL %q has scheme %q; supported are file:// and s3://", rawURL, u.Scheme)
	}
}

func openFileURL(u *url.URL, rawURL string) (Store, error) {
	if u.Host != "" && u.Host != "localhost" {
		return nil, fmt.Errorf("blob: file URL %q names host %q; write file:///absolute/path (three slashes)", rawURL, u.Host)
	}
	if u.Path == "" || !strings.HasPrefix(u.Path, "/") {
		return nil, fmt.Errorf("blob: file URL %q has no absolute path; write file:///absolute/path", rawURL)
	}
	if u.RawQuery != "" {
		return nil, fmt.Errorf("blob: file URL %q takes no query parameters (got %q)", rawURL, u.RawQuery)
	}
	return NewFS(u.Path)
}

func openS3URL(ctx context.Context, u *url.URL, rawURL string) (Store, error) {
	if u.Host == "" {
		return nil, fmt.Errorf("blob: S3 URL %q has no bucket; write s3://bucket/prefix", rawURL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("blob: S3 URL for bucket %q carries credentials; remove them and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead", u.Host)
	}
	cfg := S3Config{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("blob: S3 URL for bucket %q: query %q does not parse: %w", u.Host, u.RawQuery, err)
	}
	var unknown []string
	for name, values := range query {
		value := values[len(values)-1]
		switch name {
		case "endpoint":
			cfg.Endpoint = value
		case "region":
			cfg.Region = value
		case "path_style":
			cfg.PathStyle, err = strconv.ParseBool(value)
			if err != nil {
				return nil, fmt.Errorf("blob: S3 URL for bucket %q: path_style=%q is not true or false", u.Host, value)
			}
		case "part_size":
			cfg.PartSize, err = strconv.ParseInt(value, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("blob: S3 URL for bucket %q: part_size=%q is not a number of bytes", u.Host, value)
			}
		default:
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, fmt.Errorf("blob: S3 URL for bucket %q: unknown parameter(s) %s; known are endpoint, region, path_style, part_size",
			u.Host, strings.Join(unknown, ", "))
	}
	return NewS3(ctx, cfg)
}
