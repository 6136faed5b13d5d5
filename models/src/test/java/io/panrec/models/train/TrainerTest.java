package io.panrec.models.train;

import io.panrec.io.Json;
import io.panrec.models.bundle.Bundle;
import io.panrec.models.bundle.BundleException;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.Split;
import io.panrec.models.data.Splits;
import io.panrec.models.eval.EvaluationResult;
import io.panrec.models.eval.SampledRankingProtocol;
import io.panrec.models.general.ToyData;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trainer: early stopping, logs and progress, checkpoints and exact resume, for gradient and direct fits. */
class TrainerTest {
    static final Interactions DATA = ToyData.generate(40, 50, 12, 5);
    static final Split SPLIT = Splits.leaveOneOut(DATA, true);
    static final ModelRegistry REGISTRY = ModelRegistry.discover();

    @TempDir
    Path tmp;

    static Recommender create(String name, Map<String, Object> overrides) {
        ModelProvider p = REGISTRY.get(name);
        Settings s = p.defaultSettings();
        for (var e : overrides.entrySet()) {
            s = s.with(e.getKey(), e.getValue());
        }
        return p.create(s, SPLIT.train().schema());
    }

    static Recommender bpr(int epochs) {
        return create("BPRMF", Map.of("embeddingSize", 8, "batchSize", 64, "learningRate", 0.01, "epochs", epochs));
    }

    static float[][] weights(Recommender m) {
        List<float[]> out = new ArrayList<>();
        for (Tensor t : m.stateDict().values()) {
            out.add(t.contiguous().toFloatArray());
        }
        return out.toArray(float[][]::new);
    }

    /** A validation that reports scripted values of "score" and remembers the weights it saw. */
    static final class Scripted implements Function<Recommender, EvaluationResult> {
        final String metric;
        final double[] values;
        final List<float[][]> seen = new ArrayList<>();
        int calls;

        Scripted(double... values) {
            this("score", values);
        }

        Scripted(String metric, double... values) {
            this.metric = metric;
            this.values = values;
        }

        @Override
        public EvaluationResult apply(Recommender m) {
            assertFalse(m.isTraining(), "validation runs in evaluation mode");
            seen.add(weights(m));
            return new EvaluationResult("scripted", Map.of(metric, values[calls++]), 1, 0);
        }
    }

    @Test
    void earlyStoppingRestoresTheBestEpoch() {
        Recommender model = bpr(10);
        Scripted v = new Scripted(0.1, 0.3, 0.2, 0.25, 0.29, 0.9, 0.9);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TrainingResult r = Trainer.builder(model, SPLIT.train()).validation(Validation.of(v, "score", 3))
                .output(new PrintStream(out, true, StandardCharsets.UTF_8)).interactive(false).build().fit();
        assertEquals(5, r.epochs(), "epochs 3, 4, 5 do not beat epoch 2's 0.3: stop after 5");
        assertTrue(r.stoppedEarly());
        assertEquals(2, r.bestEpoch());
        assertEquals(0.3, r.bestValue());
        assertEquals(List.of(true, true, false, false, false), r.history().stream().map(EpochRecord::best).toList());
        assertArrayEquals(v.seen.get(1), weights(model), "the weights of epoch 2 are back");
        assertNotEquals(java.util.Arrays.toString(v.seen.get(4)[0]), java.util.Arrays.toString(weights(model)[0]));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(6, text.lines().count(), text);  // five epoch lines and the early-stop message
        assertTrue(text.lines().allMatch(l -> !l.contains("\r")));
        assertTrue(text.contains("epoch 2/10  loss ") && text.contains("score 0.3000 *"), text);
        assertTrue(text.contains("early stop after epoch 5"), text);

        // lower-is-better metrics go the other way; patience 0 never stops
        assertFalse(Validation.higherIsBetter("RMSE"));
        assertTrue(Validation.higherIsBetter("NDCG@10"));
        Recommender m2 = bpr(4);
        TrainingResult r2 = Trainer.builder(m2, SPLIT.train()).output(null)
                .validation(Validation.of(new Scripted("RMSE", 5, 4, 6, 7), "RMSE", 0)).build().fit();
        assertEquals(4, r2.epochs());
        assertEquals(2, r2.bestEpoch());
        assertFalse(r2.stoppedEarly());
    }

    @Test
    void logsOneJsonLinePerEpochAndDrawsABarOnTerminals() throws Exception {
        Path log = tmp.resolve("logs/train.jsonl");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SampledRankingProtocol protocol = SampledRankingProtocol.validation(SPLIT, 20, 3, 5);
        TrainingResult r = Trainer.builder(bpr(3), SPLIT.train()).log(log).validation(Validation.sampled(protocol, "NDCG@5", 2))
                .output(new PrintStream(out, true, StandardCharsets.UTF_8)).interactive(true).build().fit();
        List<String> lines = Files.readAllLines(log);
        assertEquals(3, lines.size());
        for (int e = 0; e < 3; e++) {
            Map<?, ?> m = (Map<?, ?>) Json.parse(lines.get(e));
            assertEquals((long) e + 1, m.get("epoch"));
            assertTrue(((Number) m.get("loss")).doubleValue() > 0);
            assertTrue(((Map<?, ?>) m.get("metrics")).containsKey("HR@5"));
            assertTrue(((Map<?, ?>) m.get("metrics")).containsKey("NDCG@5"));
            assertTrue(((Number) m.get("samplesPerSecond")).doubleValue() > 0);
            assertEquals((long) SPLIT.train().size(), m.get("samples"));
            assertEquals(io.panrec.backend.Backends.current().name(), m.get("backend"));
            assertEquals(r.history().get(e).loss(), ((Number) m.get("loss")).doubleValue(), 1e-12);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("\r") && text.contains("[====="), "a bar redrawn in place: " + text);
        assertEquals(3, text.chars().filter(c -> c == '\n').count(), "one finished line per epoch");
    }

    /**
     * Runs on the scalar reference backend: bit-exact equality needs every reduction to add in one fixed
     * order, which the vector backend's lane reductions do not promise across JIT tiers.
     */
    @Test
    void resumingAfterACrashGivesTheUninterruptedResult() throws Exception {
        try (var _ = io.panrec.backend.Backends.use("reference")) {
            resumeAfterCrash();
        }
    }

    private void resumeAfterCrash() throws Exception {
        SampledRankingProtocol protocol = SampledRankingProtocol.validation(SPLIT, 20, 3, 5);
        Validation validation = Validation.sampled(protocol, "NDCG@5", 0);

        Recommender straight = bpr(5);
        TrainingResult a = Trainer.builder(straight, SPLIT.train()).validation(validation).checkpoints(tmp.resolve("a"))
                .log(tmp.resolve("a.jsonl")).output(null).build().fit();

        // the same run, crashing in epoch 4's validation (after epoch 3's checkpoint)
        Path dir = tmp.resolve("b");
        int[] calls = {0};
        Validation crashing = new Validation(m -> {
            if (++calls[0] == 4) {
                throw new IllegalStateException("simulated crash");
            }
            return validation.evaluator().apply(m);
        }, "NDCG@5", true, 0, 0);
        assertThrows(IllegalStateException.class, () -> Trainer.builder(bpr(5), SPLIT.train()).validation(crashing)
                .checkpoints(dir).log(tmp.resolve("b.jsonl")).output(null).build().fit());
        assertEquals("epoch-0003", Files.readString(dir.resolve(Checkpoints.LATEST)).strip());
        assertEquals(3, Files.readAllLines(tmp.resolve("b.jsonl")).size());

        // a fresh run into the folder is refused; a resumed one continues where the crash left off
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Trainer.builder(bpr(5), SPLIT.train())
                .checkpoints(dir).output(null).build().fit());
        assertTrue(refused.getMessage().contains("resume"), refused.getMessage());
        Recommender resumed = bpr(5);
        TrainingResult b = Trainer.builder(resumed, SPLIT.train()).validation(validation).checkpoints(dir)
                .log(tmp.resolve("b.jsonl")).resume(true).output(null).build().fit();
        assertEquals(3, b.resumedFrom());
        assertEquals(5, b.epochs());
        assertEquals(a.bestEpoch(), b.bestEpoch());
        assertEquals(a.bestValue(), b.bestValue());
        for (int e = 0; e < 5; e++) {
            assertEquals(a.history().get(e).loss(), b.history().get(e).loss(), "loss of epoch " + (e + 1));
            assertEquals(a.history().get(e).metrics(), b.history().get(e).metrics(), "metrics of epoch " + (e + 1));
        }
        float[][] wa = weights(straight);
        float[][] wb = weights(resumed);
        for (int k = 0; k < wa.length; k++) {
            assertArrayEquals(wa[k], wb[k], "tensor " + k + " differs from the uninterrupted run");
        }
        assertEquals(5, Files.readAllLines(tmp.resolve("b.jsonl")).size());
        // only the newest checkpoint is kept; best/ is a loadable bundle of the best weights
        try (var s = Files.list(dir)) {
            assertEquals(List.of("LATEST", "best", "epoch-0005"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Bundle best = Bundle.load(dir.resolve(Checkpoints.BEST_BUNDLE), REGISTRY);
        assertEquals(straight.settings(), best.model().settings());

        // more epochs may be added by resuming with a larger epoch count
        Recommender more = bpr(6);
        TrainingResult c = Trainer.builder(more, SPLIT.train()).validation(validation).checkpoints(dir).resume(true).output(null)
                .build().fit();
        assertEquals(6, c.epochs());
        assertEquals(5, c.resumedFrom());
    }

    @Test
    void resumeRefusesAnotherModelOrSettings() throws Exception {
        Path dir = tmp.resolve("ck");
        Trainer.builder(bpr(1), SPLIT.train()).checkpoints(dir).output(null).build().fit();
        Recommender other = create("BPRMF", Map.of("embeddingSize", 16, "batchSize", 64, "learningRate", 0.01, "epochs", 2));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Trainer.builder(other, SPLIT.train()).checkpoints(dir)
                .resume(true).output(null).build().fit());
        assertTrue(e.getCause() instanceof BundleException && e.getMessage().contains("embeddingSize=16")
                && e.getMessage().contains("same settings"), e.getMessage());
        Recommender gmf = create("GMF", Map.of("epochs", 2));
        e = assertThrows(UncheckedIOException.class, () -> Trainer.builder(gmf, SPLIT.train()).checkpoints(dir).resume(true)
                .output(null).build().fit());
        assertTrue(e.getMessage().contains("of model BPRMF, not GMF"), e.getMessage());
        Files.writeString(dir.resolve(Checkpoints.LATEST), "epoch-0009\n");
        e = assertThrows(UncheckedIOException.class, () -> Trainer.builder(bpr(2), SPLIT.train()).checkpoints(dir).resume(true)
                .output(null).build().fit());
        assertTrue(e.getMessage().contains("missing or incomplete"), e.getMessage());
    }

    @Test
    void directFitsValidateCheckpointAndResumeToo() throws Exception {
        try (var _ = io.panrec.backend.Backends.use("reference")) {
            directFits();
        }
    }

    private void directFits() throws Exception {
        Map<String, Object> small = Map.of("embeddingSize", 8, "epochs", 4);
        SampledRankingProtocol protocol = SampledRankingProtocol.validation(SPLIT, 20, 3, 5);
        Validation validation = Validation.sampled(protocol, "HR@5", 0);
        Recommender straight = create("iALS", small);
        TrainingResult a = Trainer.builder(straight, SPLIT.train()).validation(validation).restoreBest(false).output(null).build().fit();
        for (int e = 1; e < 4; e++) {
            assertTrue(a.history().get(e).loss() <= a.history().get(e - 1).loss() + 1e-9, "the ALS objective never rises: " + a.history());
        }
        assertTrue(Double.isNaN(a.history().getFirst().learningRate()));

        Path dir = tmp.resolve("als");
        Trainer.builder(create("iALS", Map.of("embeddingSize", 8, "epochs", 2)), SPLIT.train()).validation(validation)
                .restoreBest(false).checkpoints(dir).output(null).build().fit();
        Recommender resumed = create("iALS", small);
        TrainingResult b = Trainer.builder(resumed, SPLIT.train()).validation(validation).restoreBest(false).checkpoints(dir)
                .resume(true).output(null).build().fit();
        assertEquals(2, b.resumedFrom());
        assertArrayEquals(weights(straight)[0], weights(resumed)[0]);
        assertArrayEquals(weights(straight)[1], weights(resumed)[1]);
    }

    @Test
    void badPlansAndDataAreRejected() {
        Recommender model = bpr(1);
        Interactions other = ToyData.generate(10, 50, 5, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(model, other).build());
        assertTrue(e.getMessage().contains("built for 40 users"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(model, SPLIT.train()).plan(TrainingPlan.direct(1)).build());
        assertTrue(e.getMessage().contains("needs batches"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder(bpr(1), SPLIT.train())
                .plan(bpr(1) instanceof Trainable t ? t.trainingPlan().withOptimizer("rmsprop") : null).build().fit());
        assertTrue(e.getMessage().contains("unknown optimizer 'rmsprop'") && e.getMessage().contains("adam"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder(model, SPLIT.train()).resume(true).build());
        assertThrows(IllegalArgumentException.class, () -> new TrainingPlan(TrainingPlan.Sampling.PAIRWISE, 0, 1, 1, "adam", 0.1, 0, 1));
        Recommender diverging = create("BPRMF", Map.of("embeddingSize", 8, "learningRate", 1e30, "initStd", 1e19, "epochs", 1));
        IllegalStateException nan = assertThrows(IllegalStateException.class, () -> Trainer.builder(diverging, SPLIT.train())
                .output(null).build().fit());
        assertTrue(nan.getMessage().contains("epoch 1 step") && nan.getMessage().contains("lower the learning rate"), nan.getMessage());
    }

    @SuppressWarnings("unused")
    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
