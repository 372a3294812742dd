package io.streamstate.flinktest;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A stateful job whose output proves where its state came from: a rate-limited, checkpointed
 * sequence (seq = 0, 1, 2, ...) keyed by seq % 4, and a per-key count in keyed state. Each record
 * prints "testjob key=K count=C seq=S" on the TaskManager's stdout. Restored from a snapshot, the
 * sequence and the counts continue; started fresh, both begin again at zero.
 *
 * <p>Arguments (all optional): --rate N records per second (20), --count N records in total
 * (unbounded), --checkpoint-interval MS (unset: the cluster or the run request decides),
 * --uid-suffix S appends S to the counter's uid, so its state no longer matches a snapshot taken
 * without it (an incompatible restore for tests).
 *
 * <p>Only APIs present in Flink 1.20 and 2.x are used (no SourceFunction, no open(Configuration)).
 */
public final class CountingJob {

    public static void main(String[] args) throws Exception {
        double rate = 20;
        long count = Long.MAX_VALUE;
        long checkpointInterval = 0;
        String uidSuffix = "";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rate": rate = Double.parseDouble(args[i + 1]); break;
                case "--count": count = Long.parseLong(args[i + 1]); break;
                case "--checkpoint-interval": checkpointInterval = Long.parseLong(args[i + 1]); break;
                case "--uid-suffix": uidSuffix = args[i + 1]; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; known: --rate, --count, --checkpoint-interval, --uid-suffix");
            }
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (checkpointInterval > 0) {
            env.enableCheckpointing(checkpointInterval);
        }

        DataGeneratorSource<Long> source = new DataGeneratorSource<>(
                index -> index, count, RateLimiterStrategy.perSecond(rate), Types.LONG);

        env.fromSource(source, WatermarkStrategy.noWatermarks(), "sequence")
                .uid("testjob-sequence")
                .keyBy(seq -> seq % 4, Types.LONG)
                .process(new CountPerKey())
                .uid("testjob-counter" + uidSuffix)
                .name("counter")
                .print()
                .uid("testjob-print")
                .name("print");

        env.execute("testjob" + (uidSuffix.isEmpty() ? "" : "-" + uidSuffix));
    }

    /** Counts records per key in keyed state and describes each record with its running count. */
    static final class CountPerKey extends KeyedProcessFunction<Long, Long, String> {
        private transient ValueState<Long> count;

        @Override
        public void processElement(Long seq, Context ctx, Collector<String> out) throws Exception {
            if (count == null) {
                // Looked up lazily: open(Configuration) is gone in 2.x, open(OpenContext) new in 1.19.
                count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
            }
            Long previous = count.value();
            long next = (previous == null ? 0 : previous) + 1;
            count.update(next);
            out.collect("testjob key=" + ctx.getCurrentKey() + " count=" + next + " seq=" + seq);
        }
    }
}
