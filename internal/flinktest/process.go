package flinktest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Main classes, as Flink's bin/*.sh scripts start them.
const (
	jobManagerMain  = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"
	taskManagerMain = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"
	sqlGatewayMain  = "org.apache.flink.table.gateway.SqlGateway"
	bashJavaUtils   = "org.apache.flink.runtime.util.bash.BashJavaUtils"
	// bashJavaUtilsPrefix marks the result lines of BashJavaUtils (config.sh greps for it).
	bashJavaUtilsPrefix = "BASH_JAVA_UTILS_EXEC_RESULT:"
)

// process is one JVM of the cluster with its stdout/stderr and log files.
type process struct {
	name   string // jobmanager, taskmanager-1, sql-gateway
	cmd    *exec.Cmd
	done   chan struct{}
	out    string // stdout file
	log    string // log4j file
	stdout *os.File
}

// javaBinary is $JAVA_HOME/bin/java when JAVA_HOME is set, else java from PATH.
func javaBinary() (string, error) {
	if h := os.Getenv("JAVA_HOME"); h != "" {
		if _, err := os.Stat(filepath.Join(h, "bin", "java")); err == nil {
			return filepath.Join(h, "bin", "java"), nil
		}
	}
	j, err := exec.LookPath("java")
	if err != nil {
		return "", errors.New("flinktest: java not found; install Java 17 or set JAVA_HOME")
	}
	return j, nil
}

// startJava starts `java jvmArgs -cp cp main args` in its own process group; the kernel kills it
// when the test binary dies (Pdeathsig), so no JVM outlives a crashed test.
func (c *Cluster) startJava(name string, jvmArgs []string, main string, args ...string) (*process, error) {
	logDir := filepath.Join(c.Dir, "log")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	p := &process{
		name: name,
		done: make(chan struct{}),
		out:  filepath.Join(logDir, name+".out"),
		log:  filepath.Join(logDir, name+".log"),
	}
	stdout, err := os.Create(p.out)
	if err != nil {
		return nil, fmt.Errorf("flinktest: creating %s: %w", p.out, err)
	}
	all := append(append([]string{}, javaOpts...), testJVMOpts...)
	all = append(all, jvmArgs...)
	all = append(all,
		"-Dlog.file="+p.log,
		"-Dlog4j.configurationFile=file:"+filepath.Join(c.confDir, "log4j.properties"),
		"-cp", c.classpath, main)
	all = append(all, args...)
	cmd := exec.Command(c.java, all...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "FLINK_CONF_DIR="+c.confDir, "FLINK_PLUGINS_DIR="+c.jars.PluginsDir,
		"FLINK_LIB_DIR="+c.jars.LibDir, "FLINK_LOG_DIR="+logDir)
	cmd.Stdout, cmd.Stderr = stdout, stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		stdout.Close()
		return nil, fmt.Errorf("flinktest: starting %s: %w", name, err)
	}
	p.cmd, p.stdout = cmd, stdout
	go func() {
		_ = cmd.Wait()
		stdout.Close()
		close(p.done)
	}()
	return p, nil
}

// kill sends SIGKILL to the process group and waits for the JVM to be gone.
func (p *process) kill() {
	if p == nil || p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
	}
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// diagnostics is the tail of the process's stdout and log, for errors.
func (p *process) diagnostics() string {
	var b strings.Builder
	for _, f := range []string{p.out, p.log} {
		data, _ := os.ReadFile(f)
		fmt.Fprintf(&b, "--- %s (last lines)\n%s\n", f, tail(string(data), 3000))
	}
	return b.String()
}

// resourceParams runs BashJavaUtils (GET_TM_RESOURCE_PARAMS or GET_JM_RESOURCE_PARAMS) as
// taskmanager.sh and jobmanager.sh do: its first result line holds JVM memory flags, the second
// the dynamic "-D key=value" properties the process must be started with.
func (c *Cluster) resourceParams(ctx context.Context, command string) (jvm, dynamic []string, err error) {
	args := append(append([]string{}, javaOpts...), testJVMOpts...)
	args = append(args, "-Xmx128m", "-cp", c.classpath, bashJavaUtils, command, "--configDir", c.confDir)
	cmd := exec.CommandContext(ctx, c.java, args...)
	cmd.Env = append(os.Environ(), "FLINK_CONF_DIR="+c.confDir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("flinktest: BashJavaUtils %s: %w\n%s", command, err, tail(out.String(), 3000))
	}
	var results []string
	for _, line := range strings.Split(out.String(), "\n") {
		if i := strings.Index(line, bashJavaUtilsPrefix); i >= 0 {
			results = append(results, strings.TrimSpace(line[i+len(bashJavaUtilsPrefix):]))
		}
	}
	if len(results) == 0 {
		return nil, nil, fmt.Errorf("flinktest: BashJavaUtils %s printed no result\n%s", command, tail(out.String(), 3000))
	}
	jvm = strings.Fields(results[0])
	if len(results) > 1 {
		dynamic = strings.Fields(results[len(results)-1])
	}
	return jvm, dynamic, nil
}
