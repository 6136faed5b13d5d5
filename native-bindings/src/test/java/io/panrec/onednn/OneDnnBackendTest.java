package io.panrec.onednn;

import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.backend.ConvSpec;
import io.panrec.ops.Elementwise;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.BackendConformance;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * oneDNN against the reference: every kernel through {@link BackendConformance}, plus what is oneDNN's
 * own (fused linear, the primitive cache, threads, validation before native calls). These run in CI: the
 * library comes from the Maven Central jar, so they must not skip.
 */
class OneDnnBackendTest extends BackendConformance {

    @Override
    protected Backend candidate() {
        assertTrue(OneDnnLibrary.availability().available(), "oneDNN must load in CI: " + OneDnnLibrary.availability());
        // small test tensors must still reach oneDNN, not the small-op shortcut to the fallback
        return ((OneDnnBackend) Backends.named("onednn")).minElements(0);
    }

    private OneDnnBackend dnn() {
        return (OneDnnBackend) cand;
    }

    @Test
    void isTheDefaultBackendAndReportsItsVersion() {
        assertEquals("onednn", Backends.defaultBackend().name());
        assertTrue(OneDnnLibrary.version().startsWith("3."), OneDnnLibrary.version());
    }

    @Test
    void fusedLinearMatchesMatmulBiasRelu() {
        Tensor x = rand.f32(37, 29), w = rand.f32(13, 29), bias = rand.f32(13);
        Tensor out = Tensor.zeros(37, 13);
        dnn().linear(x, w, bias, true, out);
        Tensor expected;
        try (var r = Backends.use("reference")) {
            expected = Elementwise.relu(io.panrec.ops.Linalg.linear(x, w, bias));
        }
        rand.assertClose("linear+bias+relu", expected, out, 29);
    }

    @Test
    void aRepeatedCallCreatesNoPrimitive() {
        Tensor x = rand.f32(2, 3, 13, 11), w = rand.f32(5, 3, 3, 3), y = Tensor.zeros(2, 5, 11, 9);
        Tensor lx = rand.f32(31, 17), lw = rand.f32(23, 17), lb = rand.f32(23), lo = Tensor.zeros(31, 23);
        dnn().conv2d(x, w, null, y, ConvSpec.of(1, 0));
        dnn().linear(lx, lw, lb, true, lo);
        long created = dnn().primitivesCreated();
        assertTrue(created >= 2);
        for (int i = 0; i < 5; i++) {
            dnn().conv2d(rand.f32(2, 3, 13, 11), w, null, y, ConvSpec.of(1, 0));
            dnn().linear(rand.f32(31, 17), lw, lb, true, lo);
        }
        assertEquals(created, dnn().primitivesCreated());
        // a strided layout dnnl_sgemm cannot take uses the cached matmul primitive, also created once
        Tensor a = rand.f32(1, 9, 2, 7).view(new int[] {1, 9, 7}, new long[] {126, 14, 2}, 0);
        Tensor b = rand.f32(1, 7, 5), c = Tensor.zeros(1, 9, 5);
        dnn().matmul(a, b, c, 1f, 0f);
        long afterMatmul = dnn().primitivesCreated();
        assertEquals(created + 1, afterMatmul);
        dnn().matmul(a, b, c, 1f, 0f);
        assertEquals(afterMatmul, dnn().primitivesCreated());
        Tensor c0 = Tensor.zeros(1, 9, 5);
        ref.matmul(a, b, c0, 1f, 0f);
        rand.assertClose("matmul through the primitive", c0, c, 7);
    }

    @Test
    void badInputIsRejectedInJavaBeforeAnyNativeCall() {
        Tensor a = rand.f32(1, 4, 5), b = rand.f32(1, 6, 7), c = Tensor.zeros(1, 4, 7);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dnn().matmul(a, b, c, 1f, 0f));
        assertTrue(e.getMessage().contains("matmul"), e.getMessage());
        Tensor closed;
        try (Scope s = Scope.open("short")) {
            closed = rand.f32(1, 4, 5);
        }
        Tensor finalClosed = closed;
        assertThrows(IllegalStateException.class, () -> dnn().matmul(finalClosed, rand.f32(1, 5, 7), c, 1f, 0f));
        assertThrows(IllegalArgumentException.class,
                () -> dnn().conv2d(rand.f32(1, 3, 5, 5), rand.f32(2, 4, 3, 3), null, Tensor.zeros(1, 2, 3, 3), ConvSpec.of(1, 0)));
        assertThrows(IllegalArgumentException.class, () -> dnn().linear(rand.f32(3, 4), rand.f32(2, 5), null, false, Tensor.zeros(3, 2)));
    }

    @Test
    void manyThreadsGiveWhatOneThreadGives() throws Exception {
        Tensor w = rand.f32(1, 64, 48);
        Tensor cw = rand.f32(8, 4, 3, 3);
        Tensor[] inputs = new Tensor[8];
        Tensor[] images = new Tensor[8];
        float[][] single = new float[8][];
        float[][] singleConv = new float[8][];
        for (int i = 0; i < 8; i++) {
            inputs[i] = rand.f32(1, 33, 64);
            images[i] = rand.f32(2, 4, 9, 9);
            Tensor o = Tensor.zeros(1, 33, 48);
            dnn().matmul(inputs[i], w, o, 1f, 0f);
            single[i] = o.toFloatArray();
            Tensor oc = Tensor.zeros(2, 8, 9, 9);
            dnn().conv2d(images[i], cw, null, oc, ConvSpec.of(1, 1));
            singleConv[i] = oc.toFloatArray();
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int rep = 0; rep < 25; rep++) {
                for (int i = 0; i < 8; i++) {
                    int k = i;
                    fs.add(pool.submit(() -> {
                        Tensor o = Tensor.zeros(1, 33, 48);
                        dnn().matmul(inputs[k], w, o, 1f, 0f);
                        assertArrayEquals(single[k], o.toFloatArray());
                        Tensor oc = Tensor.zeros(2, 8, 9, 9);
                        dnn().conv2d(images[k], cw, null, oc, ConvSpec.of(1, 1));
                        assertArrayEquals(singleConv[k], oc.toFloatArray());
                    }));
                }
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void everyBoundPrimitiveIsReallyBuiltByOneDnn() {
        convolutionForwardAndBackward();
        poolingForwardAndBackward();
        layerNormForwardAndBackward();
        eltwiseForwardAndBackward();
        binaryWithBroadcastAndStrides();
        reductionsOverEveryAxisPattern();
        softmaxForwardAndBackward();
        matmulOddSizesTransposedBroadcastAlphaBeta();
        fusedLinearMatchesMatmulBiasRelu();
        gatherScatterCopyFill();
        var kinds = dnn().primitiveKinds();
        for (String k : List.of("matmul", "linear", "eltwise", "eltwise_bwd", "binary", "reduction", "softmax", "softmax_bwd",
                "conv_fwd", "conv_bwd_data", "conv_bwd_weights", "pool_fwd", "pool_bwd", "lnorm_fwd", "lnorm_bwd")) {
            assertTrue(kinds.get("built").contains(k), k + " never ran on oneDNN: " + kinds);
        }
        System.out.println("oneDNN primitive kinds: " + kinds);
    }

}
