package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3Config locates a bucket and prefix on an S3-compatible service (AWS S3, MinIO, Alibaba OSS...).
type S3Config struct {
	Endpoint  string // "" = AWS; else e.g. "http://127.0.0.1:9000"
	Region    string // "" = from the environment, or "us-east-1" when Endpoint is set
	Bucket    string
	Prefix    string // keys live under Prefix + "/"; slashes at either end are ignored
	PathStyle bool   // address buckets as ENDPOINT/BUCKET (MinIO, most self-hosted services)
	// Empty keys use the SDK's default credential chain (AWS_ACCESS_KEY_ID..., profiles, instance roles).
	AccessKeyID, SecretAccessKey string
	// PartSize is the multipart part size: larger objects are uploaded (and copied above 5 GiB) in parts
	// of this size. 0 means DefaultPartSize; the S3 minimum is 5 MiB.
	PartSize int64
	// SpoolDir holds the temp file in which an object larger than PartSize is hashed before upload;
	// "" means os.TempDir().
	SpoolDir string
}

// String keeps the secret out of logs and error messages that print the config with %v.
func (c S3Config) String() string {
	secret := ""
	if c.SecretAccessKey != "" {
		secret = "REDACTED"
	}
	return fmt.Sprintf("{Endpoint:%s Region:%s Bucket:%s Prefix:%s PathStyle:%t AccessKeyID:%s SecretAccessKey:%s PartSize:%d SpoolDir:%s}",
		c.Endpoint, c.Region, c.Bucket, c.Prefix, c.PathStyle, c.AccessKeyID, secret, c.PartSize, c.SpoolDir)
}

// GoString does the same for %#v.
func (c S3Config) GoString() string { return "blob.S3Config" + c.String() }

const (
	// DefaultPartSize is the multipart part size when S3Config.PartSize is 0.
	DefaultPartSize int64 = 16 << 20
	minPartSize     int64 = 5 << 20
	maxParts              = 10000
	// sha256MetaKey is sent as the x-amz-meta-sha256 header.
	sha256MetaKey = "sha256"
)

// S3 is a Store in a bucket under a prefix. An object's sha256 is stored as its x-amz-meta-sha256
// metadata, set when the upload starts, so an object is never visible without it.
type S3 struct {
	client   *s3.Client
	cfg      S3Config
	prefix   string // cfg.Prefix without slashes at the ends
	partSize int64
}

var (
	_ Store  = (*S3)(nil)
	_ Copier = (*S3)(nil)
)

// NewS3 builds a client for cfg. It does not contact the service; use CheckReadAccess for that.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("blob: S3 bucket is empty; set the bucket name")
	}
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("blob: S3 endpoint %q is not an http(s) URL such as http://127.0.0.1:9000", cfg.Endpoint)
		}
	}
	if (cfg.AccessKeyID == "") != (cfg.SecretAccessKey == "") {
		return nil, errors.New("blob: S3 credentials need both an access key id and a secret access key (or neither, for the default credential chain)")
	}
	partSize := cfg.PartSize
	if partSize == 0 {
		partSize = DefaultPartSize
	}
	if partSize < minPartSize {
		return nil, fmt.Errorf("blob: S3 part size %d is below the S3 minimum of %d bytes (5 MiB)", partSize, minPartSize)
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryMaxAttempts(5),
		// Our own sha256 covers integrity; the SDK's newer default checksum trailers are not understood
		// by every S3-compatible service.
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("blob: load AWS configuration for bucket %s: %w", cfg.Bucket, err)
	}
	if awsCfg.Region == "" {
		if cfg.Endpoint == "" {
			return nil, fmt.Errorf("blob: no region for bucket %s: set the region (or AWS_REGION)", cfg.Bucket)
		}
		awsCfg.Region = "us-east-1"
	}
	cfg.Region = awsCfg.Region
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
	})
	return &S3{client: client, cfg: cfg, prefix: strings.Trim(cfg.Prefix, "/"), partSize: partSize}, nil
}

// Bucket is the bucket the store writes to.
func (s *S3) Bucket() string { return s.cfg.Bucket }

// Prefix is the key prefix inside the bucket, without slashes at the ends.
func (s *S3) Prefix() string { return s.prefix }

func (s *S3) objectKey(key string) string {
	if s.prefix == "" {
		return key
	}
	return s.prefix + "/" + key
}

func (s *S3) Location(key string) string {
	return "s3://" + s.cfg.Bucket + "/" + s.objectKey(key)
}

func (s *S3) Put(ctx context.Context, key string, r io.Reader) (Info, error) {
	if err := validateKey(key); err != nil {
		return Info{}, err
	}
	hashed := newHashingReader(contextReader{ctx: ctx, r: r})
	// The sha256 must be known when the upload starts: objects up to one part are hashed in memory,
	// larger ones are spooled to a temp file first (see spoolAndUpload).
	var head bytes.Buffer
	if _, err := io.CopyN(&head, hashed, s.partSize+1); err != nil && err != io.EOF {
		return Info{}, fmt.Errorf("blob: put %s: %w", s.Location(key), err)
	}
	if int64(head.Len()) > s.partSize {
		return s.spoolAndUpload(ctx, key, io.MultiReader(&head, hashed), hashed)
	}
	info := Info{Key: key, Size: hashed.size, SHA256: hashed.sum()}
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.cfg.Bucket),
		Key:           aws.String(s.objectKey(key)),
		Body:          bytes.NewReader(head.Bytes()),
		ContentLength: aws.Int64(info.Size),
		Metadata:      map[string]string{sha256MetaKey: info.SHA256},
	})
	if err != nil {
		return Info{}, s.wrapErr("put", key, err)
	}
	return s.statAfterWrite(ctx, info)
}

// spoolAndUpload writes the rest of the stream to a temp file while hashing it, then uploads the file in
// parallel parts with the sha256 already in the multipart upload's metadata. Uploading first and adding
// the metadata afterwards (CopyObject onto itself) would leave a window — forever, after a crash — in
// which the object exists unverifiable, and would need a multipart copy above 5 GiB; the spool costs
// local disk equal to the object instead.
func (s *S3) spoolAndUpload(ctx context.Context, key string, body io.Reader, hashed *hashingReader) (Info, error) {
	spool, err := os.CreateTemp(s.cfg.SpoolDir, "blob-upload-*")
	if err != nil {
		return Info{}, fmt.Errorf("blob: put %s: create spool file (set SpoolDir to a writable directory): %w", s.Location(key), err)
	}
	defer func() {
		spool.Close()
		os.Remove(spool.Name())
	}()
	if _, err := io.Copy(spool, body); err != nil {
		return Info{}, fmt.Errorf("blob: put %s: %w", s.Location(key), err)
	}
	info := Info{Key: key, Size: hashed.size, SHA256: hashed.sum()}
	partSize := s.partSizeFor(info.Size)
	err = s.multipart(ctx, key, info.SHA256, info.Size, partSize,
		func(ctx context.Context, uploadID string, number int32, offset, length int64) (*string, error) {
			out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{
				Bucket:        aws.String(s.cfg.Bucket),
				Key:           aws.String(s.objectKey(key)),
				UploadId:      aws.String(uploadID),
				PartNumber:    aws.Int32(number),
				Body:          io.NewSectionReader(spool, offset, length),
				ContentLength: aws.Int64(length),
			})
			if err != nil {
				return nil, err
			}
			return out.ETag, nil
		})
	if err != nil {
		return Info{}, s.wrapErr("put", key, err)
	}
	return s.statAfterWrite(ctx, info)
}

// statAfterWrite fills ModTime from the service's clock, which is what List and Stat report later.
func (s *S3) statAfterWrite(ctx context.Context, info Info) (Info, error) {
	st, err := s.Stat(ctx, info.Key)
	if err != nil {
		return Info{}, err
	}
	if st.SHA256 != info.SHA256 {
		return Info{}, fmt.Errorf("%w: %s was written with sha256 %s but the service reports %q (does it keep x-amz-meta-* metadata?)",
			ErrChecksum, s.Location(info.Key), info.SHA256, st.SHA256)
	}
	return st, nil
}

// partSizeFor keeps an upload within S3's 10,000-part limit.
func (s *S3) partSizeFor(size int64) int64 {
	if need := (size + maxParts - 1) / maxParts; need > s.partSize {
		return need
	}
	return s.partSize
}

func metaSHA256(meta map[string]string) string {
	for k, v := range meta {
		if strings.EqualFold(k, sha256MetaKey) {
			return strings.ToLower(v)
		}
	}
	return ""
}

func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := validateKey(key); err != nil {
		return Info{}, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(s.objectKey(key))})
	if err != nil {
		return Info{}, s.wrapErr("stat", key, err)
	}
	return Info{Key: key, Size: aws.ToInt64(out.ContentLength), SHA256: metaSHA256(out.Metadata), ModTime: aws.ToTime(out.LastModified)}, nil
}

func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if err := validateKey(key); err != nil {
		return nil, Info{}, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(s.objectKey(key))})
	if err != nil {
		return nil, Info{}, s.wrapErr("get", key, err)
	}
	info := Info{Key: key, Size: aws.ToInt64(out.ContentLength), SHA256: metaSHA256(out.Metadata), ModTime: aws.ToTime(out.LastModified)}
	return newVerifyingReader(out.Body, info.SHA256, s.Location(key)), info, nil
}

// List reports Key, Size and ModTime. SHA256 is left empty: ListObjectsV2 does not return metadata and
// a HEAD per object would multiply the requests; call Stat for it.
func (s *S3) List(ctx context.Context, prefix string, fn func(Info) error) error {
	if err := validatePrefix(prefix); err != nil {
		return err
	}
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.cfg.Bucket),
		Prefix: aws.String(s.listPrefix(prefix)),
	})
	strip := s.listPrefix("")
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return s.wrapErr("list", prefix, err)
		}
		for _, obj := range page.Contents {
			key := strings.TrimPrefix(aws.ToString(obj.Key), strip)
			if validateKey(key) != nil {
				continue // folder markers ("dir/") and keys no other store could hold
			}
			if err := fn(Info{Key: key, Size: aws.ToInt64(obj.Size), ModTime: aws.ToTime(obj.LastModified)}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *S3) listPrefix(prefix string) string {
	if s.prefix == "" {
		return prefix
	}
	return s.prefix + "/" + prefix
}

func (s *S3) Delete(ctx context.Context, key string) error {
	if err := validateKey(key); err != nil {
		return err
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(s.objectKey(key))})
	if err != nil && !isNotFound(err) {
		return s.wrapErr("delete", key, err)
	}
	return nil
}

// DeletePrefix deletes each listed page (at most 1000 keys, the DeleteObjects limit) before asking for
// the next.
func (s *S3) DeletePrefix(ctx context.Context, prefix string) error {
	if err := validatePrefix(prefix); err != nil {
		return err
	}
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket:  aws.String(s.cfg.Bucket),
		Prefix:  aws.String(s.listPrefix(prefix)),
		MaxKeys: aws.Int32(1000),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return s.wrapErr("delete prefix", prefix, err)
		}
		if len(page.Contents) == 0 {
			continue
		}
		ids := make([]types.ObjectIdentifier, 0, len(page.Contents))
		for _, obj := range page.Contents {
			ids = append(ids, types.ObjectIdentifier{Key: obj.Key})
		}
		out, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(s.cfg.Bucket),
			Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return s.wrapErr("delete prefix", prefix, err)
		}
		if len(out.Errors) > 0 {
			first := out.Errors[0]
			return fmt.Errorf("blob: delete prefix %s: %d objects not deleted, first %s: %s %s",
				s.Location(prefix), len(out.Errors), aws.ToString(first.Key), aws.ToString(first.Code), aws.ToString(first.Message))
		}
	}
	return nil
}
