package io.panrec.optim;

import java.util.Objects;

/**
 * Applies an {@link LrSchedule} to an optimizer, as PyTorch's {@code lr_scheduler}: the base rate is the
 * optimizer's rate when the scheduler is made, which immediately sets the step-0 rate; each
 * {@link #step()} advances the count and sets the rate for the next optimizer steps.
 *
 * <pre>{@code
 * Scheduler sched = new Scheduler(opt, LrSchedule.cosine(epochs, 0).withWarmup(2));
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     ... opt.step() per batch ...
 *     sched.step();
 * }
 * }</pre>
 *
 * To resume a run, make the scheduler as before and call {@link #resume(int)} with the saved
 * {@link #count()}.
 */
public final class Scheduler {
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final double base;
    private int count;

    public Scheduler(Optimizer optimizer, LrSchedule schedule) {
        this(optimizer, schedule, optimizer.lr());
    }

    /** With an explicit base rate (e.g. when resuming an optimizer whose rate was already changed). */
    public Scheduler(Optimizer optimizer, LrSchedule schedule, double base) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        Optimizer.check("Scheduler", "base", base, 0, Double.MAX_VALUE, false);
        this.base = base;
        apply();
    }

    /** Advances by one and sets the new rate; returns it. */
    public double step() {
        if (count == Integer.MAX_VALUE) {
            throw new IllegalStateException("Scheduler: step count overflow");
        }
        count++;
        return apply();
    }

    /** Jumps to {@code step} (for resuming) and sets its rate; returns it. */
    public double resume(int step) {
        Schedules.checkStep(step);
        count = step;
        return apply();
    }

    /** How many times {@link #step()} advanced the schedule (or the step resumed at). */
    public int count() {
        return count;
    }

    public double base() {
        return base;
    }

    private double apply() {
        double lr = schedule.lr(count, base);
        optimizer.setLr(lr);
        return lr;
    }
}
