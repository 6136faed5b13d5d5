package io.panrec.nn;

import io.panrec.autograd.Autograd;
import io.panrec.autograd.GradCheck;
import io.panrec.backend.Backends;
import io.panrec.ops.Elementwise;
import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Helpers shared by the nn tests. */
final class NnTesting {
    private NnTesting() {
    }

    /** A module holding the given ones as children "0", "1", ... (to step and zero them together). */
    static Module bundle(Module... modules) {
        return new Module() {
            {
                for (int i = 0; i < modules.length; i++) {
                    registerModule(Integer.toString(i), modules[i]);
                }
            }
        };
    }

    /** Builds a module with F64 parameters (for finite-difference checks). */
    static <M extends Module> M inF64(Supplier<M> build) {
        try (var ignored = Parameter.placement(Scope.global(), DType.F64)) {
            return build.get();
        }
    }

    /**
     * Finite-difference check of a module: f receives the given inputs (the module's parameters are
     * checked as well, as extra inputs f does not read).
     */
    static void gradCheck(String name, Module module, Function<Tensor[], Tensor> f, Tensor... inputs) {
        List<Tensor> all = new ArrayList<>(Arrays.asList(inputs));
        all.addAll(module.parameters());
        GradCheck.check(name, f, all.toArray(new Tensor[0]));
    }

    /** One plain SGD step over the module's trainable parameters (dense or row-sparse gradients). */
    static void sgdStep(Module module, double lr) {
        try (var ignored = Autograd.noGrad(); Scope s = Scope.open("sgd")) {
            for (Tensor p : module.parameters()) {
                Tensor g = p.grad();
                if (p.sparseGrad() != null && !p.sparseGrad().isEmpty()) {
                    Tensor sparse = p.sparseGrad().toDense();
                    g = g == null ? sparse : Elementwise.add(g, sparse);
                }
                if (g == null) {
                    continue;
                }
                Tensor next = Elementwise.sub(p, Elementwise.mul(g, (float) lr));
                Backends.current().copy(next, p);
            }
        }
        module.zeroGrad();
    }

    /**
     * Two modules from different seeds compute different outputs; after loading the first's state dict
     * into the second they compute the same.
     */
    static <M extends Module> void assertStateDictRoundTrip(Function<Long, M> build, Function<M, Tensor> forward) {
        M a = build.apply(1L);
        M b = build.apply(2L);
        a.eval();
        b.eval();
        double[] ya = forward.apply(a).toDoubleArray();
        assertFalse(Arrays.equals(ya, forward.apply(b).toDoubleArray()), "different seeds should give different outputs");
        b.loadStateDict(a.stateDict());
        assertArrayEquals(ya, forward.apply(b).toDoubleArray(), 0.0);
    }
}
