package engine_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/streamstate/terraform-provider-flink/internal/api"
	"github.com/streamstate/terraform-provider-flink/internal/blob"
	"github.com/streamstate/terraform-provider-flink/internal/blob/blobtest"
	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
)

// BenchmarkStatefulCloneS3 clones 200 deployments with 5 MB of state each between two OSS namespaces on
// one S3-compatible server, against a plain loop of server-side CopyObject calls over the same objects
// (ratio: target <= 1.2). Run with -benchtime=1x: the setup runs 200 jobs.
func BenchmarkStatefulCloneS3(b *testing.B) {
	const deployments = 200
	s3srv := blobtest.StartS3(b)
	srcCfg, dstCfg := s3srv.Bucket(b, "bench-src"), s3srv.Bucket(b, "bench-dst")
	env := enginetest.Start(b, enginetest.Options{})
	a := env.Admin()
	src := a.Namespace(b, ossWorkspace(b, a, "src", srcCfg).ID, "src")
	dstWS := ossWorkspace(b, a, "dst", dstCfg)
	statefulSource(b, a, src.ID, deployments)

	ctx := context.Background()
	var keys []string
	srcStore := blobtest.NewS3Store(b, srcCfg)
	if err := srcStore.List(ctx, "namespaces/"+src.ID+"/checkpoints/", func(i blob.Info) error {
		keys = append(keys, i.Key)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	raw := s3srv.Client()
	var cloneTime, copyTime time.Duration
	for i := 0; b.Loop(); i++ {
		dst := a.Namespace(b, dstWS.ID, fmt.Sprintf("dst-%d", i))
		c, took := timedClone(b, a, api.CloneRequest{SourceNamespaceID: src.ID, TargetNamespaceID: dst.ID,
			Objects: []string{api.KindDeployment}, StatePolicy: api.StateStateful})
		if c.Status != api.CloneSucceeded || c.Progress.Counts[api.KindDeployment].Done != deployments {
			b.Fatalf("clone = %s (%s)", c.Status, c.Failure)
		}
		cloneTime += took

		started := time.Now()
		for _, k := range keys {
			_, err := raw.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(dstCfg.Bucket),
				Key: aws.String(fmt.Sprintf("plain-%d/%s", i, k)), CopySource: aws.String(srcCfg.Bucket + "/" + url.PathEscape(k))})
			if err != nil {
				b.Fatal(err)
			}
		}
		copyTime += time.Since(started)
	}
	b.ReportMetric(float64(len(keys)), "objects")
	b.ReportMetric(cloneTime.Seconds()/float64(b.N), "clone-s")
	b.ReportMetric(copyTime.Seconds()/float64(b.N), "copyloop-s")
	b.ReportMetric(cloneTime.Seconds()/copyTime.Seconds(), "clone/copyloop")
}
