package io.panrec.cli.models;

import io.panrec.models.bundle.Bundle;
import io.panrec.models.data.Dataset;
import io.panrec.models.data.Datasets;
import io.panrec.models.data.ItemCatalog;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.eval.Ranking;
import io.panrec.models.eval.RecommenderScorer;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code panrec recommend}: a user's top-k items from a trained bundle, leaving out the items the user
 * interacted with in the data the model was trained on (recorded in the bundle), with titles and genres
 * when {@code --data} has a catalog.
 */
@Command(name = "recommend", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Recommend the top k items for a user from a trained bundle, leaving out the items the user interacted with "
                + "in training (and validation).",
                "",
                "Example:",
                "  panrec recommend --model models/neumf --user 196 -k 10 --data ml-100k:data/ml-100k"})
public final class RecommendCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A bundle folder written by 'panrec train'.")
    Path model;

    @Option(names = "--user", required = true, paramLabel = "ID", description = "The user's id as in the data (e.g. 196 for ml-100k).")
    String user;

    @Option(names = "-k", defaultValue = "10", paramLabel = "K", description = "How many items (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--data", paramLabel = "KIND:PATH", description = "Data with item titles (e.g. ml-100k:DIR for u.item), shown beside the ids.")
    String data;

    @Option(names = "--include-seen", description = "Also recommend items the user already interacted with in training.")
    boolean includeSeen;

    @Option(names = "--json", paramLabel = "FILE", description = "Write {model, user, items: [{rank, item, score, title}]} as JSON to FILE ('-' for standard output).")
    String json;

    @Mixin
    Cli.ReadArgs readArgs = new Cli.ReadArgs();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (k < 1) {
            throw new IllegalArgumentException("-k must be at least 1, got " + k);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Bundle bundle = Bundle.load(model, ModelRegistry.discover());
        Recommender m = bundle.model();
        Vocabulary users = bundle.users();
        Vocabulary items = bundle.items();
        int u = users.indexOf(user);
        if (u < 0) {
            List<String> ids = users.ids();
            throw new IllegalArgumentException("user '" + user + "' is not one of the " + ids.size() + " users the model was trained on"
                    + " (ids such as " + String.join(", ", ids.subList(0, Math.min(5, ids.size()))) + ")");
        }
        int numItems = m.schema().numItems();
        boolean[] excluded = null;
        int seenCount = 0;
        if (!includeSeen) {
            SeenItems seen = SeenItems.read(model, m.schema().numUsers(), numItems);
            if (seen == null) {
                err.println("note: " + model + " has no record of the items users saw in training ("
                        + SeenItems.FILE + "); they are not left out");
                err.flush();
            } else {
                excluded = seen.mask(u);
                seenCount = seen.count(u);
            }
        }
        float[] scores = new RecommenderScorer(m).scoreAll(new int[] {u}, numItems)[0];
        int[] top = Ranking.topK(scores, k, excluded);

        ItemCatalog catalog = null;
        if (data != null) {
            Dataset d = Datasets.read(data, readArgs.columns(), readArgs.options());
            catalog = d.catalog();
            if (catalog.entries() == 0) {
                err.println("note: " + data + " has no item titles");
                err.flush();
            }
        }
        List<Object> list = new ArrayList<>();
        Table t = new Table("rank", "item", "score", "title");
        for (int r = 0; r < top.length; r++) {
            int item = top[r];
            String id = items.id(item);
            String title = null;
            List<String> genres = List.of();
            if (catalog != null) {
                int di = catalog.items().indexOf(id);
                if (di >= 0) {
                    title = catalog.title(di).orElse(null);
                    genres = catalog.genres(di);
                }
            }
            t.row(r + 1, id, String.format(Locale.ROOT, "%.4f", scores[item]),
                    title == null ? "" : title + (genres.isEmpty() ? "" : " (" + String.join(", ", genres) + ")"));
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("rank", r + 1);
            e.put("item", id);
            e.put("score", Float.isFinite(scores[item]) ? (double) scores[item] : null);
            e.put("title", title);
            e.put("genres", new ArrayList<Object>(genres));
            list.add(e);
        }
        if (!"-".equals(json)) {
            out.printf(Locale.ROOT, "top %d of %s for user %s (%d items seen in training %s)%n", top.length, m.settings().owner(), user,
                    seenCount, includeSeen || excluded == null ? "included" : "left out");
            t.print(out);
        }
        if (json != null) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("model", m.settings().owner());
            root.put("bundle", model.toAbsolutePath().normalize().toString());
            root.put("user", user);
            root.put("seen_left_out", excluded == null ? 0 : seenCount);
            root.put("items", list);
            Cli.writeJson(json, root, out);
        }
        return 0;
    }
}
