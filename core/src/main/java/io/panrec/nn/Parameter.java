package io.panrec.nn;

import io.panrec.ops.Checks;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * A trainable tensor of a {@link Module}: a leaf with {@code requiresGrad(true)}, contiguous, in memory
 * that lives as long as the model. The tensor itself changes identity only when {@link Module#to} moves it to
 * another device (optimizers keep references to it: create them after that); training and
 * {@link Module#loadStateDict} write into its memory.
 *
 * <p><b>Where parameters live.</b> By default parameters are F32 in {@link Scope#global()}, whose memory
 * the garbage collector frees once the model is unreachable, so a model built inside a short-lived
 * {@code Scope.open(...)} block outlives it. To put a model's parameters in a scope of your own (freed
 * deterministically when it closes) or to build it in F64 (gradient checks), build it inside a
 * {@linkplain #placement placement}:
 * <pre>{@code
 * Scope modelScope = Scope.global().child("model");
 * try (var p = Parameter.placement(modelScope, DType.F32)) {
 *     model = new MyModel(settings, random);
 * }
 * ...
 * modelScope.close();   // frees parameters, gradients and optimizer state
 * }</pre>
 * Gradients and optimizer state are allocated in the parameter's scope too.
 */
public final class Parameter {
    private static final ThreadLocal<Deque<Placement>> PLACEMENTS = ThreadLocal.withInitial(ArrayDeque::new);

    private Tensor value; // replaced only by Module.to(device)

    private Parameter(Tensor value) {
        this.value = value;
    }

    /** A zero-filled parameter of this shape, in the current placement; initialise it with {@link Init}. */
    public static Parameter zeros(int... shape) {
        Placement p = current();
        Tensor t = Tensor.zeros(p.scope(), p.dtype(), shape);
        return new Parameter(t.requiresGrad(true));
    }

    /**
     * Makes an existing tensor a parameter (e.g. pretrained weights). It must be a floating-point,
     * contiguous leaf (on any device); it is marked {@code requiresGrad(true)} and used as is, not copied.
     */
    public static Parameter of(Tensor tensor) {
        Objects.requireNonNull(tensor, "parameter tensor");
        Checks.alive("Parameter.of", tensor);
        if (!tensor.dtype().isFloating()) {
            throw new IllegalArgumentException("Parameter.of: " + tensor.describe() + " is not floating point; ids and "
                    + "counts belong in buffers (Module.registerBuffer)");
        }
        if (!tensor.isLeaf()) {
            throw new IllegalArgumentException("Parameter.of: " + tensor.describe()
                    + " is the result of an op; pass a leaf (detach() it, or copy it under Autograd.noGrad())");
        }
        if (!tensor.isContiguous()) {
            throw new IllegalArgumentException("Parameter.of: " + tensor.describe()
                    + " is a strided view; pass a contiguous tensor (contiguous() under Autograd.noGrad())");
        }
        return new Parameter(tensor.requiresGrad(true));
    }

    /** The parameter's tensor: use it in forward code. */
    public Tensor value() {
        return value;
    }

    public int[] shape() {
        return value.shape();
    }

    public long numel() {
        return value.numel();
    }

    /** Whether the optimizer should train it: {@code requiresGrad} of its tensor. */
    public boolean isTrainable() {
        return value.requiresGrad();
    }

    /** Freezes (false) or unfreezes (true) this parameter; frozen ones are left out of {@link Module#parameters()}. */
    public Parameter trainable(boolean on) {
        value.requiresGrad(on);
        return this;
    }

    /**
     * Replaces the tensor by a copy on {@code device} (in the same scope, with the same flags), or by the copy
     * already made for a tensor shared with another parameter ({@code moved}). For {@link Module#to}.
     */
    void moveTo(Device device, java.util.IdentityHashMap<Tensor, Tensor> moved) {
        Tensor old = value;
        if (old.device().equals(device)) {
            return;
        }
        Tensor copy = moved.get(old);
        if (copy == null) {
            Checks.alive("Module.to(" + device + ")", old);
            copy = Tensor.zeros(old.scope(), device, old.dtype(), old.shape());
            io.panrec.backend.Backends.copy(old.detach(), copy);
            copy.requiresGrad(old.requiresGrad());
            copy.sparseGradients(old.sparseGradients());
            copy.name(old.name());
            moved.put(old, copy);
        }
        value = copy;
    }

    @Override
    public String toString() {
        return "Parameter(" + value.describe() + (isTrainable() ? "" : ", frozen") + ")";
    }

    // ------------------------------------------------------------------ placement

    /** Where new parameters are allocated on this thread, until closed. */
    public record Placement(Scope scope, DType dtype) implements AutoCloseable {
        public Placement {
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(dtype, "dtype");
            if (!dtype.isFloating()) {
                throw new IllegalArgumentException("parameters must be floating point, got " + dtype);
            }
        }

        @Override
        public void close() {
            Deque<Placement> stack = PLACEMENTS.get();
            if (stack.peek() != this) {
                throw new IllegalStateException("parameter placements must be closed in reverse order of opening");
            }
            stack.pop();
        }
    }

    /** Allocates the parameters of modules built on this thread in {@code scope} with {@code dtype}, until closed; nests. */
    public static Placement placement(Scope scope, DType dtype) {
        scope.checkAlive("Parameter.placement");
        Placement p = new Placement(scope, dtype);
        PLACEMENTS.get().push(p);
        return p;
    }

    /** The innermost open placement of this thread, or F32 in the global scope. */
    public static Placement current() {
        Placement p = PLACEMENTS.get().peek();
        return p == null ? new Placement(Scope.global(), DType.F32) : p;
    }
}
