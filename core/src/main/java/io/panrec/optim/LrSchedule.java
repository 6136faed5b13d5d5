package io.panrec.optim;

/**
 * A learning rate as a function of the step count: {@code lr(step, base)} for step 0, 1, 2, ... and the
 * optimizer's initial rate {@code base}. Schedules are closed forms (no hidden state), so resuming a
 * run only needs the step count; apply one with a {@link Scheduler} or {@link Optimizer#setLr}.
 *
 * <p>What a step is (a batch or an epoch) is up to the caller.
 */
@FunctionalInterface
public interface LrSchedule {

    /** The learning rate at {@code step} (>= 0) for base rate {@code base}. */
    double lr(int step, double base);

    /** The base rate at every step. */
    static LrSchedule constant() {
        return (step, base) -> base;
    }

    /** {@code base * gamma^(step / stepSize)} (integer division): PyTorch's StepLR. */
    static LrSchedule stepDecay(int stepSize, double gamma) {
        return new StepLR(stepSize, gamma);
    }

    /** {@code base * gamma^step}: PyTorch's ExponentialLR. */
    static LrSchedule exponential(double gamma) {
        return new ExponentialLR(gamma);
    }

    /** Half a cosine from base down to {@code minLr} over {@code tMax} steps, then minLr. */
    static LrSchedule cosine(int tMax, double minLr) {
        return new CosineAnnealingLR(tMax, minLr);
    }

    /** A linear ramp over the first {@code warmupSteps} steps, then this schedule (shifted to start at 0). */
    default LrSchedule withWarmup(int warmupSteps) {
        return new LinearWarmup(warmupSteps, this);
    }
}
