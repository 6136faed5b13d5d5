package io.panrec.cli.models;

import io.panrec.models.data.Dataset;
import io.panrec.models.data.Datasets;
import io.panrec.models.data.DelimitedFormat;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.MovieLens;
import io.panrec.models.data.ReadOptions;
import io.panrec.models.data.Split;
import io.panrec.models.data.Splits;
import io.panrec.models.data.Vocabulary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A dataset read from its {@code KIND:PATH} and cut into parts the way a command asked (or the way a
 * bundle records), ready for a model of a given {@link Task}: ranking models see implicit feedback,
 * rating models keep the ratings.
 *
 * @param spec    the data as given, with its path made absolute (so that a bundle's record stays valid
 *                from another working folder)
 * @param dataset what was read: its name, the catalog of titles, the read report
 * @param split   the parts, sharing the dataset's vocabularies
 * @param how     the resolved split
 */
record PreparedData(String spec, Dataset dataset, Split split, SplitSpec how) {

    /** What a command asked for; null fields take the defaults described in {@link #resolve}. */
    record Request(SplitSpec.Kind kind, Integer fold, double validationFraction, double testFraction, long seed, Float threshold) {
    }

    /**
     * Reads and splits. Defaults, when the request leaves them open:
     * <ul>
     *   <li>a fold number, or {@code --split fold}, reads MovieLens 100K's official {@code u<N>.base} and
     *       {@code u<N>.test} (fold 1 when no number is given); only {@code ml-100k} data has them;</li>
     *   <li>rating models on {@code ml-100k}: fold 1 (the setup of the published 5-fold RMSEs);</li>
     *   <li>rating models on other data: a random ratio split;</li>
     *   <li>ranking models: leave-one-out by time (as the NCF paper), or a random ratio split when the
     *       data has no timestamps;</li>
     *   <li>ranking models see every interaction as a positive unless a threshold drops lower ratings.</li>
     * </ul>
     */
    static PreparedData read(String spec, DelimitedFormat.Columns columns, ReadOptions options, Task task, Request r)
            throws IOException {
        String kind = kindOf(spec);
        Path path = Path.of(spec.substring(spec.indexOf(':') + 1));
        String absolute = kind + ":" + path.toAbsolutePath().normalize();
        float threshold = task == Task.RATING ? Float.NaN : r.threshold() == null ? Float.NEGATIVE_INFINITY : r.threshold();
        boolean fold = r.fold() != null || r.kind() == SplitSpec.Kind.FOLD
                || (r.kind() == null && task == Task.RATING && kind.equals("ml-100k"));
        if (fold) {
            if (!kind.equals("ml-100k")) {
                throw new IllegalArgumentException("the official folds (--fold, --split fold) belong to MovieLens 100K (ml-100k:DIR), not "
                        + kind + " data; use --split ratio or --split temporal");
            }
            if (r.kind() != null && r.kind() != SplitSpec.Kind.FOLD) {
                throw new IllegalArgumentException("--fold goes with the fold split, not --split " + r.kind().label());
            }
            int n = r.fold() == null ? 1 : r.fold();
            if (n < 1 || n > 5) {
                throw new IllegalArgumentException("MovieLens 100K has folds 1 to 5, not " + n);
            }
            requireExists(spec, path);
            MovieLens.Fold f = MovieLens.read100kFold(path, n, options);
            Split s = f.split();
            if (task == Task.RANKING) {
                s = new Split(s.train().implicit(threshold), s.validation().implicit(threshold), s.test().implicit(threshold));
            }
            return new PreparedData(absolute, f.dataset(), s, new SplitSpec(SplitSpec.Kind.FOLD, n, 0, 0, r.seed(), threshold));
        }
        Dataset d = Datasets.read(spec, columns, options);
        boolean sessionData = kind.equals("sessions") || kind.equals("diginetica");
        if (r.kind() == SplitSpec.Kind.SESSIONS && !sessionData) {
            throw new IllegalArgumentException("--split sessions belongs to session data (sessions:FILE, diginetica:FILE), not " + kind);
        }
        if (sessionData && (r.kind() == null || r.kind() == SplitSpec.Kind.SESSIONS)) {
            Split s = io.panrec.models.data.Sessions.prepare(d.interactions(), io.panrec.models.data.Sessions.Preprocessing.STANDARD);
            Dataset kept = new Dataset(d.name(), s.train(), io.panrec.models.data.ItemCatalog.empty(s.train().items()), d.report());
            return new PreparedData(absolute, kept, s, new SplitSpec(SplitSpec.Kind.SESSIONS, 0, 0, 0, r.seed(), Float.NEGATIVE_INFINITY));
        }
        Interactions all = task == Task.RANKING ? d.interactions().implicit(threshold) : d.interactions();
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no interactions left in " + spec + (task == Task.RANKING && threshold > Float.NEGATIVE_INFINITY
                    ? " with ratings >= " + threshold + "; lower --threshold" : ""));
        }
        SplitSpec.Kind k = r.kind() != null ? r.kind()
                : task == Task.RANKING && all.hasTimestamps() ? SplitSpec.Kind.LOO : SplitSpec.Kind.RATIO;
        Split s = switch (k) {
            case LOO -> Splits.leaveOneOut(all, true);
            case RATIO -> Splits.ratio(all, r.testFraction(), r.validationFraction(), r.seed());
            case TEMPORAL -> Splits.temporal(all, r.testFraction(), r.validationFraction());
            case FOLD, SESSIONS -> throw new AssertionError("handled above");
        };
        boolean fractions = k == SplitSpec.Kind.RATIO || k == SplitSpec.Kind.TEMPORAL;
        return new PreparedData(absolute, d, s, new SplitSpec(k, 0, fractions ? r.validationFraction() : 0,
                fractions ? r.testFraction() : 0, r.seed(), threshold));
    }

    /** The same data cut as a bundle recorded it ({@link SplitSpec#toInfo()}), for a model of {@code task}. */
    static PreparedData read(String spec, DelimitedFormat.Columns columns, ReadOptions options, Task task, SplitSpec how)
            throws IOException {
        Request r = new Request(how.kind(), how.kind() == SplitSpec.Kind.FOLD ? how.fold() : null, how.validationFraction(),
                how.testFraction(), how.seed(), Float.isNaN(how.threshold()) ? null : how.threshold());
        return read(spec, columns, options, task, r);
    }

    /** The kind of {@code KIND:PATH}, lower case, checked against the known kinds. */
    static String kindOf(String spec) {
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("data '" + spec + "' must be written KIND:PATH, e.g. ml-100k:data/ml-100k; kinds: "
                    + String.join(", ", Datasets.KINDS));
        }
        String kind = spec.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!Datasets.KINDS.contains(kind)) {
            throw new IllegalArgumentException("unknown data kind '" + kind + "' in '" + spec + "'; known kinds: "
                    + String.join(", ", Datasets.KINDS));
        }
        return kind;
    }

    private static void requireExists(String spec, Path path) throws NoSuchFileException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "data path of '" + spec + "' does not exist");
        }
    }

    /** "ml-100k/u1: 80000 train, 0 validation, 20000 test". */
    String describe() {
        return dataset.name() + " (" + how.describe() + "): " + split.train().size() + " train, " + split.validation().size()
                + " validation, " + split.test().size() + " test";
    }

    // ------------------------------------------------------------------ a model's vocabularies

    /**
     * The split with its indices renumbered into a model's vocabularies (those of its bundle): rows whose
     * user or item the model does not know are dropped, and counted. When the data's vocabularies are
     * the model's (the data it was trained on, read again), the split is returned as it is.
     */
    Mapped inVocabularies(Vocabulary users, Vocabulary items) {
        Vocabulary du = split.train().users();
        Vocabulary di = split.train().items();
        if (du.ids().equals(users.ids()) && di.ids().equals(items.ids())) {
            return new Mapped(split, 0);
        }
        int[] um = mapping(du, users);
        int[] im = mapping(di, items);
        int[] dropped = new int[1];
        Split s = new Split(map(split.train(), um, im, users, items, null), map(split.validation(), um, im, users, items, null),
                map(split.test(), um, im, users, items, dropped));
        return new Mapped(s, dropped[0]);
    }

    /** A split in a model's vocabularies, and how many test rows had a user or item it does not know. */
    record Mapped(Split split, int droppedTestRows) {
    }

    private static int[] mapping(Vocabulary from, Vocabulary to) {
        List<String> ids = from.ids();
        int[] m = new int[ids.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = to.indexOf(ids.get(i));
        }
        return m;
    }

    private static Interactions map(Interactions part, int[] um, int[] im, Vocabulary users, Vocabulary items, int[] dropped) {
        int n = part.size();
        int[] u = new int[n];
        int[] it = new int[n];
        float[] r = new float[n];
        long[] t = new long[n];
        int k = 0;
        for (int row = 0; row < n; row++) {
            int mu = um[part.user(row)];
            int mi = im[part.item(row)];
            if (mu < 0 || mi < 0) {
                continue;
            }
            u[k] = mu;
            it[k] = mi;
            r[k] = part.rating(row);
            t[k] = part.timestamp(row);
            k++;
        }
        if (dropped != null) {
            dropped[0] += n - k;
        }
        return Interactions.of(users, items, java.util.Arrays.copyOf(u, k), java.util.Arrays.copyOf(it, k),
                part.hasRatings() ? java.util.Arrays.copyOf(r, k) : null, part.hasTimestamps() ? java.util.Arrays.copyOf(t, k) : null);
    }
}
