package io.panrec.optim;

/**
 * Multiplies the rate by {@code gamma} every {@code stepSize} steps: {@code base * gamma^floor(step /
 * stepSize)}, as PyTorch's {@code StepLR}.
 */
public record StepLR(int stepSize, double gamma) implements LrSchedule {
    public StepLR {
        if (stepSize <= 0) {
            throw new IllegalArgumentException("StepLR: stepSize must be > 0, got " + stepSize);
        }
        Optimizer.check("StepLR", "gamma", gamma, 0, Double.MAX_VALUE, false);
    }

    @Override
    public double lr(int step, double base) {
        Schedules.checkStep(step);
        return base * Math.pow(gamma, step / stepSize);
    }
}
