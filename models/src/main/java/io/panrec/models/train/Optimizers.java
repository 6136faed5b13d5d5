package io.panrec.models.train;

import io.panrec.optim.Adagrad;
import io.panrec.optim.Adam;
import io.panrec.optim.AdamW;
import io.panrec.optim.Optimizer;
import io.panrec.optim.SGD;
import io.panrec.tensor.Tensor;

import java.util.List;
import java.util.Locale;

/** The core optimizers by the names used in settings ({@code optimizer=adam}). */
public final class Optimizers {
    /** The names {@link #create} accepts. */
    public static final List<String> NAMES = List.of("adam", "adamw", "sgd", "adagrad");

    private Optimizers() {
    }

    /**
     * A new optimizer over {@code params}.
     *
     * @param name        {@code adam} (PyTorch's Adam, L2 weight decay added to the gradient), {@code adamw}
     *                    (decoupled weight decay), {@code sgd} (plain, no momentum) or {@code adagrad}; any case
     * @param weightDecay L2 penalty; with row-sparse (embedding) gradients it reaches only the rows of the
     *                    batch, which is the per-example regularisation of the matrix-factorisation papers
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Optimizer create(String name, List<Tensor> params, double learningRate, double weightDecay) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "adam" -> new Adam(params, Adam.Config.of(learningRate).withWeightDecay(weightDecay));
            case "adamw" -> new AdamW(params, AdamW.defaults().withLr(learningRate).withWeightDecay(weightDecay));
            case "sgd" -> new SGD(params, SGD.Config.of(learningRate).withWeightDecay(weightDecay));
            case "adagrad" -> new Adagrad(params, Adagrad.Config.of(learningRate).withWeightDecay(weightDecay));
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; known optimizers: " + String.join(", ", NAMES));
        };
    }

    /** {@link #create} with the plan's optimizer, learning rate and weight decay. */
    public static Optimizer create(TrainingPlan plan, List<Tensor> params) {
        return create(plan.optimizer(), params, plan.learningRate(), plan.weightDecay());
    }
}
