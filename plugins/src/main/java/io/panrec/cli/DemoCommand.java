package io.panrec.cli;

import io.panrec.autograd.Autograd;
import io.panrec.backend.Backends;
import io.panrec.ops.Elementwise;
import io.panrec.nn.Embedding;
import io.panrec.nn.Init;
import io.panrec.ops.Losses;
import io.panrec.ops.Linalg;
import io.panrec.ops.Reductions;
import io.panrec.optim.Adam;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * The main job until the Lucene demo lands: generates a small implicit-feedback dataset with a known
 * latent structure, trains BPR matrix factorisation (Rendle et al. 2009) on it with panrec's autograd,
 * row-sparse embedding gradients and Adam, and shows the held-out hit rate rise above the popularity
 * baseline epoch by epoch, on whichever backend ranks highest.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train BPR matrix factorisation on a generated dataset and compare it with popularity.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--users", defaultValue = "1200", description = "Users in the generated data (default ${DEFAULT-VALUE}).")
    int users;
    @Option(names = "--items", defaultValue = "600", description = "Items in the generated data (default ${DEFAULT-VALUE}).")
    int items;
    @Option(names = "--per-user", defaultValue = "25", description = "Interactions per user (default ${DEFAULT-VALUE}).")
    int perUser;
    @Option(names = "--dim", defaultValue = "32", description = "Embedding size (default ${DEFAULT-VALUE}).")
    int dim;
    @Option(names = "--epochs", defaultValue = "10", description = "Training epochs (default ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--batch", defaultValue = "512", description = "Mini-batch size (default ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--lr", defaultValue = "0.02", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--seed", defaultValue = "42", description = "Seed of data and training (default ${DEFAULT-VALUE}).")
    long seed;

    private PrintWriter out = new PrintWriter(System.out, true);

    DemoCommand withOutput(PrintWriter writer) {
        this.out = writer;
        return this;
    }

    /** What a run found: hit rates of the model and of popularity, and the loss of every epoch. */
    record Result(double modelHitRate, double popularityHitRate, double[] losses) {
    }

    @Override
    public Integer call() {
        if (users < 2 || items < 20 || perUser < 3 || perUser >= items / 2 || dim < 1 || epochs < 1 || batch < 1) {
            throw new IllegalArgumentException("demo: need users >= 2, items >= 20, 3 <= per-user < items/2, dim, epochs and batch >= 1");
        }
        run();
        return 0;
    }

    Result run() {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] history = generate(random);
        // leave one out: the last interaction of each user is held out for testing
        int[] heldOut = new int[users];
        List<int[]> train = new ArrayList<>();
        List<Set<Integer>> seen = new ArrayList<>();
        int[] popularity = new int[items];
        for (int u = 0; u < users; u++) {
            int[] h = history[u];
            heldOut[u] = h[h.length - 1];
            Set<Integer> s = new HashSet<>();
            for (int j = 0; j < h.length - 1; j++) {
                train.add(new int[] {u, h[j]});
                s.add(h[j]);
                popularity[h[j]]++;
            }
            seen.add(s);
        }
        out.printf(Locale.ROOT, "panrec demo: %d users, %d items, %d training interactions, 1 held out per user%n",
                users, items, train.size());
        out.printf(Locale.ROOT, "backend: %s (see ./panrec backends)%n", Backends.current().name());
        double popHr = popularityHitRate(popularity, seen, heldOut);
        out.printf(Locale.ROOT, "popularity baseline  HR@10 %.3f%n", popHr);
        out.printf(Locale.ROOT, "%5s  %9s  %7s  %12s%n", "epoch", "BPR loss", "HR@10", "samples/s");

        double[] losses = new double[epochs];
        double hr = 0;
        {
            // sparse tables: each step's gradient holds only the rows of the batch, and Adam updates only those
            Embedding userEmb = new Embedding(users, dim, -1, true, random);
            Embedding itemEmb = new Embedding(items, dim, -1, true, random);
            Init.normal(userEmb.weight(), 0, 0.1, random);
            Init.normal(itemEmb.weight(), 0, 0.1, random);
            Tensor userTable = userEmb.weight();
            Tensor itemTable = itemEmb.weight();
            List<Tensor> params = new ArrayList<>(userEmb.parameters());
            params.addAll(itemEmb.parameters());
            Adam adam = new Adam(params, lr);
            int[] order = new int[train.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            for (int epoch = 0; epoch < epochs; epoch++) {
                shuffle(order, random);
                long start = System.nanoTime();
                double lossSum = 0;
                int batches = 0;
                for (int from = 0; from < order.length; from += batch) {
                    int n = Math.min(batch, order.length - from);
                    long[] u = new long[n];
                    long[] pos = new long[n];
                    long[] neg = new long[n];
                    for (int i = 0; i < n; i++) {
                        int[] pair = train.get(order[from + i]);
                        u[i] = pair[0];
                        pos[i] = pair[1];
                        int j;
                        do {
                            j = random.nextInt(items);
                        } while (seen.get(pair[0]).contains(j));
                        neg[i] = j;
                    }
                    try (Scope step = Scope.open("demo step")) {
                        Tensor pu = userEmb.forward(Tensor.ofLongs(u, n));
                        Tensor qi = itemEmb.forward(Tensor.ofLongs(pos, n));
                        Tensor qj = itemEmb.forward(Tensor.ofLongs(neg, n));
                        Tensor bpr = Losses.bpr(Linalg.rowDot(pu, qi), Linalg.rowDot(pu, qj));
                        Tensor l2 = Elementwise.mul(Reductions.mean(Elementwise.add(Elementwise.add(
                                Reductions.sum(Elementwise.mul(pu, pu), new int[] {1}, false),
                                Reductions.sum(Elementwise.mul(qi, qi), new int[] {1}, false)),
                                Reductions.sum(Elementwise.mul(qj, qj), new int[] {1}, false))), 2e-3f);
                        Tensor loss = Elementwise.add(bpr, l2);
                        adam.zeroGrad();
                        loss.backward();
                        adam.step();
                        lossSum += bpr.item();
                        batches++;
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                hr = modelHitRate(userTable, itemTable, seen, heldOut);
                losses[epoch] = lossSum / batches;
                out.printf(Locale.ROOT, "%5d  %9.4f  %7.3f  %12.0f%n", epoch + 1, losses[epoch], hr, order.length / seconds);
            }
        }
        out.printf(Locale.ROOT, "BPR-MF HR@10 %.3f vs popularity %.3f (%s)%n", hr, popHr,
                hr > popHr ? "the model learned the users' tastes" : "no better than popularity: try more epochs");
        return new Result(hr, popHr, losses);
    }

    /**
     * Users and items get hidden 4-d taste vectors; each user picks items by a Gumbel-top-k draw from
     * softmax(taste match + item popularity), so both structure and popularity are there to learn.
     */
    private int[][] generate(SplittableRandom random) {
        int k = 4;
        double[][] ut = new double[users][k];
        double[][] it = new double[items][k];
        double[] bias = new double[items];
        for (double[] row : ut) {
            for (int j = 0; j < k; j++) {
                row[j] = random.nextGaussian() * 1.5;
            }
        }
        for (int i = 0; i < items; i++) {
            for (int j = 0; j < k; j++) {
                it[i][j] = random.nextGaussian();
            }
            bias[i] = random.nextGaussian();
        }
        int[][] history = new int[users][];
        Integer[] idx = new Integer[items];
        double[] key = new double[items];
        for (int u = 0; u < users; u++) {
            for (int i = 0; i < items; i++) {
                double s = bias[i];
                for (int j = 0; j < k; j++) {
                    s += ut[u][j] * it[i][j];
                }
                key[i] = s - Math.log(-Math.log(random.nextDouble(1e-12, 1))); // Gumbel noise
                idx[i] = i;
            }
            Arrays.sort(idx, (a, b) -> Double.compare(key[b], key[a]));
            history[u] = new int[perUser];
            for (int j = 0; j < perUser; j++) {
                history[u][j] = idx[j];
            }
            // a random order stands in for time, so the held-out item is not always the best match
            shuffle(history[u], random);
        }
        return history;
    }

    private double popularityHitRate(int[] popularity, List<Set<Integer>> seen, int[] heldOut) {
        float[] scores = new float[items];
        for (int i = 0; i < items; i++) {
            scores[i] = popularity[i];
        }
        int hits = 0;
        for (int u = 0; u < users; u++) {
            hits += inTopTen(scores, seen.get(u), heldOut[u]) ? 1 : 0;
        }
        return hits / (double) users;
    }

    private double modelHitRate(Tensor userTable, Tensor itemTable, List<Set<Integer>> seen, int[] heldOut) {
        try (Autograd.NoGrad off = Autograd.noGrad(); Scope s = Scope.open("demo eval")) {
            float[] all = Linalg.matmul(userTable, itemTable.t()).toFloatArray();
            int hits = 0;
            float[] row = new float[items];
            for (int u = 0; u < users; u++) {
                System.arraycopy(all, u * items, row, 0, items);
                hits += inTopTen(row, seen.get(u), heldOut[u]) ? 1 : 0;
            }
            return hits / (double) users;
        }
    }

    /** Whether the held-out item ranks in the top 10 of the items the user has not trained on (ties count against it). */
    private static boolean inTopTen(float[] scores, Set<Integer> seen, int target) {
        float t = scores[target];
        int better = 0;
        for (int i = 0; i < scores.length; i++) {
            if (i != target && !seen.contains(i) && scores[i] >= t) {
                better++;
                if (better >= 10) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void shuffle(int[] a, SplittableRandom random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }
}
