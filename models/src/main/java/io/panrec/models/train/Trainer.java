package io.panrec.models.train;

import io.panrec.autograd.Autograd;
import io.panrec.backend.Backends;
import io.panrec.models.data.Batches;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.NegativeSampler;
import io.panrec.models.eval.EvaluationResult;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.Recommender;
import io.panrec.nn.Module;
import io.panrec.optim.Optimizer;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Trains a {@link Recommender}: epochs of shuffled mini-batches stepped by a core optimizer (or, for a
 * {@link DirectFit} model, its own epochs), validation after each epoch with early stopping, a progress
 * display, one JSON line per epoch in a log file, atomic checkpoints and resume.
 *
 * <pre>{@code
 * TrainingResult r = Trainer.builder(model, split.train())
 *         .validation(Validation.sampled(SampledRankingProtocol.validation(split, 99, 1, 10), "NDCG@10", 3))
 *         .log(out.resolve("train.jsonl"))
 *         .checkpoints(out.resolve("checkpoints"))
 *         .build().fit();
 * }</pre>
 *
 * <p><b>Steps.</b> Each step runs in a {@link Scope} of its own: the batch's tensors, the forward
 * activations and the autograd tape are freed when it closes; gradients and optimizer state live with
 * the parameters. The batches come from the model's {@link TrainingPlan} ({@link Trainable}) or from
 * {@link Builder#plan}.
 *
 * <p><b>Early stopping</b> ({@link Validation}): after each epoch the watched metric is computed on the
 * held-out data; when it has not improved for {@code patience} epochs, training stops, and the weights
 * of the best epoch are restored (unless {@link Builder#restoreBest} is off).
 *
 * <p><b>Log</b>: one JSON object per line and epoch ({@link EpochRecord#toMap()}: epoch, loss, metrics,
 * seconds, samples per second, backend, ...). A resumed run rewrites the log with the checkpoint's
 * history first, so the file always matches the epochs the model has seen.
 *
 * <p><b>Checkpoints</b>, after every epoch, in a folder: {@code epoch-NNNN/} is a complete model bundle
 * ({@link io.panrec.models.bundle.Bundle}) plus {@code optimizer.safetensors} (the optimizer's moments),
 * {@code best.safetensors} (the best weights so far) and {@code trainer.json} (epochs done, best value,
 * history); {@code LATEST} names the newest complete one and is replaced atomically after it is written,
 * so a crash at any point leaves a consistent checkpoint; {@code best/} is a bundle of the best weights.
 * {@link Builder#resume} continues from {@code LATEST}: the model (same name and settings, the number of
 * epochs aside), the optimizer, the early-stopping state and the batches of the next epoch are those an
 * uninterrupted run would have, so the result is the same. (Randomness a model draws itself, such as
 * dropout masks, is not saved; a model using dropout resumes close to, not exactly on, the same path.)
 */
public final class Trainer {
    private final Recommender model;
    private final Interactions train;
    private final TrainingPlan plan;
    private final Validation validation;
    private final boolean restoreBest;
    private final int maxStepsPerEpoch;
    private final Path logFile;
    private final Path checkpointDir;
    private final boolean resume;
    private final int keepCheckpoints;
    private final Progress progress;
    private final Function<TrainingPlan, Function<List<Tensor>, Optimizer>> optimizerFactory;
    private final BatchSource batchSource;

    private Trainer(Builder b) {
        this.model = b.model;
        this.train = b.train;
        this.plan = b.plan != null ? b.plan : planOf(b.model);
        this.validation = b.validation;
        this.restoreBest = b.restoreBest;
        this.maxStepsPerEpoch = b.maxStepsPerEpoch;
        this.logFile = b.logFile;
        this.checkpointDir = b.checkpointDir;
        this.resume = b.resume;
        this.keepCheckpoints = b.keepCheckpoints;
        this.progress = new Progress(b.out, b.interactive != null ? b.interactive : Progress.terminal());
        this.optimizerFactory = b.optimizerFactory;
        this.batchSource = b.batchSource;
        checkFits();
    }

    private static TrainingPlan planOf(Recommender model) {
        if (model instanceof Trainable t) {
            return t.trainingPlan();
        }
        throw new IllegalArgumentException(model.settings().owner() + " does not say how it is trained (it does not implement "
                + Trainable.class.getName() + "); pass a TrainingPlan with Trainer.Builder.plan");
    }

    /** A trainer of {@code model} on the training interactions {@code train}. */
    public static Builder builder(Recommender model, Interactions train) {
        return new Builder(model, train);
    }

    /** Options of a {@link Trainer}. */
    public static final class Builder {
        private final Recommender model;
        private final Interactions train;
        private TrainingPlan plan;
        private Validation validation;
        private boolean restoreBest = true;
        private int maxStepsPerEpoch;
        private Path logFile;
        private Path checkpointDir;
        private boolean resume;
        private int keepCheckpoints = 1;
        private PrintStream out = System.err;
        private Boolean interactive;
        private Function<TrainingPlan, Function<List<Tensor>, Optimizer>> optimizerFactory =
                p -> params -> Optimizers.create(p, params);
        private BatchSource batchSource;

        private Builder(Recommender model, Interactions train) {
            this.model = Objects.requireNonNull(model, "model");
            this.train = Objects.requireNonNull(train, "train");
        }

        /** The plan to follow instead of the model's own (required for models that are not {@link Trainable}). */
        public Builder plan(TrainingPlan p) {
            this.plan = Objects.requireNonNull(p, "plan");
            return this;
        }

        /** Validation after each epoch, with early stopping. */
        public Builder validation(Validation v) {
            this.validation = v;
            return this;
        }

        /** Whether to restore the best epoch's weights at the end (default true; needs a validation). */
        public Builder restoreBest(boolean on) {
            this.restoreBest = on;
            return this;
        }

        /** At most this many steps per epoch (0, the default: the whole epoch); for smoke tests and quick looks. */
        public Builder maxStepsPerEpoch(int steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("maxStepsPerEpoch " + steps + " < 0");
            }
            this.maxStepsPerEpoch = steps;
            return this;
        }

        /** Appends one JSON line per epoch to this file (created or truncated by a fresh run). */
        public Builder log(Path file) {
            this.logFile = file;
            return this;
        }

        /** Writes a checkpoint to this folder after every epoch. */
        public Builder checkpoints(Path folder) {
            this.checkpointDir = folder;
            return this;
        }

        /** How many epoch checkpoints to keep (default 1, the newest); at least 1. */
        public Builder keepCheckpoints(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("keepCheckpoints " + n + " < 1");
            }
            this.keepCheckpoints = n;
            return this;
        }

        /**
         * Continue from the newest checkpoint in the {@linkplain #checkpoints checkpoint folder} if there
         * is one (a fresh run otherwise). Without it, a folder that already holds checkpoints is an error,
         * so that a new run never mixes with an old one.
         */
        public Builder resume(boolean on) {
            this.resume = on;
            return this;
        }

        /** Where progress goes (default {@code System.err}); null for silence. */
        public Builder output(PrintStream stream) {
            this.out = stream;
            return this;
        }

        /** Forces the terminal bar on or off (default: on when the JVM's console is a terminal). */
        public Builder interactive(boolean on) {
            this.interactive = on;
            return this;
        }

        /** How to build the optimizer from the plan and the parameters (default {@link Optimizers#create(TrainingPlan, List)}). */
        public Builder optimizer(Function<TrainingPlan, Function<List<Tensor>, Optimizer>> factory) {
            this.optimizerFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Trains on these batches instead of those the plan's sampling draws from the interactions (CTR
         * rows with their feature fields); the plan still gives epochs, optimizer and learning rate.
         */
        public Builder batches(BatchSource source) {
            this.batchSource = Objects.requireNonNull(source, "source");
            return this;
        }

        public Trainer build() {
            if (resume && checkpointDir == null) {
                throw new IllegalArgumentException("resume needs the checkpoint folder (Trainer.Builder.checkpoints)");
            }
            return new Trainer(this);
        }
    }

    public TrainingPlan plan() {
        return plan;
    }

    private void checkFits() {
        var schema = model.schema();
        String name = model.settings().owner();
        if (train.numUsers() != schema.numUsers() || train.numItems() != schema.numItems()) {
            throw new IllegalArgumentException(name + " was built for " + schema.numUsers() + " users and " + schema.numItems()
                    + " items but the training data has " + train.numUsers() + " and " + train.numItems()
                    + "; build the model from the schema of this data (Interactions.schema()) after all files are read");
        }
        if (train.isEmpty()) {
            throw new IllegalArgumentException("the training data of " + name + " is empty");
        }
        boolean direct = model instanceof DirectFit;
        if (direct != (plan.sampling() == TrainingPlan.Sampling.NONE)) {
            throw new IllegalArgumentException(name + (direct ? " fits itself (DirectFit) and takes no batches, but the plan asks for "
                    + plan.sampling() : " is trained by gradient and needs batches, but the plan's sampling is NONE"));
        }
        if (plan.sampling() == TrainingPlan.Sampling.PLAIN && schema.hasRatings() && !train.hasRatings()) {
            throw new IllegalArgumentException(name + " was built for ratings but the training data has none");
        }
        if (!direct && model.parameters().isEmpty()) {
            throw new IllegalArgumentException(name + " has no parameters to train; a model fitted otherwise implements DirectFit");
        }
    }

    // ------------------------------------------------------------------ the run

    /** Mutable state of a run, saved in checkpoints. */
    private static final class RunState {
        int epochsDone;
        int bestEpoch;
        double bestValue = Double.NaN;
        int badEpochs;
        Map<String, Tensor> bestState;
        final List<EpochRecord> history = new ArrayList<>();
    }

    /**
     * Runs the plan's epochs (or until early stopping) and returns what happened. On return the model
     * holds the best epoch's weights (with validation and {@code restoreBest}) or the last epoch's, and
     * is in evaluation mode.
     *
     * @throws IllegalStateException if the loss becomes NaN or infinite (the message names epoch and step)
     * @throws UncheckedIOException  if a log or checkpoint cannot be written or read
     */
    public TrainingResult fit() {
        boolean direct = model instanceof DirectFit;
        Device device = device(model);
        if (!device.isHost() && validation != null) {
            throw new UnsupportedOperationException(model.settings().owner() + " is on " + device + ": the trainer trains a model "
                    + "on a device, but evaluating it there is not supported yet (the models read ids in Java to score). Train "
                    + "without validation, then move it back with Trainer.moveTo(model, Device.CPU) to evaluate and save it");
        }
        java.util.Set<Batch.Key> hostFields = model instanceof Trainable t ? t.hostBatchFields() : java.util.Set.of();
        Optimizer optimizer = direct ? null : optimizerFactory.apply(plan).apply(model.parameters());
        RunState state = new RunState();
        int resumedFrom = 0;
        try {
            Path latest = checkpointDir == null ? null : Checkpoints.latest(checkpointDir);
            if (latest != null && !resume) {
                throw new IllegalStateException(checkpointDir + " holds checkpoints of an earlier run (" + latest.getFileName()
                        + "); resume it (Trainer.Builder.resume, --resume) or choose another folder");
            }
            if (latest != null) {
                Checkpoints.Restored r = Checkpoints.read(latest, model, optimizer, validation);
                state.epochsDone = r.epochsDone();
                state.bestEpoch = r.bestEpoch();
                state.bestValue = r.bestValue();
                state.badEpochs = r.badEpochs();
                state.bestState = r.bestState();
                state.history.addAll(r.history());
                resumedFrom = state.epochsDone;
                progress.message("resumed " + model.settings().owner() + " from " + latest + " after epoch " + state.epochsDone);
            } else if (model instanceof Trainable t) {
                model.setTraining(true);
                t.beforeTraining(train);
            }
            startLog(state.history);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        Batches batches = null;
        EntityBatches entities = null;
        // One source of non-row batches: the data's (given to the builder) or, for a MODEL plan, the model's.
        BatchSource source = batchSource;
        switch (source != null ? TrainingPlan.Sampling.NONE : plan.sampling()) {
            case PLAIN -> batches = Batches.over(train).plain().batchSize(plan.batchSize()).seed(plan.seed()).build();
            case PAIRWISE -> batches = Batches.over(train).pairwise(sampler(), plan.negatives()).batchSize(plan.batchSize())
                    .seed(plan.seed()).build();
            case POINTWISE -> batches = Batches.over(train).pointwise(sampler(), plan.negatives()).batchSize(plan.batchSize())
                    .seed(plan.seed()).build();
            case BY_ITEM -> entities = new EntityBatches(train, true, plan.batchSize(), plan.seed());
            case BY_USER -> entities = new EntityBatches(train, false, plan.batchSize(), plan.seed());
            case NONE -> {
            }
            case MODEL -> {
                if (!(model instanceof Trainable t)) {
                    throw new IllegalArgumentException(model.settings().owner() + " cannot make its own batches (a MODEL plan needs a "
                            + Trainable.class.getSimpleName() + ")");
                }
                source = t.batches(train, plan);
            }
        }
        double clipNorm = model instanceof Trainable t ? t.gradientClipNorm() : 0;

        boolean stopped = state.badEpochs > 0 && validation != null && validation.patience() > 0
                && state.badEpochs >= validation.patience();
        for (int epoch = state.epochsDone; epoch < plan.epochs() && !stopped; epoch++) {
            model.setTraining(true);
            long t0 = System.nanoTime();
            double loss;
            long samples;
            double lr = Double.NaN;
            if (direct) {
                progress.startEpoch(epoch + 1, plan.epochs(), 1);
                loss = ((DirectFit) model).fitEpoch(train, epoch);
                samples = train.size();
            } else {
                lr = optimizer.lr();
                Iterator<Batch> it;
                int count;
                if (source != null) {
                    it = source.epoch(epoch);
                    count = source.batchesPerEpoch();
                } else if (batches != null) {
                    it = batches.epoch(epoch);
                    count = batches.batchesPerEpoch();
                } else {
                    it = entities.epoch(epoch);
                    count = entities.batchesPerEpoch();
                }
                if (maxStepsPerEpoch > 0) {
                    count = Math.min(count, maxStepsPerEpoch);
                }
                progress.startEpoch(epoch + 1, plan.epochs(), count);
                double sum = 0;
                samples = 0;
                for (int step = 0; step < count && it.hasNext(); step++) {
                    try (var _ = Scope.open("train-step")) {
                        Batch batch = toDevice(it.next(), device, hostFields); // no copy on the host
                        optimizer.zeroGrad();
                        Tensor l = model.calculateLoss(batch);
                        if (l.numel() != 1) {
                            throw new IllegalStateException(model.settings().owner() + ".calculateLoss returned " + l.describe()
                                    + "; a loss is a scalar");
                        }
                        double value = (l.device().isHost() ? l : l.to(Device.CPU)).item();
                        if (!Double.isFinite(value)) {
                            throw new IllegalStateException(model.settings().owner() + ": the loss is " + value + " at epoch "
                                    + (epoch + 1) + " step " + (step + 1) + "; lower the learning rate (" + optimizer.lr()
                                    + ") or check the data");
                        }
                        l.backward();
                        if (clipNorm > 0) {
                            io.panrec.optim.GradClip.clipByGlobalNorm(model.parameters(), clipNorm);
                        }
                        optimizer.step();
                        sum += value * batch.size();
                        samples += batch.size();
                        progress.step(step + 1, sum / samples);
                    }
                }
                loss = samples > 0 ? sum / samples : Double.NaN;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;

            Map<String, Double> metrics = Map.of();
            double vSeconds = 0;
            boolean best = false;
            if (validation != null) {
                long v0 = System.nanoTime();
                EvaluationResult result = evaluate();
                vSeconds = (System.nanoTime() - v0) / 1e9;
                metrics = result.metrics();
                double value = result.metric(validation.metric());
                if (validation.improves(value, state.bestValue)) {
                    best = true;
                    state.bestValue = value;
                    state.bestEpoch = epoch + 1;
                    state.badEpochs = 0;
                    if (restoreBest) {
                        state.bestState = snapshot(model.stateDict());
                    }
                } else {
                    state.badEpochs++;
                }
            }
            EpochRecord record = new EpochRecord(epoch + 1, loss, metrics, seconds, vSeconds, samples, lr,
                    Backends.current().name(), best);
            state.history.add(record);
            state.epochsDone = epoch + 1;
            try {
                if (checkpointDir != null) {
                    Checkpoints.write(checkpointDir, epoch + 1, model, train, optimizer, plan, validation, state.bestEpoch,
                            state.bestValue, state.badEpochs, best ? null : state.bestState, best, state.history, keepCheckpoints);
                }
                appendLog(record);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            progress.endEpoch(record);
            if (validation != null && validation.patience() > 0 && state.badEpochs >= validation.patience()) {
                stopped = true;
                progress.message("early stop after epoch " + (epoch + 1) + ": " + validation.metric() + " has not improved for "
                        + state.badEpochs + " epochs; best " + String.format(java.util.Locale.ROOT, "%.4f", state.bestValue)
                        + " at epoch " + state.bestEpoch);
            }
        }
        if (validation != null && restoreBest && state.bestState != null && state.bestEpoch != state.epochsDone) {
            model.loadState(state.bestState);
        }
        model.setTraining(false);
        return new TrainingResult(state.history, state.bestEpoch, state.bestValue, stopped && state.epochsDone < plan.epochs(),
                resumedFrom);
    }

    private NegativeSampler sampler() {
        return NegativeSampler.uniform(train.byUser());
    }

    private EvaluationResult evaluate() {
        boolean was = model.isTraining();
        model.setTraining(false);
        try (var _ = Autograd.noGrad()) {
            return validation.evaluator().apply(model);
        } finally {
            model.setTraining(was);
        }
    }

    /**
     * Copies of the tensors in memory that outlives the run's scopes (global, freed by the GC), so the
     * best epoch's weights survive further training.
     */
    static Map<String, Tensor> snapshot(Map<String, Tensor> state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (var _ = Autograd.noGrad(); var _ = Scope.open("snapshot")) {
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                Tensor src = e.getValue().contiguous();
                if (!src.device().isHost()) {
                    src = src.to(Device.CPU); // device memory is never read from Java
                }
                Tensor dst = Tensor.zeros(Scope.global(), src.dtype(), src.shape());
                long bytes = src.numel() * src.dtype().byteSize();
                MemorySegment.copy(src.dataSegment(), 0, dst.dataSegment(), 0, bytes);
                out.put(e.getKey(), dst);
            }
        }
        return out;
    }

    /**
     * Moves the parameters of {@code model} to {@code device} (a {@link Module} with {@link Module#to}, a model
     * that {@linkplain HoldsNetwork holds its network} by moving the network), so that {@link #fit} trains it
     * there; {@code Device.CPU} brings it back. Create optimizers after moving (they keep the parameter tensors).
     *
     * @return the model
     * @throws UnsupportedOperationException for a model whose parameters cannot be moved, naming it
     */
    public static Recommender moveTo(Recommender model, Device device) {
        Objects.requireNonNull(device, "device");
        switch (model) {
            case Module m -> m.to(device);
            case HoldsNetwork h -> h.network().to(device);
            default -> throw new UnsupportedOperationException(model.settings().owner() + " (" + model.getClass().getName()
                    + ") cannot be moved to " + device + ": it is neither a Module nor holds one (HoldsNetwork); train it on "
                    + "the host");
        }
        return model;
    }

    /**
     * {@code batch} with its fields on {@code device}, but for {@code onHost} (the fields the model reads in Java,
     * {@link Trainable#hostBatchFields}), which stay where they are; the batch itself when nothing moves.
     */
    static Batch toDevice(Batch batch, Device device, java.util.Set<Batch.Key> onHost) {
        if (onHost.isEmpty() || device.isHost()) {
            return batch.to(device);
        }
        Batch out = new Batch();
        for (Batch.Key k : batch.keys()) {
            Tensor t = batch.get(k);
            out.put(k, onHost.contains(k) ? t : t.to(device));
        }
        return out;
    }

    /** Where the model's parameters are ({@code Module.to}): the device its batches go to. */
    static Device device(Recommender model) {
        Device d = Device.CPU;
        for (Tensor p : model.parameters()) {
            if (!p.device().isHost()) {
                d = p.device();
            }
        }
        return d;
    }

    // ------------------------------------------------------------------ log

    private void startLog(List<EpochRecord> history) throws IOException {
        if (logFile == null) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (EpochRecord r : history) {
            sb.append(io.panrec.models.bundle.JsonWriter.compact(r.toMap())).append('\n');
        }
        io.panrec.models.bundle.AtomicFolder.replaceFile(logFile, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void appendLog(EpochRecord record) throws IOException {
        if (logFile == null) {
            return;
        }
        String line = io.panrec.models.bundle.JsonWriter.compact(record.toMap()) + "\n";
        Files.writeString(logFile, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
