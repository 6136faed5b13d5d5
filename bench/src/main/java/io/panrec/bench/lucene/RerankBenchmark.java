package io.panrec.bench.lucene;

import io.panrec.backend.Backends;
import io.panrec.cli.bench.RerankFixture;
import io.panrec.lucene.UserContext;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import org.apache.lucene.search.TopDocs;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Reranking the first-pass hits of one query on one thread, as {@code RecommenderRescorer.rescore} does
 * it: doc-values reads of the hits' item ids, one batched model call, the combination, the top 10.
 * Per-call latency distribution (SampleTime gives p50 and p99). The goal of issue 7: under 0.5 ms for
 * 1000 hits with NeuMF on the onednn backend.
 *
 * <p>Models are looked up by name in the {@link ModelRegistry}; a model that is not registered fails
 * its trial with "skipped: NAME not registered" and JMH goes on with the others (the same rule as
 * {@code panrec bench rerank}).
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RerankBenchmark {
    @Param({"NeuMF", "DeepFM"})
    public String model;

    @Param({"100", "1000"})
    public int hits;

    @Param({"onednn", "vector"})
    public String backend;

    private RerankFixture fixture;
    private final TopDocs[] passes = new TopDocs[16];
    private final UserContext[] users = new UserContext[16];
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        io.panrec.backend.CpuThreads.limit(1); // per query, on one thread (the measure), before oneDNN loads
        ModelProvider provider = ModelRegistry.discover().find(model)
                .orElseThrow(() -> new IllegalStateException("skipped: " + model + " not registered"));
        Backends.named(backend); // an unavailable backend fails here, with its reasons
        fixture = RerankFixture.create(provider, 943, 5000, 7);
        for (int i = 0; i < passes.length; i++) {
            passes[i] = fixture.firstPass(hits);
            users[i] = fixture.randomUser();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        fixture.close();
    }

    @Benchmark
    public TopDocs rerank() throws IOException {
        int i = next++ & 15;
        try (var _ = Backends.use(backend)) {
            return fixture.rerank(users[i], passes[i], 10);
        }
    }
}
