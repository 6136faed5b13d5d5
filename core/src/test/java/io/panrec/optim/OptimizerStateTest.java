package io.panrec.optim;

import io.panrec.io.SafeTensors;
import io.panrec.io.SafeTensorsFile;
import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

import static io.panrec.optim.OptimTesting.floats;
import static io.panrec.optim.OptimTesting.grad;
import static io.panrec.optim.OptimTesting.param;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptimizerStateTest {
    @TempDir
    Path dir;

    private static final List<Function<List<Tensor>, Optimizer>> KINDS = List.of(
            ps -> new SGD(ps, SGD.Config.of(0.1).withMomentum(0.9).withWeightDecay(0.01)),
            ps -> new Adam(ps, Adam.Config.of(0.01).withWeightDecay(0.001)),
            ps -> new AdamW(ps, 0.01),
            ps -> new Adagrad(ps, Adagrad.Config.of(0.1).withInitialAccumulator(0.1).withLrDecay(0.01)));

    @Test
    void aCheckpointedOptimizerResumesBitIdentically() throws IOException {
        long seed = System.nanoTime();
        for (var make : KINDS) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] a0 = OptimTesting.random(r, 6, 1);
            float[] b0 = OptimTesting.random(r, 3, 1);
            List<float[]> grads = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                grads.add(OptimTesting.random(r, 6, 1));
                grads.add(OptimTesting.random(r, 3, 1));
            }
            Tensor a = param(a0, 2, 3);
            Tensor b = param(b0, 3);
            Optimizer first = make.apply(List.of(a, b));
            for (int s = 0; s < 3; s++) {
                grad(a, grads.get(2 * s));
                grad(b, grads.get(2 * s + 1));
                first.step();
            }
            first.setLr(first.lr() * 0.5);
            Path ckpt = dir.resolve("opt-" + first.getClass().getSimpleName() + ".safetensors");
            Map<String, Tensor> weights = new HashMap<>(first.stateDict());
            weights.put("model.a", a);
            weights.put("model.b", b);
            SafeTensors.write(ckpt, weights, Map.of("optimizer", first.getClass().getSimpleName()));

            // a second run restores model and optimizer from the file
            Tensor a2;
            Tensor b2;
            Optimizer second;
            try (SafeTensorsFile f = SafeTensors.open(ckpt)) {
                a2 = param(floats(f.tensor("model.a")), 2, 3);
                b2 = param(floats(f.tensor("model.b")), 3);
                second = make.apply(List.of(a2, b2));
                Map<String, Tensor> state = new HashMap<>(f.tensors());
                state.remove("model.a");
                state.remove("model.b");
                second.loadStateDict(state);
            } // the file is unmapped here: the state was copied
            assertEquals(first.lr(), second.lr(), 0);
            assertEquals(3, second.iterations());
            assertEquals(3, second.steps(1));
            for (int s = 3; s < 10; s++) {
                grad(a, grads.get(2 * s));
                grad(b, grads.get(2 * s + 1));
                first.step();
                grad(a2, grads.get(2 * s));
                grad(b2, grads.get(2 * s + 1));
                second.step();
            }
            assertArrayEquals(floats(a), floats(a2), 0, first + " (seed " + seed + ")");
            assertArrayEquals(floats(b), floats(b2), 0, first + " (seed " + seed + ")");
        }
    }

    @Test
    void plainSgdKeepsOnlyItsCounters() {
        Tensor a = param(new float[] {1, 2}, 2);
        SGD first = new SGD(List.of(a), 0.1);
        grad(a, new float[] {1, 1});
        first.step();
        first.step();
        SGD second = new SGD(List.of(param(new float[] {1, 2}, 2)), 0.3);
        second.loadStateDict(first.stateDict());
        assertEquals(2, second.steps(0));
        assertEquals(2, second.iterations());
        assertEquals(0.1, second.lr(), 0);
    }

    @Test
    void badStateDictsAreRejectedAndChangeNothing() {
        Tensor a = param(new float[] {1, 2}, 2);
        Adam adam = new Adam(List.of(a), 0.1);
        grad(a, new float[] {1, 1});
        adam.step();
        float[] before = floats(adam.stateDict().get("param.0.exp_avg"));

        Tensor other = param(new float[] {1, 2}, 2);
        SGD sgd = new SGD(List.of(other), SGD.Config.of(0.1).withMomentum(0.5));
        grad(other, new float[] {1, 1});
        sgd.step();
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(sgd.stateDict()));
        assertTrue(kind.getMessage().contains("momentum_buffer"), kind.getMessage());

        Map<String, Tensor> state = new HashMap<>(adam.stateDict());
        state.put("param.0.exp_avg", Tensor.zeros(DType.F32, 3));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(state));
        assertTrue(shape.getMessage().contains("param.0.exp_avg") && shape.getMessage().contains("[3]"), shape.getMessage());

        Map<String, Tensor> missing = new HashMap<>(adam.stateDict());
        missing.remove("param.0.exp_avg_sq");
        assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(missing));

        Map<String, Tensor> tooMany = new HashMap<>(adam.stateDict());
        tooMany.put("param.5.step", Tensor.ofLongs(new long[] {1}, 1));
        assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(tooMany));

        Map<String, Tensor> negative = new HashMap<>(adam.stateDict());
        negative.put("param.0.step", Tensor.ofLongs(new long[] {-3}, 1));
        negative.put("lr", Tensor.ofDoubles(new double[] {0.7}, 1));
        assertThrows(IllegalArgumentException.class, () -> adam.loadStateDict(negative));
        assertEquals(0.1, adam.lr(), 0, "nothing applied from a rejected state");
        assertArrayEquals(before, floats(adam.stateDict().get("param.0.exp_avg")), 0);
        assertEquals(1, adam.steps(0));
    }

    @Test
    void parametersAreValidated() {
        Tensor ok = param(new float[] {1}, 1);
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(ok, ok), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(Tensor.of(new float[] {1}, 1)), 0.1),
                "no requiresGrad");
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(Tensor.ofInts(new int[] {1}, 1).requiresGrad(true)), 0.1));
        Tensor wide = param(new float[6], 2, 3);
        Tensor view = wide.view(new int[] {3, 2}, new long[] {1, 3}, 0);
        view.requiresGrad(true);
        IllegalArgumentException notContiguous = assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(view), 0.1));
        assertTrue(notContiguous.getMessage().contains("contiguous"), notContiguous.getMessage());
        Tensor dead;
        try (Scope s = Scope.open("closed-model")) {
            dead = param(s, new float[] {1}, 1);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Adagrad(List.of(dead), 0.1));
        assertTrue(e.getMessage().contains("closed-model"), e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> Adam.Config.of(0.1).withBetas(1.0, 0.9));
        assertThrows(IllegalArgumentException.class, () -> Adam.Config.of(-0.1));
        assertThrows(IllegalArgumentException.class, () -> SGD.Config.of(0.1).withNesterov(true));
        assertThrows(IllegalArgumentException.class, () -> Adagrad.Config.of(0.1).withEps(Double.NaN));

        SGD sgd = new SGD(List.of(ok), 0.1);
        ok.setGrad(Tensor.zeros(DType.F32, 2));
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class, sgd::step);
        assertTrue(g.getMessage().contains("[2]") && g.getMessage().contains("[1]"), g.getMessage());
    }

    @Test
    void aBadGradientOnALaterParameterLeavesEarlierOnesUnstepped() {
        Tensor a = param(new float[] {1, 2}, 2);
        Tensor b = param(new float[] {3}, 1);
        Adam opt = new Adam(List.of(a, b), 0.1);
        grad(a, new float[] {1, 1});
        b.setGrad(Tensor.zeros(DType.F64, 1));
        assertThrows(IllegalArgumentException.class, opt::step);
        assertArrayEquals(new float[] {1, 2}, floats(a), 0);
        assertEquals(0, opt.steps(0));
        assertEquals(0, opt.iterations());
    }

    @Test
    void parametersWithoutGradientsAreSkippedAndKeepTheirStepCount() {
        Tensor a = param(new float[] {1, 2}, 2);
        Tensor b = param(new float[] {3}, 1);
        Adam opt = new Adam(List.of(a, b), 0.1);
        grad(a, new float[] {1, -1});
        opt.step();
        opt.step();
        assertEquals(2, opt.steps(0));
        assertEquals(0, opt.steps(1));
        assertArrayEquals(new float[] {3}, floats(b), 0);
        assertTrue(opt.stateDict().containsKey("param.0.exp_avg"));
        assertTrue(!opt.stateDict().containsKey("param.1.exp_avg"), "no state for a parameter never updated");
    }

    @Test
    void zeroGradClearsInPlace() {
        Tensor a = param(new float[] {1, 2, 3}, 3);
        SGD opt = new SGD(List.of(a), 0.1);
        grad(a, new float[] {1, 2, 3});
        Tensor g = a.grad();
        opt.zeroGrad();
        assertSame(g, a.grad(), "the gradient's memory is reused, not reallocated");
        assertArrayEquals(new float[] {0, 0, 0}, floats(g), 0);
        opt.step(); // a zero gradient: plain SGD does not move
        assertArrayEquals(new float[] {1, 2, 3}, floats(a), 0);

        Tensor dead;
        try (Scope s = Scope.open("old-step")) {
            dead = Tensor.zeros(DType.F32, 3);
        }
        a.setGrad(dead);
        opt.zeroGrad();
        assertNull(a.grad(), "a gradient from a closed scope is dropped");
    }

    @Test
    void stateIsAllocatedOnceInTheParameterScope() {
        try (Scope model = Scope.open("model"); Scope params = model.child("params")) {
            Tensor a = param(params, new float[1000], 1000);
            Tensor g = Tensor.zeros(params, DType.F32, 1000);
            a.setGrad(g);
            long afterParams = params.allocatedBytes();
            Adam opt = new Adam(List.of(a), 0.1);
            long outer = model.allocatedBytes();
            opt.step();
            long afterFirst = params.allocatedBytes();
            assertEquals(afterParams + 2 * 4000, afterFirst, "two moments of 4000 bytes in the parameter's scope");
            for (int i = 0; i < 50; i++) {
                opt.zeroGrad();
                opt.step();
            }
            assertEquals(afterFirst, params.allocatedBytes(), "no allocation per step in the long-lived scope");
            assertEquals(outer, model.allocatedBytes(), "nothing allocated in the caller's scope either");
        }
    }
}
