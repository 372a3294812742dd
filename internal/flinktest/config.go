package flinktest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// S3Options point the cluster's S3 filesystem plugin (flink-s3-fs-presto) at an S3 endpoint such
// as versitygw. They become s3.endpoint, s3.path.style.access, s3.access-key and s3.secret-key.
type S3Options struct {
	Endpoint  string // e.g. http://127.0.0.1:7070
	AccessKey string
	SecretKey string
	PathStyle bool
}

// javaOpts are the --add-opens/--add-exports Flink needs on Java 17: env.java.opts.all of the
// config.yaml that flink-dist ships (identical in 1.20 and 2.x).
var javaOpts = strings.Fields(`--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED`)

// testJVMOpts make the JVMs cheap on a small, shared test machine: the C1 compiler only (startup
// is mostly class loading and warm-up; test jobs process a few records a second) and the serial
// collector (no parallel GC threads for heaps of a few hundred MB).
var testJVMOpts = []string{"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"}

// ports are the fixed ports of one cluster; every other port (blob, TaskManager RPC and data,
// metrics) is left at Flink's default 0, an ephemeral port.
type ports struct {
	JobManagerRPC int
	REST          int
	SQLGateway    int
}

// freePorts asks the kernel for n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var out []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("flinktest: finding a free port: %w", err)
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}

// clusterConfig is the flat config.yaml of a test cluster: loopback only, small memory, one
// TaskManager with TaskSlots slots, fast failure detection. Checkpointing is left to each job.
func clusterConfig(dir string, p ports, s3 *S3Options) map[string]string {
	c := map[string]string{
		"jobmanager.rpc.address":                 "127.0.0.1",
		"jobmanager.rpc.port":                    fmt.Sprint(p.JobManagerRPC),
		"jobmanager.bind-host":                   "127.0.0.1",
		"jobmanager.memory.process.size":         "1024m",
		"jobmanager.execution.failover-strategy": "region",
		"taskmanager.host":                       "127.0.0.1",
		"taskmanager.bind-host":                  "127.0.0.1",
		"taskmanager.numberOfTaskSlots":          strconv.Itoa(TaskSlots),
		"taskmanager.memory.process.size":        "1280m",
		"parallelism.default":                    "1",
		"rest.address":                           "127.0.0.1",
		"rest.bind-address":                      "127.0.0.1",
		"rest.port":                              fmt.Sprint(p.REST),
		"web.submit.enable":                      "true",
		"web.cancel.enable":                      "true",
		"web.upload.dir":                         filepath.Join(dir, "web-upload"),
		"web.tmpdir":                             filepath.Join(dir, "web-tmp"),
		"io.tmp.dirs":                            filepath.Join(dir, "tmp"),
		"classloader.check-leaked-classloader":   "false",
		"heartbeat.interval":                     "1000",
		"heartbeat.timeout":                      "10000",
		"restart-strategy.type":                  "fixed-delay",
		"restart-strategy.fixed-delay.attempts":  "10",
		"restart-strategy.fixed-delay.delay":     "1 s",
		"resourcemanager.taskmanager-timeout":    "30000",
		"sql-gateway.endpoint.rest.address":      "127.0.0.1",
		"sql-gateway.endpoint.rest.bind-address": "127.0.0.1",
		"sql-gateway.endpoint.rest.port":         fmt.Sprint(p.SQLGateway),
		"sql-gateway.endpoint.rest.bind-port":    fmt.Sprint(p.SQLGateway),
	}
	if s3 != nil {
		c["s3.endpoint"] = s3.Endpoint
		c["s3.path.style.access"] = fmt.Sprint(s3.PathStyle)
		c["s3.access-key"] = s3.AccessKey
		c["s3.secret-key"] = s3.SecretKey
	}
	return c
}

// writeConfig writes config.yaml (flat keys, values quoted) and the log4j2 configuration.
func writeConfig(confDir string, c map[string]string) error {
	if err := os.MkdirAll(confDir, 0o755); err != nil {
		return fmt.Errorf("flinktest: creating %s: %w", confDir, err)
	}
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("# Written by internal/flinktest for a loopback test cluster.\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, yamlQuote(c[k]))
	}
	if err := os.WriteFile(filepath.Join(confDir, "config.yaml"), []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("flinktest: writing config.yaml: %w", err)
	}
	return os.WriteFile(filepath.Join(confDir, "log4j.properties"), []byte(log4jConfig), 0o644)
}

// yamlQuote single-quotes a value so YAML keeps it a string as written (Flink parses it).
func yamlQuote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

// log4jConfig sends every process's log to the file named by -Dlog.file (as Flink's log4j.properties
// does), keeping stdout free for the print sink's output.
const log4jConfig = `monitorInterval = 0
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
logger.pekko.name = org.apache.pekko
logger.pekko.level = INFO
logger.kafka.name = org.apache.kafka
logger.kafka.level = INFO
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = WARN
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = INFO
logger.shaded_zookeeper.name = org.apache.flink.shaded.zookeeper3
logger.shaded_zookeeper.level = INFO
logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF
appender.main.name = MainAppender
appender.main.type = File
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
`

// TaskSlots is how many slots the TaskManager offers: a test package's parallel tests each run a job or
// two at parallelism 1.
const TaskSlots = 8
