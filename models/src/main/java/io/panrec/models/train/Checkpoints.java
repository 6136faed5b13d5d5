package io.panrec.models.train;

import io.panrec.io.Json;
import io.panrec.io.SafeTensors;
import io.panrec.io.SafeTensorsFile;
import io.panrec.models.bundle.AtomicFolder;
import io.panrec.models.bundle.Bundle;
import io.panrec.models.bundle.BundleException;
import io.panrec.models.bundle.JsonWriter;
import io.panrec.models.data.Interactions;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.optim.Optimizer;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The checkpoint folder of a {@link Trainer} run (see the class comment of {@link Trainer} for the
 * layout). Each {@code epoch-NNNN} folder is written atomically and complete before {@code LATEST} is
 * replaced to name it, so {@code LATEST} always names a whole checkpoint.
 */
public final class Checkpoints {
    public static final String LATEST = "LATEST";
    public static final String BEST_BUNDLE = "best";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String BEST_WEIGHTS = "best.safetensors";
    static final String TRAINER = "trainer.json";
    static final String FORMAT = "panrec-checkpoint";
    private static final Pattern EPOCH_DIR = Pattern.compile("epoch-(\\d{4,9})");

    private Checkpoints() {
    }

    /**
     * The newest complete checkpoint of {@code folder} (a model bundle of the weights after that epoch),
     * or null if the folder holds none.
     *
     * @throws BundleException if {@code LATEST} is malformed or names a missing checkpoint
     */
    public static Path latest(Path folder) throws IOException {
        Path pointer = folder.resolve(LATEST);
        if (!Files.isRegularFile(pointer)) {
            return null;
        }
        String name = Files.readString(pointer, StandardCharsets.UTF_8).strip();
        if (!EPOCH_DIR.matcher(name).matches()) {
            throw new BundleException(folder, LATEST + " holds '" + name + "', not the name of a checkpoint (epoch-NNNN)");
        }
        Path dir = folder.resolve(name);
        if (!Bundle.isBundle(dir)) {
            throw new BundleException(folder, LATEST + " names " + name + ", which is missing or incomplete; the folder was changed "
                    + "by hand: remove " + LATEST + " to start over");
        }
        return dir;
    }

    static void write(Path folder, int epoch, Recommender model, Interactions train, Optimizer optimizer, TrainingPlan plan,
                      Validation validation, int bestEpoch, double bestValue, int badEpochs, Map<String, Tensor> bestState,
                      boolean isBest, List<EpochRecord> history, int keep) throws IOException {
        String name = String.format("epoch-%04d", epoch);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("format", FORMAT);
        t.put("version", 1);
        t.put("epochsDone", epoch);
        t.put("bestEpoch", bestEpoch);
        t.put("bestValue", Double.isFinite(bestValue) ? bestValue : null);
        t.put("badEpochs", badEpochs);
        t.put("metric", validation == null ? null : validation.metric());
        t.put("plan", plan.toMap());
        List<Object> h = new ArrayList<>();
        for (EpochRecord r : history) {
            h.add(r.toMap());
        }
        t.put("history", h);
        byte[] trainerJson = JsonWriter.pretty(t).getBytes(StandardCharsets.UTF_8);
        Files.createDirectories(folder);
        Bundle.save(folder.resolve(name), model, train.users(), train.items(), Map.of("checkpoint", epoch), dir -> {
            if (optimizer != null) {
                try (var _ = Scope.open("checkpoint")) {
                    SafeTensors.write(dir.resolve(OPTIMIZER), optimizer.stateDict());
                }
            }
            if (bestState != null) {
                SafeTensors.write(dir.resolve(BEST_WEIGHTS), bestState);
            }
            AtomicFolder.writeFile(dir.resolve(TRAINER), trainerJson);
        });
        AtomicFolder.replaceFile(folder.resolve(LATEST), (name + "\n").getBytes(StandardCharsets.UTF_8));
        if (isBest) {
            Bundle.save(folder.resolve(BEST_BUNDLE), model, train.users(), train.items(), Map.of("epoch", epoch), null);
        }
        prune(folder, epoch, keep);
    }

    /** Removes epoch folders older than the {@code keep} newest. */
    private static void prune(Path folder, int newest, int keep) throws IOException {
        List<Integer> epochs = new ArrayList<>();
        try (var s = Files.list(folder)) {
            s.forEach(p -> {
                var m = EPOCH_DIR.matcher(p.getFileName().toString());
                if (m.matches() && Files.isDirectory(p)) {
                    epochs.add(Integer.parseInt(m.group(1)));
                }
            });
        }
        epochs.sort(null);
        for (int i = 0; i < epochs.size() - keep; i++) {
            int e = epochs.get(i);
            if (e < newest) {
                deleteTree(folder.resolve(String.format("epoch-%04d", e)));
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            List<Path> paths = new ArrayList<>(s.toList());
            java.util.Collections.reverse(paths);
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** What a checkpoint restores besides the weights and optimizer moments (which go into the live objects). */
    record Restored(int epochsDone, int bestEpoch, double bestValue, int badEpochs, Map<String, Tensor> bestState,
                    List<EpochRecord> history) {
    }

    /**
     * Loads {@code checkpoint} into {@code model} and {@code optimizer} (null for a direct fit) after
     * checking that it was written for the same model, settings (the number of epochs aside) and
     * validation metric.
     */
    static Restored read(Path checkpoint, Recommender model, Optimizer optimizer, Validation validation) throws IOException {
        Map<?, ?> header = object(checkpoint, Bundle.MODEL_JSON);
        String name = model.settings().owner();
        if (!name.equals(header.get("model"))) {
            throw new BundleException(checkpoint, "the checkpoint is of model " + header.get("model") + ", not " + name
                    + "; resume with the model it was written for, or choose another checkpoint folder");
        }
        Settings saved = model.settings();
        if (header.get("settings") instanceof Map<?, ?> values) {
            try {
                for (Map.Entry<?, ?> e : values.entrySet()) {
                    Object v = e.getValue();
                    saved = saved.with(String.valueOf(e.getKey()), v instanceof List<?> l ? new ArrayList<>(l) : v);
                }
            } catch (IllegalArgumentException e) {
                throw new BundleException(checkpoint, Bundle.MODEL_JSON + ": " + e.getMessage());
            }
        }
        Settings mine = model.settings();
        if (saved.has(TrainingSettings.EPOCHS)) {
            // more (or fewer) epochs is what resuming is for; every other setting must match
            saved = saved.with(TrainingSettings.EPOCHS, mine.get(TrainingSettings.EPOCHS));
        }
        if (!saved.equals(mine)) {
            throw new BundleException(checkpoint, "the checkpoint was written with settings " + saved + " but the model has " + mine
                    + "; resume with the same settings (only epochs may change)");
        }
        Map<?, ?> trainer = object(checkpoint, TRAINER);
        if (!FORMAT.equals(trainer.get("format"))) {
            throw new BundleException(checkpoint, TRAINER + " is not a panrec checkpoint state");
        }
        Object metric = trainer.get("metric");
        if (validation != null && metric != null && !validation.metric().equals(metric)) {
            throw new BundleException(checkpoint, "the run watched " + metric + " for early stopping, not " + validation.metric()
                    + "; resume with the same validation metric");
        }
        int epochsDone = integer(checkpoint, trainer, "epochsDone");
        int bestEpoch = integer(checkpoint, trainer, "bestEpoch");
        int badEpochs = integer(checkpoint, trainer, "badEpochs");
        double bestValue = trainer.get("bestValue") instanceof Number n ? n.doubleValue() : Double.NaN;
        List<EpochRecord> history = new ArrayList<>();
        if (trainer.get("history") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    history.add(EpochRecord.fromMap(m));
                }
            }
        }
        if (history.size() != epochsDone) {
            throw new BundleException(checkpoint, TRAINER + " records " + history.size() + " epochs but says " + epochsDone + " were done");
        }

        loadWeights(checkpoint, checkpoint.resolve(Bundle.WEIGHTS), model);
        if (optimizer != null) {
            Path opt = checkpoint.resolve(OPTIMIZER);
            if (!Files.isRegularFile(opt)) {
                throw new BundleException(checkpoint, "missing " + OPTIMIZER + "; the checkpoint cannot resume gradient training");
            }
            try (SafeTensorsFile f = SafeTensors.open(opt)) {
                optimizer.loadStateDict(f.tensors());
            } catch (IllegalArgumentException e) {
                throw new BundleException(checkpoint, OPTIMIZER + " does not fit this optimizer: " + e.getMessage()
                        + "; resume with the optimizer the run used", e);
            }
        }
        Map<String, Tensor> bestState = null;
        Path best = checkpoint.resolve(BEST_WEIGHTS);
        if (Files.isRegularFile(best)) {
            bestState = SafeTensors.readCopy(best, Scope.global()).tensors();
        } else if (bestEpoch > 0 && bestEpoch == epochsDone) {
            bestState = Trainer.snapshot(model.stateDict());
        }
        return new Restored(epochsDone, bestEpoch, bestValue, badEpochs, bestState, history);
    }

    private static void loadWeights(Path checkpoint, Path file, Recommender model) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new BundleException(checkpoint, "missing " + file.getFileName());
        }
        try (SafeTensorsFile f = SafeTensors.open(file); var _ = Scope.open("checkpoint-load")) {
            model.loadState(f.tensors());
        } catch (IllegalArgumentException e) {
            throw new BundleException(checkpoint, file.getFileName() + " does not fit " + model.settings() + ": " + e.getMessage(), e);
        }
    }

    private static Map<?, ?> object(Path checkpoint, String file) throws IOException {
        Path p = checkpoint.resolve(file);
        if (!Files.isRegularFile(p)) {
            throw new BundleException(checkpoint, "missing " + file);
        }
        try {
            Object v = Json.parse(Files.readString(p, StandardCharsets.UTF_8));
            if (v instanceof Map<?, ?> m) {
                return m;
            }
            throw new BundleException(checkpoint, file + " is not a JSON object");
        } catch (Json.ParseException e) {
            throw new BundleException(checkpoint, file + " is not valid JSON: " + e.getMessage());
        }
    }

    private static int integer(Path checkpoint, Map<?, ?> m, String key) throws BundleException {
        if (m.get(key) instanceof Long l && l >= 0 && l <= Integer.MAX_VALUE) {
            return (int) (long) l;
        }
        throw new BundleException(checkpoint, TRAINER + ": \"" + key + "\" must be a non-negative integer, got " + m.get(key));
    }
}
