package io.panrec.optim;

import java.util.Objects;

/**
 * A linear warm-up in front of another schedule: for {@code step < warmupSteps} the rate rises from
 * {@code startFactor * base} towards {@code base}, as
 * {@code base * (startFactor + (1 - startFactor) * step / warmupSteps)}; from then on it is
 * {@code after.lr(step - warmupSteps, base)}, so the following schedule starts at its own step 0.
 * The default start factor {@code 1 / warmupSteps} makes the first step's rate {@code base / warmupSteps}
 * rather than 0, which would waste the step.
 */
public record LinearWarmup(int warmupSteps, double startFactor, LrSchedule after) implements LrSchedule {
    public LinearWarmup {
        if (warmupSteps <= 0) {
            throw new IllegalArgumentException("LinearWarmup: warmupSteps must be > 0, got " + warmupSteps);
        }
        Optimizer.check("LinearWarmup", "startFactor", startFactor, 0, 1, false);
        Objects.requireNonNull(after, "LinearWarmup: the schedule after the warm-up");
    }

    public LinearWarmup(int warmupSteps, LrSchedule after) {
        this(warmupSteps, 1.0 / Math.max(warmupSteps, 1), after);
    }

    @Override
    public double lr(int step, double base) {
        Schedules.checkStep(step);
        if (step < warmupSteps) {
            return base * (startFactor + (1 - startFactor) * step / warmupSteps);
        }
        return after.lr(step - warmupSteps, base);
    }
}
