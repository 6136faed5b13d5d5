package io.panrec.cli.models;

import io.panrec.models.bundle.Bundle;
import io.panrec.models.features.FeatureEncoder;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.Recommender;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static io.panrec.cli.models.ModelCommandsTest.json;
import static io.panrec.cli.models.ModelCommandsTest.ok;
import static io.panrec.cli.models.ModelCommandsTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CTR task of the model commands: train and evaluate a CTR model on Criteo-format and MovieLens-as-CTR data. */
class CtrCommandsTest {
    @TempDir
    static Path tmp;

    static Path criteo;
    static Path movielens;

    /** Quick training, for every CTR model. */
    static final String[] SMALL = {"--set", "epochs=3", "--set", "batchSize=64", "--set", "learningRate=0.01"};
    /** Small embeddings and tower, for the models that have them. */
    static final String[] FM_SMALL = concat(SMALL, new String[] {"--set", "embeddingSize=4"});
    static final String[] DEEP_SMALL = concat(FM_SMALL, new String[] {"--set", "layers=8"});

    @BeforeAll
    static void writeData() throws IOException {
        criteo = tmp.resolve("train.txt");
        SplittableRandom r = new SplittableRandom(3);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            int c1 = r.nextInt(8);
            boolean click = r.nextDouble() < (c1 < 3 ? 0.8 : 0.15);
            sb.append(click ? 1 : 0);
            for (int j = 1; j <= 13; j++) {
                sb.append('\t').append(r.nextInt(4) == 0 ? "" : Integer.toString(r.nextInt(50)));
            }
            sb.append('\t').append("c").append(c1);
            int last = r.nextInt(3) == 0 ? 20 : 26; // some rows lost their trailing empty fields
            for (int j = 2; j <= last; j++) {
                sb.append('\t').append(Integer.toHexString(r.nextInt(6)));
            }
            sb.append('\n');
        }
        Files.writeString(criteo, sb.toString(), StandardCharsets.UTF_8);

        movielens = tmp.resolve("ml-100k");
        ToyMovieLens.write(movielens, 7);
        StringBuilder users = new StringBuilder();
        String[] occupations = {"writer", "other", "engineer"};
        for (int u = 1; u <= ToyMovieLens.USERS; u++) {
            users.append(u).append('|').append(15 + u).append('|').append(u % 2 == 0 ? 'F' : 'M').append('|')
                    .append(occupations[u % 3]).append("|00000\n");
        }
        Files.writeString(movielens.resolve("u.user"), users.toString(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void trainAndEvaluateACtrModelOnCriteo() throws Exception {
        Path out = tmp.resolve("fm-criteo");
        String[] args = concat(new String[] {"train", "--model", "FM", "--data", "criteo:" + criteo, "--out", out.toString(),
                "--json", tmp.resolve("train.json").toString()}, FM_SMALL);
        ok(args);
        assertTrue(FeatureEncoder.exists(out), "the fitted vocabularies are in the bundle");
        Map<String, Object> trained = json(tmp.resolve("train.json"));
        assertEquals("ctr", trained.get("task"));
        ModelCommandsTest.Run r = ok("evaluate", "--model", out.toString(), "--json", "-");
        Map<String, Object> measured = json(r.out());
        assertEquals("ctr", measured.get("protocol"));
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics = (Map<String, Object>) measured.get("metrics");
        double auc = ((Number) metrics.get("AUC")).doubleValue();
        assertTrue(auc > 0.7, "the toy's clicks follow C1: AUC " + auc + "\n" + r);
        assertTrue(((Number) metrics.get("LogLoss")).doubleValue() < 0.69, r.toString());
        assertEquals(60L, measured.get("cases"));
    }

    @Test
    void deepFmOnMovieLensAsCtrScoresPlainPairs() throws Exception {
        ModelCommandsTest.Run r = ok(concat(new String[] {"evaluate", "--model", "DeepFM", "--data", "ml-100k-ctr:" + movielens,
                "--json", "-"}, DEEP_SMALL));
        Map<String, Object> measured = json(r.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics = (Map<String, Object>) measured.get("metrics");
        assertTrue(((Number) metrics.get("AUC")).doubleValue() > 0.5, r.toString());

        Path out = tmp.resolve("deepfm-ml");
        ok(concat(new String[] {"train", "--model", "DeepFM", "--data", "ml-100k-ctr:" + movielens, "--out", out.toString()}, DEEP_SMALL));
        Recommender m = Bundle.load(out).model();
        try (var _ = Scope.open("pairs")) {
            Tensor p = m.predict(new Batch().put(Batch.USERS, Tensor.ofLongs(new long[] {0, 1, 2}))
                    .put(Batch.ITEMS, Tensor.ofLongs(new long[] {5, 5, 7})));
            float[] all = m.fullSortPredict(new int[] {0, 1, 2}).contiguous().toFloatArray();
            int n = m.schema().numItems();
            assertArrayEquals(new float[] {all[5], all[n + 5], all[2 * n + 7]}, p.toFloatArray(), 1e-5f);
        }
        // and 'recommend' ranks every item for a user of the data, titles from the interaction data's catalog
        ModelCommandsTest.Run rec = ok("recommend", "--model", out.toString(), "--user", "1", "-k", "3", "--data", "ml-100k:" + movielens,
                "--json", "-");
        assertEquals(3, ((java.util.List<?>) json(rec.out()).get("items")).size(), rec.toString());
        assertTrue(((Number) json(rec.out()).get("seen_left_out")).intValue() > 0, rec.toString());
    }

    @Test
    void ctrModelsRefuseInteractionDataAndOtherProtocols() {
        ModelCommandsTest.Run r = run("evaluate", "--model", "FM", "--data", "ml-100k:" + movielens);
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("CTR data") && r.err().contains("ml-100k-ctr"), r.err());
        r = run(concat(new String[] {"evaluate", "--model", "LR", "--data", "criteo:" + criteo, "--protocol", "sampled"}, SMALL));
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("ctr protocol"), r.err());
        r = run("train", "--model", "BPRMF", "--data", "criteo:" + criteo, "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("is CTR data"), r.err());
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
