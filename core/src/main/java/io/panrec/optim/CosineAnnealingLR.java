package io.panrec.optim;

/**
 * Cosine annealing (Loshchilov and Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts",
 * ICLR 2017) without restarts: {@code minLr + (base - minLr) * (1 + cos(pi * step / tMax)) / 2} for
 * {@code step <= tMax}, and {@code minLr} after (PyTorch's closed form would climb again past tMax;
 * training past the end of its schedule should not raise the rate).
 */
public record CosineAnnealingLR(int tMax, double minLr) implements LrSchedule {
    public CosineAnnealingLR {
        if (tMax <= 0) {
            throw new IllegalArgumentException("CosineAnnealingLR: tMax must be > 0, got " + tMax);
        }
        Optimizer.check("CosineAnnealingLR", "minLr", minLr, 0, Double.MAX_VALUE, false);
    }

    @Override
    public double lr(int step, double base) {
        Schedules.checkStep(step);
        if (step >= tMax) {
            return minLr;
        }
        return minLr + (base - minLr) * (1 + Math.cos(Math.PI * step / tMax)) / 2;
    }
}
