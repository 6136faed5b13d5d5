package io.panrec.optim;

/** {@code base * gamma^step}, as PyTorch's {@code ExponentialLR}. */
public record ExponentialLR(double gamma) implements LrSchedule {
    public ExponentialLR {
        Optimizer.check("ExponentialLR", "gamma", gamma, 0, Double.MAX_VALUE, false);
    }

    @Override
    public double lr(int step, double base) {
        Schedules.checkStep(step);
        return base * Math.pow(gamma, step);
    }
}
