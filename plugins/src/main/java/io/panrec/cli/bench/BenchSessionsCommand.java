package io.panrec.cli.bench;

import io.panrec.backend.Backends;
import io.panrec.backend.CpuInfo;
import io.panrec.models.data.Datasets;
import io.panrec.models.data.ReadOptions;
import io.panrec.models.data.Sessions;
import io.panrec.models.data.Split;
import io.panrec.models.data.Splits;
import io.panrec.models.eval.EvaluationResult;
import io.panrec.models.eval.FullRankingProtocol;
import io.panrec.models.eval.NextItemProtocol;
import io.panrec.models.eval.SampledRankingProtocol;
import io.panrec.models.eval.SequenceScorer;
import io.panrec.models.sequential.SequenceScorers;
import io.panrec.models.sequential.SequentialRecommender;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.EpochRecord;
import io.panrec.models.train.Trainer;
import io.panrec.models.train.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code panrec bench sessions}: session-based next-item recommendation on a session file (the
 * DIGINETICA sample by default layout): GRU4Rec and SASRec against the GRU4Rec paper's baselines, Pop
 * and last-item ItemKNN, after the standard preprocessing ({@link Sessions#prepare}); Recall@20 and
 * MRR@20 over every (prefix, next item) case of the test sessions, ranked against all items; training
 * samples per second and the backend. Optionally SASRec's leave-one-out evaluation (HR@10, NDCG@10
 * against 100 sampled negatives and against all items) on user data such as MovieLens.
 */
@Command(name = "sessions", mixinStandardHelpOptions = true,
        description = "Next-item Recall@20/MRR@20 of GRU4Rec, SASRec, ItemKNN and Pop on session data; SASRec leave-one-out.")
public final class BenchSessionsCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "KIND:PATH",
            description = "Session data: diginetica:FILE or sessions:FILE (session,item,time).")
    String data;

    @Option(names = "--test-days", defaultValue = "7", description = "Final days held out as test sessions (default ${DEFAULT-VALUE}).")
    int testDays;

    @Option(names = "--models", split = ",", defaultValue = "Pop,ItemKNN,GRU4Rec,SASRec",
            description = "Models to run (default ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--set", paramLabel = "MODEL.KEY=VALUE", description = "A setting of one model, e.g. GRU4Rec.epochs=5 (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--loo-data", paramLabel = "KIND:PATH",
            description = "Also run SASRec's leave-one-out evaluation on this user data (e.g. ml-100k:DIR).")
    String looData;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ModelRegistry registry = ModelRegistry.discover();
        var dataset = Datasets.read(data, null, ReadOptions.STRICT);
        Split split = Sessions.prepare(dataset.interactions(), Sessions.Preprocessing.STANDARD.withTestDays(testDays));
        NextItemProtocol protocol = NextItemProtocol.of(split.test(), 20);
        out.printf(Locale.ROOT, "%s: %d clicks read; after preprocessing %d train clicks in %d sessions, %d items; %d test sessions, "
                        + "%d next-item cases (last %d days)%n", dataset.name(), dataset.interactions().size(), split.train().size(),
                count(Sessions.sequences(split.train())), split.train().numItems(), count(Sessions.sequences(split.test())),
                protocol.cases(), testDays);
        out.printf(Locale.ROOT, "%s, %d cores, JDK %s, backend %s%n", CpuInfo.current().modelName(),
                Runtime.getRuntime().availableProcessors(), Runtime.version(), Backends.current().name());
        out.printf(Locale.ROOT, "%-8s %10s %10s %8s %10s %12s %s%n", "model", "Recall@20", "MRR@20", "epochs", "train s", "samples/s",
                "backend");
        for (String name : models) {
            ModelProvider provider = registry.get(name);
            Recommender model = provider.create(settingsOf(provider), split.train().schema());
            TrainingResult r = Trainer.builder(model, split.train()).output(null).build().fit();
            SequenceScorer scorer = switch (model) {
                case SequentialRecommender s -> SequenceScorers.of(s);
                default -> switch (provider.name()) {
                    case "Pop" -> SequenceScorers.popularity(model);
                    case "ItemKNN" -> SequenceScorers.lastItemNeighbours(model);
                    default -> throw new IllegalArgumentException(name + " cannot score sessions (sequence models, Pop and ItemKNN can)");
                };
            };
            EvaluationResult e = protocol.evaluate(scorer);
            print(out, name, e.metric("Recall@20"), e.metric("MRR@20"), r, !model.parameters().isEmpty());
        }
        if (looData != null) {
            leaveOneOut(out, registry);
        }
        out.flush();
        return 0;
    }

    /** SASRec as its paper evaluates it: the last item of each user held out, the one before for validation. */
    private void leaveOneOut(PrintWriter out, ModelRegistry registry) throws IOException {
        var d = Datasets.read(looData, null, ReadOptions.STRICT);
        Split split = Splits.leaveOneOut(d.interactions().implicit(Float.NEGATIVE_INFINITY), true);
        ModelProvider provider = registry.get("SASRec");
        SequentialRecommender model = (SequentialRecommender) provider.create(settingsOf(provider), split.train().schema());
        // trained on all but the last two items of each user; tested with the validation item in the history, as the paper
        TrainingResult r = Trainer.builder(model, split.train()).output(null).build().fit();
        var scorer = SequenceScorers.histories(model, Sessions.sequences(split.known()));
        EvaluationResult sampled = SampledRankingProtocol.test(split, 100, 2018, 10).evaluate(scorer);
        EvaluationResult full = FullRankingProtocol.test(split, 10).evaluate(scorer);
        out.printf(Locale.ROOT, "%nSASRec leave-one-out on %s (%d users, %d items): HR@10 %.4f NDCG@10 %.4f (100 sampled negatives), "
                        + "HR@10 %.4f NDCG@10 %.4f (all items); %d epochs, %.1f s, %.0f samples/s, backend %s%n", d.name(),
                split.train().numUsers(), split.train().numItems(), sampled.metric("HR@10"), sampled.metric("NDCG@10"),
                full.metric("HR@10"), full.metric("NDCG@10"), r.epochs(), seconds(r), samplesPerSecond(r), r.last().backend());
    }

    private Settings settingsOf(ModelProvider provider) {
        Settings s = provider.defaultSettings();
        List<String> own = new ArrayList<>();
        for (String a : sets) {
            int dot = a.indexOf('.');
            if (dot <= 0) {
                throw new IllegalArgumentException("--set " + a + ": write MODEL.KEY=VALUE, e.g. GRU4Rec.epochs=5");
            }
            if (a.substring(0, dot).equalsIgnoreCase(provider.name())) {
                own.add(a.substring(dot + 1));
            }
        }
        return s.withAssignments(own);
    }

    /** Samples per second only for gradient-trained models (a counting fit has no comparable samples). */
    private static void print(PrintWriter out, String name, double recall, double mrr, TrainingResult r, boolean gradient) {
        out.printf(Locale.ROOT, "%-8s %10.4f %10.4f %8d %10.1f %12s %s%n", name, recall, mrr, r.epochs(), seconds(r),
                !gradient || Double.isNaN(samplesPerSecond(r)) ? "-" : String.format(Locale.ROOT, "%.0f", samplesPerSecond(r)),
                r.last().backend());
    }

    private static double seconds(TrainingResult r) {
        double s = 0;
        for (EpochRecord e : r.history()) {
            s += e.seconds();
        }
        return s;
    }

    private static double samplesPerSecond(TrainingResult r) {
        double s = 0;
        long n = 0;
        for (EpochRecord e : r.history()) {
            s += e.seconds();
            n += e.samples();
        }
        return s > 0 ? n / s : Double.NaN;
    }

    private static int count(int[][] seqs) {
        int c = 0;
        for (int[] s : seqs) {
            c += s.length > 0 ? 1 : 0;
        }
        return c;
    }
}
