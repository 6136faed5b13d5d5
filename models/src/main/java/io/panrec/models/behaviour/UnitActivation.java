package io.panrec.models.behaviour;

import io.panrec.autograd.Autograd;
import io.panrec.nn.Module;
import io.panrec.nn.Parameter;
import io.panrec.ops.Elementwise;
import io.panrec.ops.Reductions;
import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.util.Locale;

/**
 * A learned per-unit activation over the last axis of {@code [..., units]}, as DIN uses (Zhou et al.
 * 2018, section 4.3):
 * <ul>
 *   <li>{@code prelu}: {@code max(0, s) + alpha min(0, s)} (He et al. 2015), alpha learned per unit, from 0.25;</li>
 *   <li>{@code dice}: {@code p(s) s + (1 - p(s)) alpha s} with {@code p(s) = sigmoid((s - E[s]) / sqrt(Var[s] + eps))}:
 *       the rectifier point follows the data. E and Var are the mini-batch's statistics per unit in
 *       training (over every axis but the last), and running averages (momentum 0.99, buffers
 *       {@code runningMean}, {@code runningVar}) in evaluation; alpha learned per unit, from 0;</li>
 *   <li>{@code relu}: no parameters.</li>
 * </ul>
 */
final class UnitActivation extends Module {
    enum Kind { DICE, PRELU, RELU }

    static final float EPS = 1e-8f;
    static final float MOMENTUM = 0.99f;

    private final Kind kind;
    private final Parameter alpha;
    private final Tensor runningMean;
    private final Tensor runningVar;

    UnitActivation(Kind kind, int units) {
        this.kind = kind;
        this.alpha = kind == Kind.RELU ? null : registerParameter("alpha", Parameter.zeros(units));
        if (kind == Kind.PRELU) {
            alpha.value().fill(0.25);
        }
        if (kind == Kind.DICE) {
            runningMean = registerBuffer("runningMean", Tensor.zeros(Scope.global(), DType.F32, units));
            runningVar = registerBuffer("runningVar", Tensor.zeros(Scope.global(), DType.F32, units).fill(1));
        } else {
            runningMean = null;
            runningVar = null;
        }
    }

    static Kind parse(String owner, String value) {
        try {
            return Kind.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(owner + " setting 'activation' must be dice, prelu or relu, got '" + value + "'");
        }
    }

    /** {@code [..., units]} -> same shape. */
    Tensor forward(Tensor s) {
        return switch (kind) {
            case RELU -> Elementwise.relu(s);
            case PRELU -> Elementwise.sub(Elementwise.relu(s), Elementwise.mul(Elementwise.relu(Elementwise.neg(s)), alpha.value()));
            case DICE -> dice(s);
        };
    }

    private Tensor dice(Tensor s) {
        Tensor mean;
        Tensor var;
        if (isTraining()) {
            int[] axes = new int[s.rank() - 1];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = i;
            }
            mean = Reductions.mean(s, axes, false);                                   // [units]
            Tensor centred = Elementwise.sub(s, mean);
            var = Reductions.mean(Elementwise.mul(centred, centred), axes, false);    // [units]
            try (var _ = Autograd.noGrad()) {
                // the running statistics are host buffers (read in Java): a device batch's come back, [units] each
                float[] m = io.panrec.ops.Checks.onHost(mean).contiguous().toFloatArray();
                float[] v = io.panrec.ops.Checks.onHost(var).contiguous().toFloatArray();
                for (int i = 0; i < m.length; i++) {
                    runningMean.set(MOMENTUM * runningMean.get(i) + (1 - MOMENTUM) * m[i], i);
                    runningVar.set(MOMENTUM * runningVar.get(i) + (1 - MOMENTUM) * v[i], i);
                }
            }
        } else {
            mean = runningMean;
            var = runningVar;
        }
        Tensor p = Elementwise.sigmoid(Elementwise.div(Elementwise.sub(s, mean), Elementwise.sqrt(Elementwise.add(var, EPS))));
        // p s + (1 - p) alpha s = s (p + alpha - p alpha)
        Tensor a = alpha.value();
        Tensor gate = Elementwise.add(p, Elementwise.sub(a, Elementwise.mul(p, a)));
        return Elementwise.mul(s, gate);
    }
}
