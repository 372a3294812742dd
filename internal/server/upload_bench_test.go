package server_test

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/streamstate/terraform-provider-flink/internal/enginetest"
	"github.com/streamstate/terraform-provider-flink/internal/server"
)

// patternReader yields n bytes without holding them: the client side of the benchmark stays small, so
// the process's peak RSS measures the engine.
type patternReader struct{ left int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(b)), p.left)
	for i := range b[:n] {
		b[i] = byte(i)
	}
	p.left -= n
	return int(n), nil
}

// BenchmarkUpload60MB streams 60 MB file resources (one, then four at once) and reports the peak RSS
// growth of the test process. Before streaming, one 60 MB upload peaked at 534 MB RSS and four at 1.2 GB
// (issue 11); the bytes now go from the socket to storage in 32 KiB buffers.
func BenchmarkUpload60MB(b *testing.B) {
	env := enginetest.Start(b, enginetest.Options{Server: server.Options{MaxUpload: 100 << 20}})
	admin := env.Admin()
	ws := admin.Workspace(b, "ws")
	ns := admin.Namespace(b, ws.ID, "ns")
	for _, parallel := range []int{1, 4} {
		runtime.GC()
		base := resetPeakRSS(b)
		for range b.N {
			var wg sync.WaitGroup
			for i := range parallel {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req, _ := http.NewRequest("PUT", env.URL+"/api/v1/namespaces/"+ns.ID+"/file-resources/f"+strconv.Itoa(i)+".jar",
						&patternReader{left: 60 << 20})
					req.Header.Set("Authorization", adminAuth)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode >= 300 {
						b.Errorf("upload: %d", resp.StatusCode)
					}
				}()
			}
			wg.Wait()
		}
		peak := procStatusKB(b, "VmHWM")
		b.ReportMetric(float64(peak-base)/1024, "peak-rss-growth-MB/"+strconv.Itoa(parallel)+"x60MB")
		b.Logf("%d x 60 MB uploads: RSS before %d MB, peak %d MB (growth %d MB)", parallel, base/1024, peak/1024, (peak-base)/1024)
	}
}

// resetPeakRSS resets the kernel's peak-RSS mark (VmHWM) to the current RSS and returns it, in KiB.
func resetPeakRSS(b *testing.B) int64 {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Skipf("cannot reset the peak RSS mark: %v", err)
	}
	return procStatusKB(b, "VmHWM")
}

func procStatusKB(b *testing.B, field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			v, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return v
		}
	}
	b.Skipf("no %s in /proc/self/status", field)
	return 0
}
