package io.panrec.onednn;

import io.panrec.backend.Backend;
import io.panrec.backend.Backends;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.PoolSpec;
import io.panrec.backend.UnaryOp;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.ops.Elementwise;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import io.panrec.testing.BackendConformance;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        // on a machine with a usable GPU the cuda backend (rank 300) is the default instead
        boolean gpu = Backends.providers().stream().anyMatch(p -> p.name().equals("cuda") && p.availability().available());
        assertEquals(gpu ? "cuda" : "onednn", Backends.defaultBackend().name());
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

    /**
     * The opt-in bf16 inference math: products of operands rounded to bfloat16 (8 significant bits), sums in
     * f32. Against the f32 result the error per output is bounded by about 2 * 2^-8 of sum |x_k w_k|.
     */
    @Test
    void bf16InferenceMathStaysWithinBfloat16Rounding() {
        OneDnnBackend bf16 = new OneDnnBackend(Backends.bestPureJava()).inferenceMath("bf16");
        Tensor x = rand.f32(203, 67), w = rand.f32(45, 67), bias = rand.f32(45);
        Tensor out = Tensor.zeros(203, 45);
        bf16.linear(x, w, bias, false, out);
        float[] xs = x.toFloatArray(), ws = w.toFloatArray(), b = bias.toFloatArray(), got = out.toFloatArray();
        for (int i = 0; i < 203; i++) {
            for (int j = 0; j < 45; j++) {
                double exact = b[j], magnitude = 0;
                for (int k = 0; k < 67; k++) {
                    exact += (double) xs[i * 67 + k] * ws[j * 67 + k];
                    magnitude += Math.abs((double) xs[i * 67 + k] * ws[j * 67 + k]);
                }
                assertEquals(exact, got[i * 45 + j], 2.0 / 256 * magnitude + 1e-5, "out[" + i + ", " + j + "]");
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bf16.inferenceMath("fp8"));
        assertTrue(e.getMessage().contains("strict or bf16"), e.getMessage());
    }

    @Test
    void linearUsesTheFusedKernelOnlyWithoutGradients() {
        Tensor w = rand.f32(13, 29), bias = rand.f32(13);
        for (int[] xs : new int[][] {{37, 29}, {3, 5, 29}, {29}, {1, 29}}) {
            Tensor x = rand.f32(xs);
            for (Tensor b : new Tensor[] {bias, null}) {
                Tensor expected, expectedRelu;
                try (var r = Backends.use("reference")) {
                    expected = io.panrec.ops.Linalg.linear(x, w, b);
                    expectedRelu = Elementwise.relu(expected);
                }
                try (var d = Backends.use(dnn()); var g = io.panrec.autograd.Autograd.noGrad()) {
                    Tensor y = io.panrec.ops.Linalg.linear(x, w, b);
                    Tensor yr = io.panrec.ops.Linalg.linearRelu(x, w, b);
                    assertArrayEquals(expected.shape(), y.shape());
                    rand.assertClose("fused linear " + java.util.Arrays.toString(xs), expected, y, 29);
                    rand.assertClose("fused linear+relu " + java.util.Arrays.toString(xs), expectedRelu, yr, 29);
                    // a non-contiguous input takes the unfused kernels, with the same result
                    Tensor xt = x.rank() == 2 ? rand.f32(29, xs[0]).t() : null;
                    if (xt != null) {
                        Tensor e2;
                        try (var r = Backends.use("reference")) {
                            e2 = io.panrec.ops.Linalg.linear(xt, w, b);
                        }
                        rand.assertClose("linear of a transposed input", e2, io.panrec.ops.Linalg.linear(xt, w, b), 29);
                    }
                }
            }
        }
        // with gradients the separate, recorded ops run: the fused kernel has no gradient rule
        Tensor x = rand.f32(7, 29).requiresGrad(true);
        try (var d = Backends.use(dnn())) {
            Tensor y = io.panrec.ops.Linalg.linearRelu(x, w, bias);
            assertTrue(y.requiresGrad() && y.gradFn() != null);
            y.sum().backward();
            assertTrue(x.grad() != null);
        }
    }

    @Test
    void onlyTrailingReductionsOfLongRowsGoToOneDnn() {
        // the others ran oneDNN's reference implementation, far slower than the fallback (OneDnnBackend.jitReduction)
        assertTrue(OneDnnBackend.jitReduction(Tensor.zeros(7, 300), Tensor.zeros(7, 1)));
        assertTrue(OneDnnBackend.jitReduction(Tensor.zeros(5, 3, 200), Tensor.zeros(5, 1, 1)));
        assertTrue(OneDnnBackend.jitReduction(Tensor.zeros(5, 1, 200), Tensor.zeros(5, 1, 1)));
        assertFalse(OneDnnBackend.jitReduction(Tensor.zeros(1000, 2, 16), Tensor.zeros(1000, 1, 16)), "a middle axis");
        assertFalse(OneDnnBackend.jitReduction(Tensor.zeros(300, 7), Tensor.zeros(1, 7)), "a leading axis");
        assertFalse(OneDnnBackend.jitReduction(Tensor.zeros(1000, 16), Tensor.zeros(1000, 1)), "rows of 16");
        for (ReduceOp op : ReduceOp.values()) {
            Tensor x = rand.f32(5, 3, 200);
            Tensor o0 = Tensor.zeros(5, 1, 1), o1 = Tensor.zeros(5, 1, 1);
            ref.reduce(op, x, o0);
            dnn().reduce(op, x, o1);
            rand.assertClose(op + " over the trailing 600", o0, o1, 600);
            Tensor m0 = Tensor.zeros(5, 1, 200), m1 = Tensor.zeros(5, 1, 200);
            ref.reduce(op, x, m0);
            dnn().reduce(op, x, m1); // the fallback's
            rand.assertClose(op + " over the middle axis", m0, m1, 3);
        }
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
        // the pool's threads read the inputs (as search threads read a model's weights): a shared scope
        try (Scope shared = Scope.openShared("inputs of every thread")) {
            manyThreads();
        }
    }

    private void manyThreads() throws Exception {
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

    @Test
    void convolutionsMatchTheReferenceOnEveryLayoutPath() {
        // AUTO: plain layouts with oneDNN's gemm convolution (or, where only its reference loops take plain
        // layouts, the PREFERRED path); PREFERRED: its blocked layouts, reached through reorders and per-thread
        // staging buffers; PLAIN: its first implementation for plain layouts. Channel counts that are not
        // multiples of the 16-wide blocks leave the blocked layouts padded.
        try {
            for (OneDnnBackend.ConvLayouts mode : OneDnnBackend.ConvLayouts.values()) {
                dnn().convLayouts(mode);
                try {
                    convolutionForwardAndBackward();
                    convolutionShapesBeyondTheBasics();
                    halvingStack();
                } catch (AssertionError e) {
                    throw new AssertionError("convolution layouts " + mode + ": " + e.getMessage(), e);
                }
            }
        } finally {
            dnn().convLayouts(OneDnnBackend.ConvLayouts.AUTO);
        }
    }

    /** ConvNCF's layers on odd sizes: 2x2 kernels with stride 2 halving the map, one input channel, then C. */
    private void halvingStack() {
        int[][] layers = {{1, 5, 16}, {5, 5, 8}, {5, 5, 2}, {17, 19, 6}, {3, 33, 10}}; // {C, O, H = W}
        ConvSpec s = ConvSpec.of(2, 0);
        for (int[] l : layers) {
            int n = 3, oh = l[2] / 2;
            String what = "conv2d 2x2/2 " + l[0] + "->" + l[1] + " on " + l[2] + "x" + l[2];
            Tensor x = rand.f32(n, l[0], l[2], l[2]), w = rand.f32(l[1], l[0], 2, 2), bias = rand.f32(l[1]);
            Tensor y0 = Tensor.zeros(n, l[1], oh, oh), y1 = rand.f32(n, l[1], oh, oh); // outputs are overwritten
            ref.conv2d(x, w, bias, y0, s);
            cand.conv2d(x, w, bias, y1, s);
            rand.assertClose(what, y0, y1, l[0] * 4);
            Tensor g = rand.f32(n, l[1], oh, oh);
            Tensor gx0 = like(x), gx1 = rand.f32(x.shape());
            ref.conv2dBackwardData(g, w, gx0, s);
            cand.conv2dBackwardData(g, w, gx1, s);
            rand.assertClose(what + " backward data", gx0, gx1, l[1]);
            Tensor gw0 = like(w), gw1 = rand.f32(w.shape()), gb0 = like(bias), gb1 = rand.f32(bias.shape());
            ref.conv2dBackwardWeights(x, g, gw0, gb0, s);
            cand.conv2dBackwardWeights(x, g, gw1, gb1, s);
            rand.assertClose(what + " backward weights", gw0, gw1, n * oh * oh);
            rand.assertClose(what + " backward bias", gb0, gb1, n * oh * oh);
        }
    }

    @Test
    void plainConvolutionsDoNotRunOnOneDnnsReferenceLoops() {
        // oneDNN's first choice for plain NCHW training convolutions wraps its reference loops, which made a
        // ConvNCF epoch take hours; the backend must step past it (a fresh backend: only these shapes)
        OneDnnBackend fresh = new OneDnnBackend(Backends.bestPureJava());
        ConvSpec[] specs = {ConvSpec.of(2, 0), ConvSpec.of(1, 1)};
        int[][] shapes = {{1, 32, 16}, {32, 32, 8}, {5, 7, 9}}; // {C, O, H = W}
        for (ConvSpec s : specs) {
            for (int[] l : shapes) {
                int k = s.strideH() == 2 ? 2 : 3;
                int oh = ConvSpec.outputSize(l[2], k, s.strideH(), s.padH(), 1);
                Tensor x = rand.f32(4, l[0], l[2], l[2]), w = rand.f32(l[1], l[0], k, k), bias = rand.f32(l[1]);
                Tensor y = Tensor.zeros(4, l[1], oh, oh);
                fresh.conv2d(x, w, bias, y, s);
                fresh.conv2dBackwardData(y, w, Tensor.zeros(x.shape()), s);
                fresh.conv2dBackwardWeights(x, y, Tensor.zeros(w.shape()), Tensor.zeros(l[1]), s);
            }
        }
        var impls = fresh.implementations();
        for (String kind : List.of("conv_fwd", "conv_bwd_data", "conv_bwd_weights")) {
            assertTrue(impls.containsKey(kind), kind + " never ran on oneDNN: " + impls);
            for (String impl : impls.get(kind)) {
                assertFalse(OneDnnBackend.isReference(impl), kind + " runs on oneDNN's reference loops (" + impl + "): " + impls);
            }
        }
    }

    @Test
    void maxPoolingTiesGoToTheFirstMaximumAsInTheReference() {
        // after a relu most of a map is 0: windows full of equal maxima, where an argmax rule shows
        for (PoolSpec p : new PoolSpec[] {new PoolSpec(PoolSpec.Kind.MAX, 2, 2, 2, 2, 0, 0, false),
                new PoolSpec(PoolSpec.Kind.MAX, 3, 3, 1, 1, 1, 1, false), new PoolSpec(PoolSpec.Kind.MAX, 3, 2, 2, 1, 1, 1, false)}) {
            Tensor x = Tensor.zeros(3, 5, 11, 10);
            float[] v = rand.f32(3, 5, 11, 10).toFloatArray();
            for (int i = 0; i < v.length; i++) {
                x.set(Math.max(0, Math.round(v[i] * 2)), i / 550, i / 110 % 5, i / 10 % 11, i % 10); // values 0, 1, 2
            }
            Tensor y = Tensor.zeros(3, 5, p.outputH(11), p.outputW(10));
            ref.pool2d(p, x, y);
            Tensor g = rand.f32(y.shape());
            Tensor g0 = like(x), g1 = like(x);
            ref.pool2dBackward(p, x, y, g, g0);
            dnn().pool2dBackward(p, x, y, g, g1);
            // overlapping windows sum up to 9 gradients (in double in the reference): a wrong argmax is off by a whole one
            rand.assertClose("max pool backward with ties " + p, g0, g1, 9);
        }
    }

    @Test
    void aBoundedCacheEvictsAndStaysCorrectUnderThreads() throws Exception {
        OneDnnBackend small = new OneDnnBackend(Backends.bestPureJava()).minElements(0).cacheCapacity(8);
        long destroyedBefore = Dnnl.destroyedCount();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int round = 0; round < 3; round++) {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    int seed = t;
                    fs.add(pool.submit(() -> {
                        io.panrec.testing.Rand tr = new io.panrec.testing.Rand(rand.seed + seed); // SplittableRandom is not thread-safe
                        for (int rows = 1; rows <= 24; rows++) {
                            int r = (rows * 7 + seed * 5) % 24 + 1; // each thread walks the shapes in its own order
                            Tensor x = tr.f32(r, 9);
                            Tensor y0 = like(x), y1 = like(x);
                            ref.unary(UnaryOp.TANH, 0f, x, y0);
                            small.unary(UnaryOp.TANH, 0f, x, y1);
                            tr.assertClose("tanh " + r + "x9 with evictions", y0, y1, 1);
                            // a strided matmul: the primitive path, not dnnl_sgemm
                            Tensor a = tr.f32(1, r, 2, 5).view(new int[] {1, r, 5}, new long[] {10L * r, 10, 2}, 0);
                            Tensor b = tr.f32(1, 5, 4), c0 = Tensor.zeros(1, r, 4), c1 = Tensor.zeros(1, r, 4);
                            ref.matmul(a, b, c0, 1f, 0f);
                            small.matmul(a, b, c1, 1f, 0f);
                            tr.assertClose("strided matmul " + r + " with evictions", c0, c1, 5);
                        }
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
                System.gc(); // evicted entries no call holds any more: their destructors may run under later calls
            }
        } finally {
            pool.shutdown();
        }
        assertTrue(small.cacheSize() <= 8, "cache holds " + small.cacheSize());
        assertTrue(small.evictions() > 0, "48 shapes through a cache of 8 must evict");
        // evicted primitives are destroyed once the GC finds them unreachable
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Dnnl.destroyedCount() == destroyedBefore && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(Dnnl.destroyedCount() > destroyedBefore, "evicted entries were never destroyed");
    }

    @Test
    void wrongDtypesDevicesLayoutsAndForeignMemoryAreRefusedBeforeNativeCode() {
        // a fused linear has no fallback: anything but plain F32 is refused with the shapes
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dnn().linear(Tensor.zeros(DType.F64, 3, 4), rand.f32(2, 4), null, false, Tensor.zeros(3, 2)));
        assertTrue(e.getMessage().contains("linear") && e.getMessage().contains("F32"), e.getMessage());
        // device memory is never handed to the CPU engine
        Tensor onGpu = Tensor.onDevice(MemorySegment.ofAddress(4096), io.panrec.tensor.Scope.global(), Device.cuda(0), DType.F32, 1, 4, 5);
        e = assertThrows(IllegalArgumentException.class, () -> dnn().matmul(onGpu, rand.f32(1, 5, 2), Tensor.zeros(1, 4, 2), 1f, 0f));
        assertTrue(e.getMessage().contains("host memory"), e.getMessage());
        // conv and pooling take contiguous tensors (the SPI's contract): a transposed view is refused, not misread
        Tensor xt = rand.f32(1, 3, 6, 6).transpose(2, 3);
        e = assertThrows(IllegalArgumentException.class,
                () -> dnn().conv2d(xt, rand.f32(2, 3, 3, 3), null, Tensor.zeros(1, 2, 4, 4), ConvSpec.of(1, 0)));
        assertTrue(e.getMessage().contains("contiguous"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> dnn().pool2d(new PoolSpec(PoolSpec.Kind.MAX, 2, 2, 2, 2, 0, 0, false), xt, Tensor.zeros(1, 3, 3, 3)));
        assertTrue(e.getMessage().contains("contiguous"), e.getMessage());
        // a misaligned float view cannot even be made: memory from elsewhere is checked when wrapped
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment raw = arena.allocate(64, 64).asSlice(2);
            assertThrows(IllegalArgumentException.class,
                    () -> Tensor.wrap(raw, io.panrec.tensor.Scope.global(), DType.F32, 3, 4));
        }
        // a tensor of a closed scope is refused by every kind of kernel, the fused one included
        Tensor closed;
        try (io.panrec.tensor.Scope s = io.panrec.tensor.Scope.open("gone")) {
            closed = rand.f32(4, 9);
        }
        Tensor dead = closed;
        assertThrows(IllegalStateException.class, () -> dnn().unary(UnaryOp.RELU, 0f, dead, Tensor.zeros(4, 9)));
        assertThrows(IllegalStateException.class, () -> dnn().linear(dead, rand.f32(3, 9), null, true, Tensor.zeros(4, 3)));
        assertThrows(IllegalStateException.class, () -> dnn().softmax(dead, 1, false, Tensor.zeros(4, 9)));
    }

    /** Which views run on oneDNN's jitted element-wise kernels: dense ones, in any axis order; not slices with gaps. */
    @Test
    void denseViewsAreTheOnesWithoutGaps() {
        Tensor t = Tensor.zeros(5, 7);
        assertTrue(OneDnnBackend.dense(t));
        assertTrue(OneDnnBackend.dense(t.t()), "a transpose is dense in another order");
        assertTrue(OneDnnBackend.dense(t.slice(0, 1, 3)), "whole rows");
        assertFalse(OneDnnBackend.dense(t.slice(1, 0, 4)), "a column slice leaves gaps");
        assertFalse(OneDnnBackend.dense(t.slice(1, 2, 3)), "one column: every 7th element");
        assertTrue(OneDnnBackend.dense(Tensor.zeros(1, 4).expand(1, 4)));
    }
}
