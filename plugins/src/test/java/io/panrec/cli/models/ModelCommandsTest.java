package io.panrec.cli.models;

import io.panrec.cli.PanrecCli;
import io.panrec.io.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model commands in-process, on a generated folder in MovieLens 100K's formats: train writes a
 * bundle, evaluate measures it from its JSON, recommend lists k titled items the user has not seen,
 * evaluate --fold all averages the five folds, and bad input gets one line and exit code 2.
 */
class ModelCommandsTest {
    @TempDir
    static Path tmp;

    static Path data;
    static List<ToyMovieLens.Row> rows;

    /** Small and quick settings of BPRMF, still enough to learn the toy's two groups. */
    static final String[] BPR = {"--set", "embeddingSize=8", "--set", "epochs=4", "--set", "batchSize=128", "--set", "learningRate=0.02"};

    @BeforeAll
    static void writeData() throws IOException {
        data = tmp.resolve("ml-100k");
        rows = ToyMovieLens.write(data, 7);
    }

    /** What a command printed and returned. */
    record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "\n--- err\n" + err;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = PanrecCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static Run ok(String... args) {
        Run r = run(args);
        assertEquals(0, r.code(), r.toString());
        return r;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(Path file) throws Exception {
        return (Map<String, Object>) Json.parse(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String text) throws Exception {
        return (Map<String, Object>) Json.parse(text);
    }

    static String ml100k() {
        return "ml-100k:" + data;
    }

    // ------------------------------------------------------------------ models

    @Test
    @SuppressWarnings("unchecked")
    void modelsListsTheRegistryWithDefaultsAndExplanations() throws Exception {
        Run table = ok("models");
        for (String name : new String[] {"BiasedMF", "BPRMF", "ConvNCF", "GMF", "iALS", "IAutoRec", "ItemKNN", "MLP", "NeuMF", "Pop",
                "UAutoRec", "UserKNN"}) {
            assertTrue(table.out().lines().anyMatch(l -> l.startsWith(name + "  (general, ")), name + "\n" + table);
        }
        assertTrue(table.out().contains("BiasedMF  (general, rating model; default protocol rating)"), table.out());
        assertTrue(table.out().contains("NeuMF  (general, ranking model; default protocol sampled)"), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.matches("  learningRate +[0-9.]+ +learning rate of the optimizer")), table.out());

        Run j = ok("models", "--json", "-");
        assertFalse(j.out().contains("----"), "with --json - only JSON goes to standard output");
        Map<String, Object> root = json(j.out());
        List<Object> models = (List<Object>) root.get("models");
        assertEquals(io.panrec.models.spi.ModelRegistry.discover().providers().size(), models.size(), j.out()); // every registered model
        Map<String, Object> bmf = (Map<String, Object>) models.stream()
                .filter(m -> ((Map<String, Object>) m).get("name").equals("BiasedMF")).findFirst().orElseThrow();
        assertEquals("rating", bmf.get("task"));
        assertEquals("GENERAL", bmf.get("family"));
        List<Object> settings = (List<Object>) bmf.get("settings");
        Map<String, Object> reg = (Map<String, Object>) settings.stream()
                .filter(s -> ((Map<String, Object>) s).get("key").equals("regularization")).findFirst().orElseThrow();
        assertTrue(reg.get("default") instanceof Double d && d > 0, String.valueOf(reg.get("default")));
        assertEquals("double", reg.get("type"));
        assertFalse(((String) reg.get("explanation")).isBlank());

        Run one = ok("models", "neumf");
        assertTrue(one.out().startsWith("NeuMF  ("), one.out());
        assertTrue(one.out().contains("1 model."), one.out());
    }

    // ------------------------------------------------------------------ train, evaluate, recommend

    @Test
    @SuppressWarnings("unchecked")
    void trainEvaluateRecommendARankingModel() throws Exception {
        Path out = tmp.resolve("bpr");
        Path trainJson = tmp.resolve("bpr-train.json");
        Path log = tmp.resolve("bpr.jsonl");
        List<String> args = new ArrayList<>(List.of("train", "--model", "bprmf", "--data", ml100k(), "--out", out.toString(),
                "--json", trainJson.toString(), "--log", log.toString()));
        args.addAll(List.of(BPR));
        Run train = ok(args.toArray(String[]::new));
        assertTrue(Files.isRegularFile(out.resolve("model.json")), train.toString());
        assertTrue(Files.isRegularFile(out.resolve("weights.safetensors")));
        assertTrue(Files.isRegularFile(out.resolve("items.txt")));
        assertTrue(Files.isRegularFile(out.resolve(SeenItems.FILE)));
        assertFalse(Files.exists(tmp.resolve("bpr.checkpoints")), "the command's own checkpoints go once the bundle is saved");
        assertTrue(train.err().contains("training BPRMF (ranking model) on ml-100k (leave-one-out by time"), train.err());
        assertTrue(train.err().contains("epoch 1/4"), "progress goes to the error stream: " + train.err());
        assertTrue(train.out().contains("validation NDCG@10"), train.out());
        assertEquals(4, Files.readAllLines(log).size(), "one JSON line per epoch");

        Map<String, Object> t = json(trainJson);
        assertEquals("BPRMF", t.get("model"));
        assertEquals("ml-100k:" + data.toAbsolutePath().normalize(), t.get("data"));
        assertEquals(4L, t.get("epochs"));
        assertTrue(((Number) t.get("samples_per_second")).doubleValue() > 0);
        assertTrue(((Number) t.get("seconds")).doubleValue() > 0);
        assertNotNull(t.get("backend"));
        assertEquals("loo", ((Map<String, Object>) t.get("split")).get("kind"));
        assertEquals(8L, ((Map<String, Object>) t.get("settings")).get("embeddingSize"));
        Map<String, Object> counts = (Map<String, Object>) t.get("rows");
        assertEquals((long) ToyMovieLens.USERS, counts.get("test"), "one test item per user");
        assertEquals((long) rows.size() - 2 * ToyMovieLens.USERS, counts.get("train"));

        // evaluate: the sampled protocol by default for a ranking model, its metrics in the JSON
        Path evalJson = tmp.resolve("bpr-eval.json");
        Run eval = ok("evaluate", "--model", out.toString(), "--json", evalJson.toString());
        assertTrue(eval.out().contains("sampled protocol, 60 cases"), eval.out());
        Map<String, Object> e = json(evalJson);
        assertEquals("BPRMF", e.get("model"));
        assertEquals("sampled", e.get("protocol"));
        assertEquals(t.get("data"), e.get("data"));
        Map<String, Object> metrics = (Map<String, Object>) e.get("metrics");
        assertEquals(Set.of("HR@10", "NDCG@10", "MRR@10"), metrics.keySet());
        double hr = ((Number) metrics.get("HR@10")).doubleValue();
        double ndcg = ((Number) metrics.get("NDCG@10")).doubleValue();
        assertTrue(hr > 0 && hr <= 1 && ndcg > 0 && ndcg <= hr, metrics.toString());
        assertTrue(((Number) e.get("seconds")).doubleValue() >= 0);

        // the full protocol adds recall, precision and coverage at each cut-off
        Run full = ok("evaluate", "--model", out.toString(), "--protocol", "full", "-k", "5,10", "--json", "-");
        Map<String, Object> fm = (Map<String, Object>) json(full.out()).get("metrics");
        for (String key : List.of("HR@5", "HR@10", "NDCG@10", "MRR@10", "Recall@10", "Precision@10", "Precision@5", "Coverage@10")) {
            assertTrue(fm.containsKey(key), key + " in " + fm);
        }
        // leave-one-out: one relevant item, so recall is the hit rate and precision a tenth of it
        assertEquals(((Number) fm.get("HR@10")).doubleValue(), ((Number) fm.get("Recall@10")).doubleValue(), 1e-12);
        assertEquals(((Number) fm.get("HR@10")).doubleValue() / 10, ((Number) fm.get("Precision@10")).doubleValue(), 1e-12);

        // recommend: k items with titles, none of them one the user rated in training or validation
        String user = "7";
        Run rec = ok("recommend", "--model", out.toString(), "--user", user, "-k", "5", "--data", ml100k());
        List<String> lines = rec.out().lines().toList();
        assertTrue(lines.getFirst().startsWith("top 5 of BPRMF for user 7"), rec.out());
        List<String> items = lines.subList(3, lines.size());
        assertEquals(5, items.size(), rec.out());
        Set<String> known = knownItems(Integer.parseInt(user));
        for (int r = 0; r < items.size(); r++) {
            String[] f = items.get(r).trim().split("\\s+", 4);
            assertEquals(Integer.toString(r + 1), f[0], items.get(r));
            assertTrue(f[3].startsWith("Film " + f[1] + " "), "a title beside item " + f[1] + ": " + items.get(r));
            assertFalse(known.contains(f[1]), "item " + f[1] + " was seen in training: " + rec.out());
        }

        Run recJson = ok("recommend", "--model", out.toString(), "--user", user, "-k", "20", "--data", ml100k(), "--json", "-");
        List<Object> list = (List<Object>) json(recJson.out()).get("items");
        assertEquals(20, list.size());
        double previous = Double.POSITIVE_INFINITY;
        for (Object o : list) {
            Map<String, Object> item = (Map<String, Object>) o;
            String id = (String) item.get("item");
            String title = (String) item.get("title");
            assertEquals("Film " + id + (Integer.parseInt(id) % 7 == 0 ? " Misérables" : "") + " (1995)", title, "Latin-1 decoded");
            double score = ((Number) item.get("score")).doubleValue();
            assertTrue(score <= previous, "scores descend");
            previous = score;
            assertFalse(known.contains(id));
        }
    }

    /** The items user {@code u} has outside its two latest interactions (the leave-one-out test and validation items). */
    static Set<String> knownItems(int u) {
        List<ToyMovieLens.Row> mine = rows.stream().filter(r -> r.user() == u).sorted((a, b) -> Long.compare(a.time(), b.time())).toList();
        Set<String> s = new HashSet<>();
        for (int i = 0; i < mine.size() - 1; i++) {   // all but the test item: training and validation
            s.add(Integer.toString(mine.get(i).item()));
        }
        return s;
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRatingModelTrainsOnAnOfficialFoldAndIsMeasuredByRmse() throws Exception {
        Path out = tmp.resolve("biasedmf-u2");
        ok("train", "--model", "BiasedMF", "--data", ml100k(), "--fold", "2", "--out", out.toString(), "--set", "embeddingSize=8",
                "--set", "epochs=30", "--set", "learningRate=0.05", "--set", "initStd=0.1");
        Map<String, Object> e = json(ok("evaluate", "--model", out.toString(), "--json", "-").out());
        assertEquals("rating", e.get("protocol"));
        Map<String, Object> split = (Map<String, Object>) e.get("split");
        assertEquals("fold", split.get("kind"));
        assertEquals(2L, split.get("fold"));
        Map<String, Object> m = (Map<String, Object>) e.get("metrics");
        double rmse = ((Number) m.get("RMSE")).doubleValue();
        assertTrue(m.containsKey("MAE"));
        assertEquals((long) rows.size() / 5, e.get("cases"), "u2.test has a fifth of the rows");
        // the toy's ratings are 1-2 off-group and 4-5 in-group: a model that learned the groups is far better
        // than predicting the training mean (RMSE about 1.2)
        double meanRmse = meanPredictorRmse(data.resolve("u2.base"), data.resolve("u2.test"));
        assertTrue(rmse < 0.85 * meanRmse, "RMSE " + rmse + ", of the training mean " + meanRmse);

        // a ranking protocol works on a rating model too: items ranked by predicted rating
        Map<String, Object> s = json(ok("evaluate", "--model", out.toString(), "--protocol", "sampled", "--negatives", "50",
                "--json", "-").out());
        assertTrue(((Map<String, Object>) s.get("metrics")).containsKey("NDCG@10"));
        assertEquals(50L, s.get("negatives"));
    }

    /** RMSE on {@code test} of always predicting the mean rating of {@code base}. */
    static double meanPredictorRmse(Path base, Path test) throws IOException {
        double mean = Files.readAllLines(base).stream().mapToInt(l -> Integer.parseInt(l.split("\t")[2])).average().orElseThrow();
        double se = Files.readAllLines(test).stream().mapToDouble(l -> Math.pow(Integer.parseInt(l.split("\t")[2]) - mean, 2)).average()
                .orElseThrow();
        return Math.sqrt(se);
    }

    @Test
    @SuppressWarnings("unchecked")
    void foldAllTrainsOnEachOfficialFoldAndReportsTheMean() throws Exception {
        Path file = tmp.resolve("cv.json");
        Run cv = ok("evaluate", "--model", "BiasedMF", "--data", ml100k(), "--fold", "all", "--set", "embeddingSize=4", "--set",
                "epochs=3", "--set", "learningRate=0.02", "--json", file.toString());
        List<String> lines = cv.out().lines().toList();
        assertTrue(lines.getFirst().startsWith("BiasedMF on the 5 official folds of ml-100k, rating protocol"), cv.out());
        for (int f = 1; f <= 5; f++) {
            int fold = f;
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("u" + fold + " ")), cv.out());
        }
        Map<String, Object> j = json(file);
        List<Object> runs = (List<Object>) j.get("runs");
        assertEquals(5, runs.size());
        double sum = 0;
        for (int i = 0; i < 5; i++) {
            Map<String, Object> r = (Map<String, Object>) runs.get(i);
            assertEquals((long) i + 1, r.get("fold"));
            sum += ((Number) ((Map<String, Object>) r.get("metrics")).get("RMSE")).doubleValue();
            assertEquals((long) rows.size() / 5, r.get("cases"));
        }
        double mean = ((Number) ((Map<String, Object>) j.get("metrics")).get("RMSE")).doubleValue();
        assertEquals(sum / 5, mean, 1e-12);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("mean ") && l.contains(String.format(java.util.Locale.ROOT, "%.4f", mean))),
                cv.out());
        assertTrue(((Number) j.get("samples_per_second")).doubleValue() > 0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aBundleIsMeasuredOnDataWhoseIdsAreNumberedOtherwise() throws Exception {
        Path out = tmp.resolve("pop");
        ok("train", "--model", "Pop", "--data", ml100k(), "--out", out.toString());
        Map<String, Object> a = (Map<String, Object>) json(ok("evaluate", "--model", out.toString(), "--protocol", "full", "--json", "-")
                .out()).get("metrics");
        // the same interactions in reverse order: ids get other indices, the split by time is the same
        Path copy = tmp.resolve("ml-100k-reversed");
        Files.createDirectories(copy);
        List<String> lines = new ArrayList<>(Files.readAllLines(data.resolve("u.data")));
        java.util.Collections.reverse(lines);
        Files.write(copy.resolve("u.data"), lines);
        Map<String, Object> b = (Map<String, Object>) json(ok("evaluate", "--model", out.toString(), "--protocol", "full", "--data",
                "ml-100k:" + copy, "--json", "-").out()).get("metrics");
        assertEquals(a, b);
        // and it beats nothing here, but must be a real ranking: popularity finds some of the held-out items
        assertTrue(((Number) a.get("HR@10")).doubleValue() > 0, a.toString());
    }

    @Test
    void anInterruptedRunResumesFromItsCheckpoints() throws Exception {
        Path out = tmp.resolve("bpr-resume");
        Path ckpt = tmp.resolve("bpr-resume-ckpt");
        List<String> args = new ArrayList<>(List.of("train", "--model", "BPRMF", "--data", ml100k(), "--out", out.toString(),
                "--checkpoints", ckpt.toString(), "--patience", "0"));
        args.addAll(List.of(BPR));
        ok(args.toArray(String[]::new));
        assertTrue(Files.isRegularFile(ckpt.resolve("LATEST")), "a folder given with --checkpoints is kept");
        // a fresh run must not mix with the old checkpoints
        Run again = run(args.toArray(String[]::new));
        assertEquals(2, again.code(), again.toString());
        assertTrue(again.err().contains("--resume"), again.err());
        // resuming with more epochs continues after the fourth
        List<String> more = new ArrayList<>(args);
        more.addAll(List.of("--resume", "--set", "epochs=5", "--json", "-"));
        Run resumed = ok(more.toArray(String[]::new));
        assertTrue(resumed.err().contains("resumed BPRMF"), resumed.err());
        String text = resumed.out();
        assertTrue(text.contains("\"resumed_from\": 4"), text);
        assertTrue(text.contains("\"epochs\": 5"), text);
    }

    // ------------------------------------------------------------------ bad input: one line, exit 2

    @Test
    void badInputGetsOneClearLineAndExitCodeTwo() throws IOException {
        Path out = tmp.resolve("never");
        Run unknown = run("train", "--model", "NoSuchModel", "--data", ml100k(), "--out", out.toString());
        oneLine(unknown, "unknown model 'NoSuchModel'; known models: ");
        assertTrue(unknown.err().contains("BiasedMF") && unknown.err().contains("NeuMF"), unknown.err());

        oneLine(run("train", "--model", "BPRMF", "--data", "ml-100k:" + tmp.resolve("missing"), "--out", out.toString()), "does not exist");
        oneLine(run("train", "--model", "BPRMF", "--data", ml100k(), "--out", out.toString(), "--set", "embedingSize=8"),
                "BPRMF has no setting 'embedingSize'; known settings: embeddingSize");
        oneLine(run("train", "--model", "BPRMF", "--data", ml100k(), "--out", out.toString(), "--set", "epochs=many"),
                "BPRMF setting 'epochs' expects an integer");
        oneLine(run("train", "--model", "BPRMF", "--data", ml100k(), "--out", out.toString(), "--set", "epochs"),
                "must be written key=value");
        oneLine(run("train", "--model", "BPRMF", "--data", "ml-10k:" + data, "--out", out.toString()), "unknown data kind 'ml-10k'");
        oneLine(run("train", "--model", "BiasedMF", "--data", ml100k(), "--fold", "6", "--out", out.toString()), "--fold takes 1 to 5");
        oneLine(run("train", "--model", "BiasedMF", "--data", ml100k(), "--fold", "all", "--out", out.toString()),
                "panrec evaluate --model BiasedMF");
        oneLine(run("evaluate", "--model", "NoSuchModel"), "neither a bundle folder nor a registered model; known models: ");
        oneLine(run("evaluate", "--model", tmp.toString()), "model.json");
        assertFalse(Files.exists(out), "nothing is written on bad input");

        // a ranking model has no ratings to measure
        Path pop = tmp.resolve("pop-bad");
        ok("train", "--model", "Pop", "--data", ml100k(), "--out", pop.toString());
        oneLine(run("evaluate", "--model", pop.toString(), "--protocol", "rating"), "the rating protocol needs a model that predicts ratings");
        oneLine(run("recommend", "--model", pop.toString(), "--user", "9999"), "user '9999' is not one of the 60 users");
        // an output folder with other files is refused before any training
        Path busy = tmp.resolve("busy");
        Files.createDirectories(busy);
        Files.writeString(busy.resolve("notes.txt"), "mine");
        oneLine(run("train", "--model", "Pop", "--data", ml100k(), "--out", busy.toString()), "holds other files");
        assertEquals("mine", Files.readString(busy.resolve("notes.txt")));
    }

    /** Exit code 2, nothing on standard output, and one line on the error stream containing {@code text}. */
    static void oneLine(Run r, String text) {
        assertEquals(2, r.code(), r.toString());
        List<String> lines = r.err().lines().filter(l -> l.startsWith("panrec ")).toList();
        assertEquals(1, lines.size(), r.toString());
        assertTrue(lines.getFirst().contains(text), "expected '" + text + "' in: " + r);
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r);
    }
}
