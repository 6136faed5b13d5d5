package io.panrec.nn;

import io.panrec.ops.Attention;
import io.panrec.ops.Recurrent;
import io.panrec.ops.Shapes;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.SplittableRandom;

import static io.panrec.nn.TestSeed.f32;
import static io.panrec.nn.TestSeed.f64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GRU and MultiHeadAttention modules. */
class SequenceLayersTest {
    @RegisterExtension
    static final TestSeed SEED = new TestSeed();

    // ------------------------------------------------------------------ GRU

    @Test
    void gruHasPyTorchNamesAndStacksLayers() {
        SplittableRandom r = SEED.random("gru");
        GRU gru = new GRU(3, 4, 2, true, 0f, r);
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"), List.copyOf(gru.namedParameters().keySet()));
        assertArrayEquals(new int[] {12, 3}, gru.namedParameters().get("weight_ih_l0").shape());
        assertArrayEquals(new int[] {12, 4}, gru.namedParameters().get("weight_ih_l1").shape());
        for (Tensor p : gru.parameters()) {
            for (float v : p.toFloatArray()) {
                assertTrue(Math.abs(v) <= 0.5f, "U(-1/sqrt(H), 1/sqrt(H)) with H = 4");
            }
        }
        var ps = gru.namedParameters();
        Tensor x = f32(r, 2, 5, 3);
        Tensor lengths = Tensor.ofInts(new int[] {5, 3});
        GRU.Output out = gru.forward(x, null, lengths);
        assertArrayEquals(new int[] {2, 5, 4}, out.output().shape());
        assertArrayEquals(new int[] {2, 2, 4}, out.hidden().shape());
        Recurrent.GruResult l0 = Recurrent.gru(x, null, ps.get("weight_ih_l0"), ps.get("weight_hh_l0"), ps.get("bias_ih_l0"),
                ps.get("bias_hh_l0"), lengths);
        Recurrent.GruResult l1 = Recurrent.gru(l0.output(), null, ps.get("weight_ih_l1"), ps.get("weight_hh_l1"),
                ps.get("bias_ih_l1"), ps.get("bias_hh_l1"), lengths);
        assertArrayEquals(l1.output().toFloatArray(), out.output().toFloatArray(), 0f);
        assertArrayEquals(Shapes.stack(0, l0.last(), l1.last()).toFloatArray(), out.hidden().toFloatArray(), 0f);
        assertArrayEquals(l1.last().toFloatArray(), out.last().toFloatArray(), 0f);
        // the last state of the second row is its output at step lengths - 1 = 2
        for (int j = 0; j < 4; j++) {
            assertEquals(out.output().get(1, 2, j), out.last().get(1, j), 0.0);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> gru.forward(f32(r, 2, 5, 4)));
        assertTrue(e.getMessage().contains("[B, T, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> gru.forward(x, Tensor.zeros(1, 2, 4), null));
        assertTrue(e.getMessage().contains("h0"), e.getMessage());
    }

    @Test
    void gruDropoutBetweenLayersOnlyInTraining() {
        SplittableRandom r = SEED.random("gruDropout");
        GRU gru = new GRU(3, 5, 2, true, 0.5f, r);
        Tensor x = f32(r, 2, 4, 3);
        assertFalse(java.util.Arrays.equals(gru.forward(x).output().toFloatArray(), gru.forward(x).output().toFloatArray()));
        gru.eval();
        assertArrayEquals(gru.forward(x).output().toFloatArray(), gru.forward(x).output().toFloatArray());
        GRU single = new GRU(3, 5, 1, true, 0.5f, r);
        assertTrue(single.namedModules().isEmpty(), "one layer has no inter-layer dropout");
    }

    @Test
    void gruGradientsAndStateDict() {
        SplittableRandom r = SEED.random("gruGrads");
        GRU gru = NnTesting.inF64(() -> new GRU(2, 3, 2, true, 0f, r));
        Tensor lengths = Tensor.ofLongs(new long[] {4, 2, 0});
        NnTesting.gradCheck("GRU outputs", gru, in -> gru.forward(in[0], in[1], lengths).output(), f64(r, 3, 4, 2), f64(r, 2, 3, 3));
        NnTesting.gradCheck("GRU hidden", gru, in -> gru.forward(in[0], in[1], lengths).hidden(), f64(r, 3, 4, 2), f64(r, 2, 3, 3));
        GRU noBias = NnTesting.inF64(() -> new GRU(2, 3, 1, false, 0f, r));
        assertEquals(2, noBias.parameters().size());
        NnTesting.gradCheck("GRU no bias", noBias, in -> noBias.forward(in[0]).last(), f64(r, 2, 3, 2));
        Tensor x = f32(r, 2, 3, 2);
        NnTesting.assertStateDictRoundTrip(seed -> new GRU(2, 3, new SplittableRandom(seed)), m -> m.forward(x).output());
    }

    // ------------------------------------------------------------------ MultiHeadAttention

    /** The same computation head by head, with the module's own projections. */
    private static Tensor byHand(MultiHeadAttention mha, Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal) {
        Tensor pq = mha.qProj().forward(q);
        Tensor pk = mha.kProj().forward(k);
        Tensor pv = mha.vProj().forward(v);
        int dh = mha.embedDim() / mha.heads();
        Tensor[] heads = new Tensor[mha.heads()];
        for (int h = 0; h < mha.heads(); h++) {
            heads[h] = Attention.scaledDotProduct(pq.slice(2, h * dh, (h + 1) * dh), pk.slice(2, h * dh, (h + 1) * dh),
                    pv.slice(2, h * dh, (h + 1) * dh), mask, causal);
        }
        return mha.outProj().forward(Shapes.concat(2, heads));
    }

    @Test
    void multiHeadAttentionIsAttentionPerHead() {
        SplittableRandom r = SEED.random("mha");
        MultiHeadAttention mha = new MultiHeadAttention(6, 3, r);
        assertEquals(List.of("q_proj.weight", "q_proj.bias", "k_proj.weight", "k_proj.bias", "v_proj.weight", "v_proj.bias",
                "out_proj.weight", "out_proj.bias"), List.copyOf(mha.namedParameters().keySet()));
        Tensor q = f32(r, 2, 4, 6);
        Tensor kv = f32(r, 2, 5, 6);
        Tensor pad = Attention.keyPaddingMask(Tensor.ofInts(new int[] {5, 2}), 5);
        Tensor out = mha.forward(q, kv, kv, pad, false);
        assertArrayEquals(new int[] {2, 4, 6}, out.shape());
        TestSeed.assertClose(byHand(mha, q, kv, kv, pad, false).toDoubleArray(), out.toDoubleArray(), 1e-5, "cross-attention");
        Tensor x = f32(r, 2, 5, 6);
        TestSeed.assertClose(byHand(mha, x, x, x, pad, true).toDoubleArray(), mha.forward(x, pad, true).toDoubleArray(), 1e-5,
                "causal self-attention with padding");
        Tensor shared = Attention.causalMask(5, 5);
        TestSeed.assertClose(mha.forward(x, null, true).toDoubleArray(), mha.forward(x, shared, false).toDoubleArray(), 1e-6,
                "a [T, T] mask applies to every row and head");
    }

    @Test
    void causalSelfAttentionIgnoresTheFuture() {
        SplittableRandom r = SEED.random("future");
        MultiHeadAttention mha = new MultiHeadAttention(4, 2, r);
        Tensor x = f32(r, 1, 6, 4);
        Tensor changed = x.copy();
        for (int j = 0; j < 4; j++) {
            changed.set(9, 0, 4, j);
        }
        Tensor a = mha.forward(x, null, true);
        Tensor b = mha.forward(changed, null, true);
        for (int t = 0; t < 6; t++) {
            for (int j = 0; j < 4; j++) {
                if (t < 4) {
                    assertEquals(a.get(0, t, j), b.get(0, t, j), 1e-6, "position " + t + " must not see position 4");
                }
            }
        }
        assertTrue(Math.abs(a.get(0, 5, 0) - b.get(0, 5, 0)) > 1e-6);
    }

    @Test
    void multiHeadAttentionDropoutGradientsAndStateDict() {
        SplittableRandom r = SEED.random("mhaGrads");
        MultiHeadAttention dropping = new MultiHeadAttention(4, 2, true, 0.5f, r);
        Tensor x = f32(r, 2, 5, 4);
        assertFalse(java.util.Arrays.equals(dropping.forward(x, null, false).toFloatArray(),
                dropping.forward(x, null, false).toFloatArray()));
        dropping.eval();
        assertArrayEquals(dropping.forward(x, null, false).toFloatArray(), dropping.forward(x, null, false).toFloatArray());

        MultiHeadAttention mha = NnTesting.inF64(() -> new MultiHeadAttention(6, 2, r));
        Tensor pad = Attention.keyPaddingMask(Tensor.ofInts(new int[] {3, 0}), 3);
        NnTesting.gradCheck("MultiHeadAttention", mha, in -> mha.forward(in[0], in[1], in[1], pad, true),
                f64(r, 2, 3, 6), f64(r, 2, 3, 6));
        NnTesting.assertStateDictRoundTrip(seed -> new MultiHeadAttention(4, 2, new SplittableRandom(seed)),
                m -> m.forward(x, null, true));

        var e = assertThrows(IllegalArgumentException.class, () -> new MultiHeadAttention(6, 4, r));
        assertTrue(e.getMessage().contains("multiple"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> mha.forward(Tensor.zeros(2, 3, 5), null, false));
        assertTrue(e.getMessage().contains("[B, T, 6]"), e.getMessage());
    }
}
