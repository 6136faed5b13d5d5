package io.panrec.cli.search;

import io.panrec.lucene.CatalogIndexer;
import io.panrec.lucene.CatalogItem;
import io.panrec.lucene.VectorModel;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.Trainer;
import io.panrec.models.train.TrainingResult;
import io.panrec.models.train.TrainingSettings;
import org.apache.lucene.store.Directory;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The steps the demo, {@code panrec index} and {@code panrec search} share: training, indexing, display. */
public final class SearchSteps {
    private SearchSteps() {
    }

    /** A trained model, in evaluation mode, with its training record. */
    public record Trained(Recommender model, TrainingResult result, double seconds) {
        public double lastLoss() {
            return result.history().isEmpty() ? Double.NaN : result.last().loss();
        }
    }

    /**
     * Trains {@code modelName} of {@code registry} on the whole log (no validation: the demo shows
     * search results, not a metric), with the model's defaults but for the overrides of
     * {@link #demoSettings}; returns it in evaluation mode.
     */
    public static Trained train(ModelRegistry registry, String modelName, DemoData data, int epochs, long seed, PrintStream progress) {
        ModelProvider provider = registry.get(modelName);
        Settings settings = demoSettings(provider.defaultSettings(), epochs, seed);
        Recommender model = provider.create(settings, data.log().schema());
        long t0 = System.nanoTime();
        TrainingResult r = Trainer.builder(model, data.log()).output(progress).interactive(false).build().fit();
        model.setTraining(false);
        return new Trained(model, r, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The model's defaults with what makes a demo train in seconds: the given epochs (if the model has
     * epochs), a larger learning rate for Adam (0.01: the default 0.001 needs many more epochs on a
     * small log), 32 factors where the model has an {@code embeddingSize}, one sampled negative per positive
     * where the default samples more (BPRMF's four would quadruple the demo's training for a synthetic log that
     * does not need them), and the seed.
     */
    static Settings demoSettings(Settings defaults, int epochs, long seed) {
        Settings s = defaults;
        if (s.has(TrainingSettings.EPOCHS) && epochs > 0) {
            s = s.with(TrainingSettings.EPOCHS, epochs);
        }
        if (s.has(TrainingSettings.LEARNING_RATE) && s.has(TrainingSettings.OPTIMIZER) && "adam".equals(s.getString(TrainingSettings.OPTIMIZER))) {
            s = s.with(TrainingSettings.LEARNING_RATE, 0.01);
        }
        if (s.has("embeddingSize") && s.getInt("embeddingSize") > 32) {
            s = s.with("embeddingSize", 32);
        }
        if (s.has(TrainingSettings.NEGATIVES) && s.getInt(TrainingSettings.NEGATIVES) > 1) {
            s = s.with(TrainingSettings.NEGATIVES, 1);
        }
        if (s.has(TrainingSettings.SEED)) {
            s = s.with(TrainingSettings.SEED, seed);
        }
        return s;
    }

    /**
     * Writes {@code catalogue} into a new index in {@code dir} (anything there is replaced), each item
     * with its vector from {@code vectors} when not null.
     *
     * @return the number of items given a vector
     */
    public static int index(Directory dir, List<CatalogItem> catalogue, VectorModel vectors, Vocabulary items) throws IOException {
        try (CatalogIndexer indexer = vectors == null ? CatalogIndexer.create(dir)
                : CatalogIndexer.create(dir, vectors.dimension(), vectors.similarity())) {
            int withVectors = indexer.addAll(catalogue, vectors, items);
            indexer.commit();
            return withVectors;
        }
    }

    /** "Title (1995) [Sci-Fi, Horror]" cut to {@code width} characters, with a mark when an item is of a favourite genre. */
    public static String cell(CatalogItem item, List<String> favourites, int width) {
        boolean fav = item.genres().stream().anyMatch(favourites::contains);
        String title = item.title();
        if (item.hasYear() && !title.endsWith(")")) {
            title = title + " (" + item.year() + ")";
        }
        String text = (fav ? "* " : "  ") + title + " [" + String.join(", ", item.genres().stream().map(SearchSteps::abbreviate).toList()) + "]";
        return fit(text, width);
    }

    /** A genre name shortened to at most 7 characters, so three columns fit a terminal. */
    static String abbreviate(String genre) {
        return switch (genre) {
            case "Documentary" -> "Doc";
            case "Children's" -> "Child";
            case "Adventure" -> "Advent";
            case "Animation" -> "Anim";
            case "Film-Noir" -> "Noir";
            case "Thriller" -> "Thrill";
            default -> genre.length() > 7 ? genre.substring(0, 7) : genre;
        };
    }

    public static String fit(String text, int width) {
        if (text.length() > width) {
            return text.substring(0, width - 1) + "…";
        }
        return text + " ".repeat(width - text.length());
    }

    /** Milliseconds with a precision that suits them. */
    public static String millis(double ms) {
        return ms < 10 ? String.format(Locale.ROOT, "%.2f ms", ms) : ms < 1000 ? String.format(Locale.ROOT, "%.0f ms", ms)
                : String.format(Locale.ROOT, "%.1f s", ms / 1000);
    }
}
