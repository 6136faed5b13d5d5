package io.panrec.nn;

import io.panrec.ops.Losses;
import io.panrec.ops.Pooling;
import io.panrec.optim.Adam;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each trainable layer learns a small task: a few hundred steps of plain SGD (or Adam) must cut the loss
 * well below its starting value. Every step runs in its own scope, as training loops do.
 */
class LearningTest {
    @RegisterExtension
    static final TestSeed SEED = new TestSeed();

    /** Runs {@code steps} steps of loss -> backward -> update; returns {first loss, mean of the last 10}. */
    private static double[] train(int steps, Supplier<Tensor> loss, Runnable update) {
        double first = 0;
        double tail = 0;
        for (int s = 0; s < steps; s++) {
            try (Scope step = Scope.open("step")) {
                Tensor l = loss.get();
                double v = l.item();
                assertTrue(Double.isFinite(v), "loss at step " + s + " is " + v);
                if (s == 0) {
                    first = v;
                }
                if (s >= steps - 10) {
                    tail += v / 10;
                }
                l.backward();
                update.run();
            }
        }
        return new double[] {first, tail};
    }

    private static void assertFell(String what, double[] losses, double factor) {
        assertTrue(losses[1] < factor * losses[0], what + ": loss went from " + losses[0] + " to " + losses[1]
                + ", expected below " + factor + " of the start");
    }

    @Test
    void mlpFitsASmoothFunction() {
        SplittableRandom r = SEED.random("mlp");
        int n = 64;
        float[] xs = new float[n * 3];
        float[] ys = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                xs[i * 3 + j] = (float) r.nextDouble(-1, 1);
            }
            ys[i] = (float) (Math.sin(2 * xs[i * 3]) + xs[i * 3 + 1] * xs[i * 3 + 2]);
        }
        Tensor x = Tensor.of(xs, n, 3);
        Tensor y = Tensor.of(ys, n, 1);
        MLP mlp = new MLP(new int[] {3, 16, 16, 1}, Activation.TANH, 0f, false, r);
        assertFell("MLP regression", train(300, () -> Losses.mse(mlp.forward(x), y), () -> NnTesting.sgdStep(mlp, 0.1)), 0.3);
    }

    @Test
    void sparseEmbeddingsLearnPreferencesWithBprAndAdam() {
        SplittableRandom r = SEED.random("bpr");
        int users = 20;
        int items = 30;
        // user u likes items with the same parity as u
        Embedding u = new Embedding(users, 8, -1, true, r);
        Embedding v = new Embedding(items, 8, -1, true, r);
        Init.normal(u.weight(), 0, 0.1, r);
        Init.normal(v.weight(), 0, 0.1, r);
        Module model = NnTesting.bundle(u, v);
        Adam adam = new Adam(model.parameters(), 0.05);
        int b = 32;
        assertFell("BPR matrix factorisation", train(150, () -> {
            long[] us = new long[b];
            long[] pos = new long[b];
            long[] neg = new long[b];
            for (int i = 0; i < b; i++) {
                us[i] = r.nextInt(users);
                pos[i] = 2L * r.nextInt(items / 2) + (us[i] % 2);
                neg[i] = 2L * r.nextInt(items / 2) + 1 - (us[i] % 2);
            }
            Tensor ue = u.forward(Tensor.ofLongs(us));
            Tensor ps = ue.mul(v.forward(Tensor.ofLongs(pos))).sum(1, false);
            Tensor ns = ue.mul(v.forward(Tensor.ofLongs(neg))).sum(1, false);
            return Losses.bpr(ps, ns);
        }, () -> {
            adam.step();
            model.zeroGrad();
        }), 0.5);
    }

    @Test
    void embeddingBagAndBceSeparateTwoClasses() {
        SplittableRandom r = SEED.random("bag");
        EmbeddingBag bag = new EmbeddingBag(10, 4, Pooling.Mode.MEAN, true, r);
        Linear head = new Linear(4, 1, r);
        Module model = NnTesting.bundle(bag, head);
        // bags of ids < 5 are class 0, bags of ids >= 5 class 1, of ragged lengths 1..4
        int b = 16;
        assertFell("EmbeddingBag + BCE", train(200, () -> {
            long[] ids = new long[b * 4];
            long[] len = new long[b];
            float[] label = new float[b];
            for (int i = 0; i < b; i++) {
                label[i] = r.nextInt(2);
                len[i] = 1 + r.nextInt(4);
                for (int j = 0; j < 4; j++) {
                    ids[i * 4 + j] = j < len[i] ? 5L * (long) label[i] + r.nextInt(5) : -1;
                }
            }
            Tensor pooled = bag.forward(Tensor.ofLongs(ids, b, 4), Tensor.ofLongs(len));
            return Losses.bceWithLogits(head.forward(pooled).reshape(b), Tensor.of(label));
        }, () -> NnTesting.sgdStep(model, 0.5)), 0.4);
    }

    @Test
    void gruLearnsToCountOnes() {
        SplittableRandom r = SEED.random("gru");
        // the class of a 0/1 sequence is its number of ones (0..3) over ragged lengths up to 5
        GRU gru = new GRU(1, 12, r);
        Linear head = new Linear(12, 4, r);
        Module model = NnTesting.bundle(gru, head);
        Adam adam = new Adam(model.parameters(), 0.02);
        int b = 24;
        assertFell("GRU classification", train(250, () -> {
            float[] x = new float[b * 5];
            long[] len = new long[b];
            long[] target = new long[b];
            for (int i = 0; i < b; i++) {
                len[i] = 3 + r.nextInt(3);
                int ones = r.nextInt(4);
                target[i] = ones;
                for (int k = 0; k < ones; k++) {
                    int at;
                    do {
                        at = r.nextInt((int) len[i]);
                    } while (x[i * 5 + at] == 1);
                    x[i * 5 + at] = 1;
                }
            }
            GRU.Output o = gru.forward(Tensor.of(x, b, 5, 1), null, Tensor.ofLongs(len));
            return Losses.softmaxCrossEntropy(head.forward(o.last()), Tensor.ofLongs(target));
        }, () -> {
            adam.step();
            model.zeroGrad();
        }), 0.5);
    }

    @Test
    void causalAttentionLearnsToRecallTheFirstToken() {
        SplittableRandom r = SEED.random("attention");
        // at every position, predict the token at position 0 (it is visible to all under the causal mask)
        int vocab = 6;
        int t = 5;
        int d = 16;
        Embedding tokens = new Embedding(vocab, d, r);
        Embedding positions = new Embedding(t, d, r);
        MultiHeadAttention attn = new MultiHeadAttention(d, 2, r);
        LayerNorm norm = new LayerNorm(d);
        Linear head = new Linear(d, vocab, r);
        Module model = NnTesting.bundle(tokens, positions, attn, norm, head);
        Tensor pos = Tensor.ofLongs(new long[] {0, 1, 2, 3, 4}, 1, t);
        int b = 16;
        Adam adam = new Adam(model.parameters(), 0.01);
        assertFell("attention recall", train(200, () -> {
            long[] seq = new long[b * t];
            long[] target = new long[b * t];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) {
                    seq[i * t + j] = r.nextInt(vocab);
                }
                for (int j = 0; j < t; j++) {
                    target[i * t + j] = seq[i * t];
                }
            }
            Tensor h = tokens.forward(Tensor.ofLongs(seq, b, t)).add(positions.forward(pos));
            h = norm.forward(h.add(attn.forward(h, null, true)));
            return Losses.softmaxCrossEntropy(head.forward(h), Tensor.ofLongs(target, b, t));
        }, () -> {
            adam.step();
            model.zeroGrad();
        }), 0.3);
    }

    @Test
    void convolutionFindsAMotif() {
        SplittableRandom r = SEED.random("conv");
        // a sequence is positive when it contains the motif +1, -1 somewhere
        Conv1d conv = new Conv1d(1, 4, 2, r);
        MaxPool1d pool = new MaxPool1d(9);
        Linear head = new Linear(4, 1, r);
        Sequential model = new Sequential(conv, Activation.RELU::apply, pool, x -> x.reshape(x.shape(0), 4), head);
        int b = 16;
        assertFell("conv motif", train(300, () -> {
            float[] x = new float[b * 10];
            float[] label = new float[b];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < 10; j++) {
                    x[i * 10 + j] = r.nextInt(3) == 0 ? 0f : 0.5f;
                }
                if (r.nextBoolean()) {
                    int at = r.nextInt(9);
                    x[i * 10 + at] = 1;
                    x[i * 10 + at + 1] = -1;
                    label[i] = 1;
                }
            }
            return Losses.bceWithLogits(model.forward(Tensor.of(x, b, 1, 10)).reshape(b), Tensor.of(label));
        }, () -> NnTesting.sgdStep(model, 0.5)), 0.5);
    }

    @Test
    void twoTowersLearnWithInfoNceAndSampledSoftmax() {
        SplittableRandom r = SEED.random("towers");
        int users = 16;
        int items = 16;
        // user i's item is i: a permutation to discover
        Embedding u = new Embedding(users, 8, -1, true, r);
        Embedding v = new Embedding(items, 8, -1, true, r);
        MLP tower = new MLP(new int[] {8, 8}, r);
        Module model = NnTesting.bundle(u, v, tower);
        double[] prob = new double[items];
        java.util.Arrays.fill(prob, 1.0 / items);
        assertFell("InfoNCE", train(200, () -> {
            long[] batch = new long[8];
            for (int i = 0; i < 8; i++) {
                batch[i] = (i * 2L + r.nextInt(2)) % users;
            }
            Tensor ids = Tensor.ofLongs(batch);
            return Losses.infoNce(tower.forward(u.forward(ids)), v.forward(ids), 0.5f, true);
        }, () -> NnTesting.sgdStep(model, 0.5)), 0.7);
        assertFell("sampled softmax", train(200, () -> {
            long[] batch = new long[8];
            long[] negs = new long[5];
            for (int i = 0; i < 8; i++) {
                batch[i] = r.nextInt(users);
            }
            for (int i = 0; i < 5; i++) {
                negs[i] = r.nextInt(items);
            }
            Tensor q = tower.forward(u.forward(Tensor.ofLongs(batch)));
            return Losses.sampledSoftmax(q, v.weight(), Tensor.ofLongs(batch), Tensor.ofLongs(negs), prob);
        }, () -> NnTesting.sgdStep(model, 0.3)), 0.5);
    }
}
