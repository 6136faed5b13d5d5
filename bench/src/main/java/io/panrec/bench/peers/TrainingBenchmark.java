package io.panrec.bench.peers;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.panrec.models.data.Batches;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.MovieLens;
import io.panrec.models.data.NegativeSampler;
import io.panrec.models.data.ReadOptions;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.train.TrainingSettings;
import io.panrec.tensor.Scope;
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
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * One epoch of NeuMF on MovieLens 100K (all 100,000 ratings as positives, 4 uniformly sampled
 * negatives each, batches of 256, Adam at learning rate 0.001, the log loss on logits: NeuMF's
 * defaults), single-shot per epoch (or its first {@code steps} batches): panrec's {@code Trainer} on the oneDNN and vector backends, and DJL's
 * {@code Trainer} on PyTorch with the same architecture ({@link NeuMFPeers.Block}) fed the very batches
 * panrec's sampler draws (the sampling is timed on both sides). Samples per second = 500,000 / time.
 *
 * <p>The data folder is {@code -Dpanrec.ml100k=DIR} (default {@code /work/shared/data/ml-100k}); without it
 * the setup fails with that message.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss4m"})
public class TrainingBenchmark {
    static final int NEGATIVES = 4;
    static final int BATCH = 256;

    @Param({"panrec-onednn", "panrec-vector", "djl"})
    public String path;

    @Param({"2"})
    public int threads;

    /**
     * Batches per measured epoch: "all" (1954, the whole epoch) or a count, to measure the same throughput
     * in less time when the machine is loaded (the report computes samples/s from it).
     */
    @Param({"all"})
    public String steps;

    private Interactions train;
    private int epoch;
    private Model djlModel;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Peers.threads(threads);
        Path dir = Path.of(System.getProperty("panrec.ml100k", "/work/shared/data/ml-100k"));
        if (!Files.isRegularFile(dir.resolve("u.data"))) {
            throw new IllegalStateException("MovieLens 100K not found in " + dir + "; pass -Dpanrec.ml100k=DIR (the folder with u.data)");
        }
        train = MovieLens.read100k(dir, ReadOptions.STRICT).interactions();
        if (path.startsWith("panrec-")) {
            System.setProperty(io.panrec.backend.Backends.PROPERTY, path.substring("panrec-".length()));
        }
    }

    /** Samples in one epoch: every positive and its negatives. */
    public static long samplesPerEpoch(long positives) {
        return positives * (1 + NEGATIVES);
    }

    /** Samples one measured call trains on, for the {@code steps} parameter (MovieLens 100K's 100,000 positives). */
    public static long samples(String steps) {
        long all = samplesPerEpoch(100_000);
        return steps.equals("all") ? all : Math.min(all, Long.parseLong(steps) * BATCH);
    }

    private int maxSteps() {
        return steps.equals("all") ? Integer.MAX_VALUE : Integer.parseInt(steps);
    }

    @Benchmark
    public Object epoch() throws Exception {
        int e = epoch++;
        if (path.equals("djl")) {
            return djlEpoch(e);
        }
        ModelProvider p = ModelRegistry.discover().get("NeuMF");
        Recommender m = p.create(p.defaultSettings().with(TrainingSettings.EPOCHS, 1).with(TrainingSettings.SEED, 2017L + e),
                train.schema());
        var b = io.panrec.models.train.Trainer.builder(m, train).interactive(false);
        if (!steps.equals("all")) {
            b.maxStepsPerEpoch(maxSteps());
        }
        return b.output(new PrintStream(OutputStream.nullOutputStream())).build().fit();
    }

    private double djlEpoch(int e) {
        if (djlModel != null) {
            djlModel.close();
        }
        djlModel = Model.newInstance("neumf", Peers.pytorch().defaultDevice(), "PyTorch");
        djlModel.setBlock(new NeuMFPeers.Block(train.numUsers(), train.numItems()));
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.sigmoidBinaryCrossEntropyLoss())
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.001f)).build());
        double last = Double.NaN;
        try (Trainer trainer = djlModel.newTrainer(config)) {
            trainer.initialize(new Shape(BATCH), new Shape(BATCH));
            Batches batches = Batches.over(train).pointwise(NegativeSampler.uniform(train.byUser()), NEGATIVES).batchSize(BATCH)
                    .seed(2017L + e).build();
            Iterator<Batch> it = batches.epoch(0);
            NDManager root = trainer.getManager();
            for (int step = 0; step < maxSteps() && it.hasNext(); step++) {
                long[] u;
                long[] i;
                float[] y;
                try (var _ = Scope.open("batch")) {
                    Batch b = it.next();
                    u = b.get(Batch.USERS).toLongArray();
                    i = b.get(Batch.ITEMS).toLongArray();
                    y = b.get(Batch.LABELS).toFloatArray();
                }
                try (NDManager sub = root.newSubManager()) {
                    NDArray users = sub.create(u);
                    NDArray items = sub.create(i);
                    NDArray labels = sub.create(y);
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDList pred = trainer.forward(new NDList(users, items));
                        NDArray loss = trainer.getLoss().evaluate(new NDList(labels), pred);
                        gc.backward(loss);
                        last = loss.getFloat();
                    }
                    trainer.step();
                }
            }
        }
        if (!Double.isFinite(last)) {
            throw new IllegalStateException("DJL's NeuMF loss is " + last);
        }
        return last;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (djlModel != null) {
            djlModel.close();
        }
    }
}
