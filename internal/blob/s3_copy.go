package blob

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"
)

// copyObjectMaxSize is the largest object one CopyObject may copy (S3's limit); larger ones are copied
// with UploadPartCopy. A variable so tests can cross it without 5 GiB objects.
var copyObjectMaxSize int64 = 5 << 30

// partParallelism bounds the parts of one object in flight at once.
const partParallelism = 4

// sameService reports whether one client can read src's bucket and write s's: same endpoint, region
// and credentials.
func (s *S3) sameService(src *S3) bool {
	return s.cfg.Endpoint == src.cfg.Endpoint && s.cfg.Region == src.cfg.Region &&
		s.cfg.AccessKeyID == src.cfg.AccessKeyID && s.cfg.SecretAccessKey == src.cfg.SecretAccessKey
}

// CopyFrom copies server-side (CopyObject, or UploadPartCopy above 5 GiB) when src is an *S3 on the same
// service with the same credentials, recording the source's sha256 on the copy. It returns
// ErrNotSupported otherwise, or when the source has no recorded sha256, so that Copy streams and hashes.
func (s *S3) CopyFrom(ctx context.Context, src Store, srcKey, dstKey string) (Info, error) {
	from, ok := src.(*S3)
	if !ok || !s.sameService(from) {
		return Info{}, ErrNotSupported
	}
	if err := validateKey(srcKey); err != nil {
		return Info{}, err
	}
	if err := validateKey(dstKey); err != nil {
		return Info{}, err
	}
	head, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(from.cfg.Bucket), Key: aws.String(from.objectKey(srcKey))})
	if err != nil {
		return Info{}, from.wrapErr("copy from", srcKey, err)
	}
	sha := metaSHA256(head.Metadata)
	if sha == "" {
		return Info{}, fmt.Errorf("%w: %s has no recorded sha256, so it must be streamed and hashed", ErrNotSupported, from.Location(srcKey))
	}
	size := aws.ToInt64(head.ContentLength)
	copySource := (&url.URL{Path: from.cfg.Bucket + "/" + from.objectKey(srcKey)}).EscapedPath()
	if size <= copyObjectMaxSize {
		_, err = s.client.CopyObject(ctx, &s3.CopyObjectInput{
			Bucket:            aws.String(s.cfg.Bucket),
			Key:               aws.String(s.objectKey(dstKey)),
			CopySource:        aws.String(copySource),
			CopySourceIfMatch: head.ETag, // fail rather than copy a source replaced since the HEAD
			MetadataDirective: types.MetadataDirectiveReplace,
			Metadata:          map[string]string{sha256MetaKey: sha},
		})
	} else {
		err = s.multipart(ctx, dstKey, sha, size, s.partSizeFor(size),
			func(ctx context.Context, uploadID string, number int32, offset, length int64) (*string, error) {
				out, err := s.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
					Bucket:            aws.String(s.cfg.Bucket),
					Key:               aws.String(s.objectKey(dstKey)),
					UploadId:          aws.String(uploadID),
					PartNumber:        aws.Int32(number),
					CopySource:        aws.String(copySource),
					CopySourceIfMatch: head.ETag,
					CopySourceRange:   aws.String(fmt.Sprintf("bytes=%d-%d", offset, offset+length-1)),
				})
				if err != nil {
					return nil, err
				}
				if out.CopyPartResult == nil {
					return nil, errors.New("UploadPartCopy returned no part result")
				}
				return out.CopyPartResult.ETag, nil
			})
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob: server-side copy %s to %s: %w", from.Location(srcKey), s.Location(dstKey), err)
	}
	return s.statAfterWrite(ctx, Info{Key: dstKey, Size: size, SHA256: sha})
}

// multipart runs one multipart upload of size bytes whose object carries sha as metadata from the
// start; uploadPart sends one part and returns its ETag. A failed upload is aborted so its parts do not
// linger (and cost storage) on the service.
func (s *S3) multipart(ctx context.Context, key, sha string, size, partSize int64,
	uploadPart func(ctx context.Context, uploadID string, number int32, offset, length int64) (*string, error)) error {
	created, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:   aws.String(s.cfg.Bucket),
		Key:      aws.String(s.objectKey(key)),
		Metadata: map[string]string{sha256MetaKey: sha},
	})
	if err != nil {
		return err
	}
	uploadID := aws.ToString(created.UploadId)
	count := int((size + partSize - 1) / partSize)
	parts := make([]types.CompletedPart, count)
	group, gctx := errgroup.WithContext(ctx)
	group.SetLimit(partParallelism)
	for i := range count {
		offset := int64(i) * partSize
		length := min(partSize, size-offset)
		number := int32(i + 1)
		group.Go(func() error {
			etag, err := uploadPart(gctx, uploadID, number, offset, length)
			if err != nil {
				return fmt.Errorf("part %d of %d: %w", number, count, err)
			}
			parts[i] = types.CompletedPart{ETag: etag, PartNumber: aws.Int32(number)}
			return nil
		})
	}
	err = group.Wait()
	if err == nil {
		_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
			Bucket:          aws.String(s.cfg.Bucket),
			Key:             aws.String(s.objectKey(key)),
			UploadId:        aws.String(uploadID),
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		})
	}
	if err != nil {
		// Abort even when ctx is what failed.
		abortCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = s.client.AbortMultipartUpload(abortCtx, &s3.AbortMultipartUploadInput{
			Bucket: aws.String(s.cfg.Bucket), Key: aws.String(s.objectKey(key)), UploadId: aws.String(uploadID),
		})
		return err
	}
	return nil
}

// isNotFound recognises a missing key (NoSuchKey from GET, a bare 404 from HEAD) but not a missing bucket.
func isNotFound(err error) bool {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "NoSuchKey", "NotFound":
			return true
		case "NoSuchBucket":
			return false
		}
	}
	var status interface{ HTTPStatusCode() int }
	return errors.As(err, &status) && status.HTTPStatusCode() == 404 && !isNoSuchBucket(err)
}

func isNoSuchBucket(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchBucket"
}

// wrapErr names the operation and the object, and maps a missing key to ErrNotFound.
func (s *S3) wrapErr(op, key string, err error) error {
	switch {
	case isNotFound(err):
		return fmt.Errorf("%w: %s", ErrNotFound, s.Location(key))
	case isNoSuchBucket(err):
		return fmt.Errorf("blob: %s %s: bucket %q does not exist on %s (create it, or fix the bucket name): %w",
			op, s.Location(key), s.cfg.Bucket, s.endpointName(), err)
	}
	return fmt.Errorf("blob: %s %s: %w", op, s.Location(key), err)
}

func (s *S3) endpointName() string {
	if s.cfg.Endpoint == "" {
		return "AWS S3 (" + s.cfg.Region + ")"
	}
	return s.cfg.Endpoint
}
