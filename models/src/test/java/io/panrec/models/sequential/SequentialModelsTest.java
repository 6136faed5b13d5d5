package io.panrec.models.sequential;

import io.panrec.autograd.Autograd;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.Sessions;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.eval.EvaluationResult;
import io.panrec.models.eval.NextItemProtocol;
import io.panrec.models.eval.SampledRankingProtocol;
import io.panrec.models.data.Split;
import io.panrec.models.data.Splits;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.Trainer;
import io.panrec.nn.GRU;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Session-parallel batches, GRU4Rec's state resets, SASRec's causality, and the next-item protocol. */
class SequentialModelsTest {
    static final int[][] SESSIONS = {{0, 1, 2}, {3, 4}, {5, 6, 7, 8}, {9, 1}, {2, 8, 4}}; // every click pair in one session only

    @Test
    void sessionParallelBatchesContinueSessionsAndRestartSlots() {
        for (int slots : new int[] {1, 2, 3}) {
            SessionParallelBatches batches = new SessionParallelBatches(SESSIONS, slots, 0, 0, 10, 7);
            int[] lastOut = new int[slots];
            Set<String> pairs = new HashSet<>();
            int steps = 0;
            for (Iterator<Batch> it = batches.epoch(0); it.hasNext(); steps++) {
                Batch b = it.next();
                long[] in = b.get(Batch.ITEMS).toLongArray();
                long[] out = b.get(SessionParallelBatches.NEXT_ITEMS).toLongArray();
                float[] starts = b.get(SessionParallelBatches.SESSION_STARTS).toFloatArray();
                assertEquals(slots, in.length);
                assertFalse(b.has(Batch.NEGATIVES));
                for (int k = 0; k < slots; k++) {
                    int s = sessionOf((int) in[k], (int) out[k]);
                    assertTrue(s >= 0, "(" + in[k] + " -> " + out[k] + ") is a click and the next one of some session");
                    if (steps == 0) {
                        assertEquals(1f, starts[k], "every slot starts a session at the first step");
                    }
                    if (starts[k] == 1f) {
                        assertEquals(SESSIONS[s][0], in[k], "a slot restarts at a session's first click");
                        if (steps > 0) {
                            assertTrue(endsSomeSession(lastOut[k]), "a slot moves on only after its session ended");
                        }
                    } else {
                        assertEquals(lastOut[k], in[k], "a continuing slot reads the click its last target was");
                    }
                    assertTrue(pairs.add(s + ":" + in[k] + ">" + out[k]), "each click pair once per epoch");
                    lastOut[k] = (int) out[k];
                }
            }
            assertTrue(steps <= batches.batchesPerEpoch(), steps + " <= " + batches.batchesPerEpoch());
            if (slots == 1) {
                assertEquals(2 + 1 + 3 + 1 + 2, pairs.size(), "one slot reads every pair of every session");
            }
        }
        // the order is the seed's and the epoch's: equal seeds, equal epochs
        SessionParallelBatches a = new SessionParallelBatches(SESSIONS, 2, 3, 0.5, 10, 7);
        SessionParallelBatches b = new SessionParallelBatches(SESSIONS, 2, 3, 0.5, 10, 7);
        Batch x = a.epoch(3).next();
        Batch y = b.epoch(3).next();
        assertArrayEquals(x.get(Batch.ITEMS).toLongArray(), y.get(Batch.ITEMS).toLongArray());
        long[] neg = x.get(Batch.NEGATIVES).toLongArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(neg, 0, 3), java.util.Arrays.copyOfRange(neg, 3, 6), "one shared sample per batch");
    }

    private static int sessionOf(int in, int out) {
        for (int s = 0; s < SESSIONS.length; s++) {
            for (int t = 0; t + 1 < SESSIONS[s].length; t++) {
                if (SESSIONS[s][t] == in && SESSIONS[s][t + 1] == out) {
                    return s;
                }
            }
        }
        return -1;
    }

    private static boolean endsSomeSession(int item) {
        for (int[] s : SESSIONS) {
            if (s[s.length - 1] == item) {
                return true;
            }
        }
        return false;
    }

    static GRU4Rec smallGru(int numItems) {
        Settings s = new GRU4Rec.Provider().defaultSettings().with("embeddingSize", 6).with("hiddenSize", 5).with("dropout", 0.0)
                .with("sampledNegatives", 0);
        return (GRU4Rec) new GRU4Rec.Provider().create(s, DatasetSchema.implicit(3, numItems));
    }

    private static Batch step(long[] items, long[] next, float[] starts) {
        return new Batch().put(Batch.ITEMS, Tensor.ofLongs(items)).put(SessionParallelBatches.NEXT_ITEMS, Tensor.ofLongs(next))
                .put(SessionParallelBatches.SESSION_STARTS, Tensor.of(starts, starts.length));
    }

    @Test
    void gru4recCarriesTheStateAndResetsItWhereASessionStarts() {
        GRU4Rec model = smallGru(10);
        try (var _ = Scope.open("t"); var _ = Autograd.noGrad()) {
            // slot 0 reads session [1, 2, 3]; slot 1 reads [4, 5] and then starts [6, 7]
            model.calculateLoss(step(new long[] {1, 4}, new long[] {2, 5}, new float[] {1, 1}));
            model.calculateLoss(step(new long[] {2, 6}, new long[] {3, 7}, new float[] {0, 1}));
            float[] carried = model.carriedState();                        // [1, 2, 5]
            float[] continued = gruState(model, new long[] {1, 2});
            float[] restarted = gruState(model, new long[] {6});
            for (int j = 0; j < 5; j++) {
                assertEquals(continued[j], carried[j], 1e-5, "slot 0 continues its session");
                assertEquals(restarted[j], carried[5 + j], 1e-5, "slot 1 restarted from zero");
            }
            // and without the reset, slot 1 would have carried [4] into its state
            GRU4Rec other = smallGru(10);
            other.calculateLoss(step(new long[] {1, 4}, new long[] {2, 5}, new float[] {1, 1}));
            other.calculateLoss(step(new long[] {2, 6}, new long[] {3, 7}, new float[] {0, 0}));
            float[] leaked = gruState(other, new long[] {4, 6});
            assertEquals(leaked[0], other.carriedState()[5], 1e-5);
            assertNotEquals(restarted[0], leaked[0], 1e-6);
        }
    }

    /** The GRU's final state over one sequence from zero. */
    private static float[] gruState(GRU4Rec model, long[] items) {
        GRU gru = (GRU) model.children().get("gru");
        Tensor x = ((io.panrec.nn.Embedding) model.children().get("itemEmbedding")).forward(Tensor.ofLongs(items, 1, items.length));
        return gru.forward(x).last().contiguous().toFloatArray();
    }

    @Test
    void gru4recLossesAllTrainAndRejectUnknownOnes() {
        for (String loss : GRU4Rec.LOSSES) {
            Settings s = new GRU4Rec.Provider().defaultSettings().with("embeddingSize", 8).with("hiddenSize", 8).with("loss", loss)
                    .with("sampledNegatives", 4).with("learningRate", 0.1).with("epochs", 20);
            GRU4Rec model = (GRU4Rec) new GRU4Rec.Provider().create(s, DatasetSchema.implicit(5, 10));
            Interactions train = sessions(SESSIONS);
            var result = Trainer.builder(model, train).output(null).build().fit();
            assertTrue(result.last().loss() < result.history().getFirst().loss(), loss + ": " + result.history().getFirst().loss()
                    + " -> " + result.last().loss());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GRU4Rec.Provider()
                .create(new GRU4Rec.Provider().defaultSettings().with("loss", "hinge"), DatasetSchema.implicit(2, 2)));
        assertTrue(e.getMessage().contains("bpr-max"), e.getMessage());
    }

    @Test
    void sasrecIsCausalLaterItemsDoNotChangeEarlierOutputs() {
        Settings s = new SASRec.Provider().defaultSettings().with("embeddingSize", 8).with("heads", 2).with("maxLength", 6);
        SASRec model = (SASRec) new SASRec.Provider().create(s, DatasetSchema.implicit(2, 12));
        model.setTraining(false);
        try (var _ = Scope.open("t"); var _ = Autograd.noGrad()) {
            float[] a = model.sequenceOutputs(new long[] {3, 1, 4, 1, 5, 0}, 1, 6, new long[] {5}).contiguous().toFloatArray();
            float[] b = model.sequenceOutputs(new long[] {3, 1, 4, 9, 2, 0}, 1, 6, new long[] {5}).contiguous().toFloatArray();
            for (int j = 0; j < 3 * 8; j++) {
                assertEquals(a[j], b[j], 1e-6, "position " + j / 8 + " sees only items up to itself");
            }
            boolean differs = false;
            for (int j = 3 * 8; j < 5 * 8; j++) {
                differs |= Math.abs(a[j] - b[j]) > 1e-4;
            }
            assertTrue(differs, "positions 3 and 4 see the changed items");
            // padding beyond a length changes nothing either
            float[] c = model.sequenceOutputs(new long[] {3, 1, 4, 1, 5, 11}, 1, 6, new long[] {5}).contiguous().toFloatArray();
            assertArrayEquals(a, c, 1e-6f);
            // the representation of a sequence is the output at its last item
            Batch seq = SequenceScorers.batchOf(new int[][] {{3, 1, 4}}, 6);
            float[] rep = model.representation(seq).contiguous().toFloatArray();
            for (int j = 0; j < 8; j++) {
                assertEquals(a[2 * 8 + j], rep[j], 1e-5);
            }
        }
    }

    @Test
    void sasrecTrainsAndIsMeasuredLeaveOneOut() {
        Interactions data = sessions(new int[][] {{0, 1, 2, 3, 4, 5}, {1, 2, 3, 4, 5, 6}, {2, 3, 4, 5, 6, 7}, {0, 1, 2, 3, 4, 5},
                {3, 4, 5, 6, 7, 0}, {4, 5, 6, 7, 0, 1}});
        Split split = Splits.leaveOneOut(data, false);
        Settings s = new SASRec.Provider().defaultSettings().with("embeddingSize", 16).with("maxLength", 8).with("epochs", 40)
                .with("learningRate", 0.01).with("dropout", 0.0);
        SASRec model = (SASRec) new SASRec.Provider().create(s, data.schema());
        var r = Trainer.builder(model, split.train()).output(null).build().fit();
        assertTrue(r.last().loss() < r.history().getFirst().loss() * 0.7, r.history().getFirst().loss() + " -> " + r.last().loss());
        var scorer = SequenceScorers.histories(model, Sessions.sequences(split.known()));
        EvaluationResult full = io.panrec.models.eval.FullRankingProtocol.test(split, 1, 3).evaluate(scorer);
        assertTrue(full.metric("HR@3") >= 0.5, full.toString()); // each sequence is a shifted 0..7 cycle: easy to learn
        EvaluationResult sampled = SampledRankingProtocol.test(split, 2, 1, 3).evaluate(scorer);
        assertEquals(6, sampled.cases());
    }

    @Test
    void nextItemProtocolRanksAgainstAllItems() {
        List<Sessions.Case> cases = List.of(new Sessions.Case(0, new int[] {0}, 1), new Sessions.Case(0, new int[] {0, 1}, 2),
                new Sessions.Case(1, new int[] {3}, 0));
        // scores: item 1 first, then 2, then 0; ties pessimistic
        EvaluationResult r = new NextItemProtocol(cases, 4, 1, 2).evaluate((prefixes, n) -> {
            float[][] out = new float[prefixes.length][];
            for (int i = 0; i < out.length; i++) {
                out[i] = new float[] {1, 3, 2, 2};
            }
            return out;
        });
        // ranks: item 1 -> 1; item 2 -> 3 (ties with 3, pessimistic); item 0 -> 4
        assertEquals(1.0 / 3, r.metric("Recall@1"), 1e-12);
        assertEquals(1.0 / 3, r.metric("Recall@2"), 1e-12);
        assertEquals(1.0 / 3, r.metric("MRR@2"), 1e-12);
        assertEquals(3, r.cases());
        assertThrows(IllegalArgumentException.class, () -> new NextItemProtocol(cases, 2, 20));
    }

    @Test
    void gru4recScoresSessionsBySequenceOrKeptHistory() {
        Interactions train = sessions(SESSIONS);
        GRU4Rec model = smallGru(10);
        GRU4Rec sized = (GRU4Rec) new GRU4Rec.Provider().create(model.settings(), train.schema());
        sized.beforeTraining(train);
        sized.setTraining(false);
        try (var _ = Scope.open("t"); var _ = Autograd.noGrad()) {
            float[] byUser = sized.fullSortPredict(new int[] {2}).toFloatArray();
            float[] bySeq = sized.fullSortPredict(SequenceScorers.batchOf(new int[][] {SESSIONS[2]}, 50)).toFloatArray();
            assertArrayEquals(bySeq, byUser, 1e-6f);
            float[][] viaScorer = SequenceScorers.of(sized).scoreAll(new int[][] {SESSIONS[2]}, 10);
            assertArrayEquals(bySeq, viaScorer[0], 1e-6f);
            // what Lucene reranking sends (CandidateEncoder.history): the session repeated per candidate, and the candidates
            long[] candidates = {7, 0, 3};
            long[] rows = new long[3 * 4];
            for (int r = 0; r < 3; r++) {
                for (int j = 0; j < 4; j++) {
                    rows[r * 4 + j] = SESSIONS[2][j];
                }
            }
            Batch rerank = new Batch().put(Batch.SEQUENCES, Tensor.ofLongs(rows, 3, 4)).put(Batch.LENGTHS, Tensor.ofLongs(new long[] {4, 4, 4}))
                    .put(Batch.ITEMS, Tensor.ofLongs(candidates));
            float[] pairs = sized.predict(rerank).toFloatArray();
            for (int r = 0; r < 3; r++) {
                assertEquals(bySeq[(int) candidates[r]], pairs[r], 1e-5f);
            }
            Batch bad = SequenceScorers.batchOf(new int[][] {{1, 2}}, 50).put(Batch.LENGTHS, Tensor.ofLongs(new long[] {0}));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sized.fullSortPredict(bad));
            assertTrue(e.getMessage().contains("empty"), e.getMessage());
            Batch outside = SequenceScorers.batchOf(new int[][] {{1, 12}}, 50);
            assertThrows(IllegalArgumentException.class, () -> sized.fullSortPredict(outside));
        }
    }

    /** Sessions as interactions, one user per session, timestamps in click order. */
    static Interactions sessions(int[][] seqs) {
        Vocabulary users = new Vocabulary("sessions");
        Vocabulary items = new Vocabulary("items");
        int max = 0;
        for (int[] s : seqs) {
            for (int i : s) {
                max = Math.max(max, i);
            }
        }
        for (int i = 0; i <= max; i++) {
            items.add("i" + i);
        }
        Interactions.Builder b = Interactions.builder(users, items, false, true);
        for (int s = 0; s < seqs.length; s++) {
            for (int t = 0; t < seqs[s].length; t++) {
                b.add("s" + s, "i" + seqs[s][t], 1f, 1000L * s + t);
            }
        }
        return b.build();
    }
}
