package io.panrec.nn;

import io.panrec.io.SafeTensors;
import io.panrec.io.SafeTensorsFile;
import io.panrec.tensor.DType;
import io.panrec.tensor.MemoryStats;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Module tree: names, order, sharing, modes, gradients, state dicts and parameter placement. */
class ModuleTest {

    /** A small two-tower-like model with nested modules, a shared (tied) submodule and a buffer. */
    static final class Tower extends Module {
        final Embedding items;
        final MLP encoder;
        final Linear head;
        final Tensor counts;

        Tower(SplittableRandom random) {
            items = registerModule("items", new Embedding(7, 4, random));
            encoder = registerModule("encoder", new MLP(new int[] {4, 5, 3}, Activation.TANH, 0.5f, false, random));
            head = registerModule("head", new Linear(3, 1, random));
            registerModule("tied", items); // the same table under a second name
            counts = registerBuffer("counts", Tensor.zeros(Scope.global(), DType.I64, 7));
        }

        Tensor forward(Tensor ids) {
            return head.forward(encoder.forward(items.forward(ids)));
        }
    }

    @Test
    void namesAreDottedAndOrderedByRegistration() {
        Tower t = new Tower(new SplittableRandom(1));
        assertEquals(List.of("items.weight", "encoder.layers.0.weight", "encoder.layers.0.bias", "encoder.layers.1.weight",
                "encoder.layers.1.bias", "head.weight", "head.bias"), List.copyOf(t.namedParameters().keySet()));
        assertEquals(List.of("counts", "items.weight", "encoder.layers.0.weight", "encoder.layers.0.bias",
                "encoder.layers.1.weight", "encoder.layers.1.bias", "head.weight", "head.bias", "tied.weight"),
                List.copyOf(t.stateDict().keySet()));
        assertTrue(t.stateDict().containsKey("tied.weight"), "a shared parameter is saved under each of its names");
        assertTrue(t.stateDict().containsKey("counts"));
        assertEquals(List.of("items", "encoder", "encoder.layers", "encoder.layers.0", "encoder.layers.1", "encoder.dropout",
                "head", "tied"), List.copyOf(t.namedModules().keySet()));
        // shared parameters are counted and listed once
        assertEquals(7 * 4 + 4 * 5 + 5 + 5 * 3 + 3 + 3 + 1, t.numParameters());
        assertEquals(7, t.parameters().size());
        assertSame(t.items.weight(), t.parameters().get(0));
        String tree = t.toString();
        assertTrue(tree.contains("head: Linear [weight[1, 3], bias[1]]"), tree);
    }

    @Test
    void frozenParametersAreNotHandedToOptimizers() {
        Tower t = new Tower(new SplittableRandom(1));
        t.namedParameterHolders().get("items.weight").trainable(false);
        assertEquals(6, t.parameters().size());
        assertEquals(7, t.namedParameters().size());
        assertFalse(t.parameters().contains(t.items.weight()));
        assertTrue(t.toString().contains("frozen"));
    }

    @Test
    void trainAndEvalReachEverySubmodule() {
        Tower t = new Tower(new SplittableRandom(1));
        assertTrue(t.isTraining());
        t.eval();
        for (Module m : t.namedModules().values()) {
            assertFalse(m.isTraining(), m.getClass().getSimpleName());
        }
        Tensor ids = Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 6}, 6);
        assertArrayEquals(t.forward(ids).toFloatArray(), t.forward(ids).toFloatArray(), "eval is deterministic");
        t.train();
        assertTrue(t.encoder.layers().get(1).isTraining());
    }

    @Test
    void zeroGradClearsDenseAndSparseGradients() {
        SplittableRandom r = new SplittableRandom(3);
        Embedding e = new Embedding(5, 2, -1, true, r);
        Linear l = new Linear(2, 1, r);
        Sequential s = new Sequential(e, l);
        s.forward(Tensor.ofInts(new int[] {1, 3}, 2)).sum().backward();
        assertFalse(e.weight().sparseGrad().isEmpty());
        assertTrue(l.weight().grad().toDoubleArray()[0] != 0);
        s.zeroGrad();
        assertTrue(e.weight().sparseGrad().isEmpty());
        assertArrayEquals(new double[2], l.weight().grad().toDoubleArray());
    }

    @Test
    void stateDictLoadChecksEveryKeyBeforeWriting() {
        Tower a = new Tower(new SplittableRandom(1));
        Tower b = new Tower(new SplittableRandom(2));
        double[] before = b.head.weight().toDoubleArray();

        Map<String, Tensor> wrongShape = new HashMap<>(a.stateDict());
        wrongShape.put("encoder.layers.1.weight", Tensor.zeros(5, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(wrongShape));
        assertTrue(e.getMessage().contains("'encoder.layers.1.weight'") && e.getMessage().contains("[5, 3]")
                && e.getMessage().contains("[3, 5]"), e.getMessage());
        assertArrayEquals(before, b.head.weight().toDoubleArray(), "a failed load changes nothing");

        Map<String, Tensor> partial = new HashMap<>(a.stateDict());
        partial.remove("head.bias");
        partial.put("head.scale", Tensor.zeros(1));
        e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(partial));
        assertTrue(e.getMessage().contains("missing keys [head.bias]") && e.getMessage().contains("unexpected keys [head.scale]"),
                e.getMessage());
        assertArrayEquals(before, b.head.weight().toDoubleArray());

        Module.LoadResult result = b.loadStateDict(partial, false);
        assertEquals(List.of("head.bias"), result.missingKeys());
        assertEquals(List.of("head.scale"), result.unexpectedKeys());
        assertArrayEquals(a.head.weight().toDoubleArray(), b.head.weight().toDoubleArray());
        assertFalse(a.head.bias().toDoubleArray()[0] == b.head.bias().toDoubleArray()[0]);
    }

    @Test
    void stateDictLoadsAcrossDtypesAndKeepsTensorIdentity() {
        Tower a = new Tower(new SplittableRandom(1));
        a.counts.set(42, 3);
        Tower b = NnTesting.inF64(() -> new Tower(new SplittableRandom(2)));
        assertEquals(DType.F64, b.head.weight().dtype());
        Tensor identity = b.head.weight();
        b.loadStateDict(a.stateDict());
        assertSame(identity, b.head.weight(), "optimizers hold the parameter tensors: loading copies into them");
        assertArrayEquals(a.head.weight().toDoubleArray(), b.head.weight().toDoubleArray(), 0.0);
        assertEquals(42, b.counts.get(3));
    }

    @Test
    void stateDictRoundTripsThroughSafetensors(@TempDir Path dir) throws Exception {
        Tower a = new Tower(new SplittableRandom(1));
        Tower b = new Tower(new SplittableRandom(2));
        a.eval();
        b.eval();
        Path file = dir.resolve("weights.safetensors");
        SafeTensors.write(file, a.stateDict());
        Tensor ids = Tensor.ofLongs(new long[] {0, 6, 2}, 3);
        try (Scope s = Scope.open("load"); SafeTensorsFile f = SafeTensors.read(file, s)) {
            b.loadStateDict(f.tensors());
        }
        assertArrayEquals(a.forward(ids).toFloatArray(), b.forward(ids).toFloatArray(), 0f);
    }

    @Test
    void registrationRejectsBadNames() {
        Module m = new Module() {
            {
                registerParameter("w", Parameter.zeros(2));
                var e = assertThrows(IllegalArgumentException.class, () -> registerParameter("w", Parameter.zeros(2)));
                assertTrue(e.getMessage().contains("already registered"));
                assertThrows(IllegalArgumentException.class, () -> registerModule("a.b", new Dropout(0.1f, new SplittableRandom())));
                assertThrows(IllegalArgumentException.class, () -> registerBuffer("", Tensor.zeros(1)));
            }
        };
        assertEquals(1, m.parameters().size());
    }

    @Test
    void placementsChooseScopeAndDtypeAndClosingTheScopeFreesTheModel() {
        long live = MemoryStats.scopedLiveBytes();
        Scope modelScope = Scope.global().child("model");
        Linear l;
        try (var p = Parameter.placement(modelScope, DType.F64)) {
            l = new Linear(100, 50, new SplittableRandom(1));
            assertEquals(DType.F64, Parameter.current().dtype());
        }
        assertEquals(DType.F32, Parameter.current().dtype());
        assertSame(modelScope, l.weight().scope());
        assertEquals(DType.F64, l.weight().dtype());
        assertTrue(modelScope.allocatedBytes() >= 100 * 50 * 8);
        // a model built inside a short-lived step scope outlives it (default placement: global)
        Linear outlives;
        try (Scope step = Scope.open("step")) {
            outlives = new Linear(3, 2, new SplittableRandom(1));
        }
        assertTrue(outlives.weight().isAlive());
        modelScope.close();
        assertFalse(l.weight().isAlive());
        assertTrue(MemoryStats.scopedLiveBytes() <= live + 4096, "closing the model scope frees its parameters");
        var e = assertThrows(IllegalStateException.class, () -> l.forward(Tensor.zeros(1, 100)));
        assertTrue(e.getMessage().contains("model"), e.getMessage());
    }

    @Test
    void parameterOfWrapsLeavesOnly() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Parameter p = Parameter.of(t);
        assertSame(t, p.value());
        assertTrue(t.requiresGrad());
        assertThrows(IllegalArgumentException.class, () -> Parameter.of(t.mul(2f)));
        assertThrows(IllegalArgumentException.class, () -> Parameter.of(Tensor.ofInts(new int[] {1})));
        Tensor plain = Tensor.zeros(2, 3);
        assertThrows(IllegalArgumentException.class, () -> Parameter.of(plain.t()));
        assertNull(new Linear(2, 2, false, new SplittableRandom(1)).bias());
    }
}
