package io.panrec.optim;

import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LrScheduleTest {

    @Test
    void stepDecayDropsEveryStepSizeSteps() {
        LrSchedule s = LrSchedule.stepDecay(3, 0.5);
        double[] expected = {1, 1, 1, 0.5, 0.5, 0.5, 0.25};
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t] * 0.2, s.lr(t, 0.2), 1e-15, "step " + t);
        }
    }

    @Test
    void exponentialDecay() {
        LrSchedule s = new ExponentialLR(0.9);
        assertEquals(0.1, s.lr(0, 0.1), 0);
        assertEquals(0.1 * 0.9 * 0.9 * 0.9, s.lr(3, 0.1), 1e-15);
    }

    @Test
    void cosineGoesFromBaseToMinAndStays() {
        LrSchedule s = LrSchedule.cosine(10, 0.01);
        assertEquals(1.0, s.lr(0, 1.0), 1e-15);
        assertEquals((1.0 + 0.01) / 2, s.lr(5, 1.0), 1e-15);
        assertEquals(0.01 + 0.99 * (1 + Math.cos(Math.PI * 0.3)) / 2, s.lr(3, 1.0), 1e-15);
        assertEquals(0.01, s.lr(10, 1.0), 1e-15);
        assertEquals(0.01, s.lr(25, 1.0), 0, "no climbing back after tMax");
        double prev = Double.POSITIVE_INFINITY;
        for (int t = 0; t <= 10; t++) {
            double lr = s.lr(t, 1.0);
            assertEquals(true, lr <= prev, "monotone at " + t);
            prev = lr;
        }
    }

    @Test
    void linearWarmupThenTheInnerScheduleFromItsStepZero() {
        LrSchedule s = LrSchedule.stepDecay(2, 0.1).withWarmup(4);
        assertEquals(0.25, s.lr(0, 1.0), 1e-15, "default start factor 1/warmup");
        assertEquals(0.25 + 0.75 * 2 / 4, s.lr(2, 1.0), 1e-15);
        assertEquals(1.0, s.lr(4, 1.0), 1e-15, "the inner schedule at its step 0");
        assertEquals(1.0, s.lr(5, 1.0), 1e-15);
        assertEquals(0.1, s.lr(6, 1.0), 1e-15);
        LrSchedule fromZero = new LinearWarmup(10, 0, LrSchedule.constant());
        assertEquals(0, fromZero.lr(0, 3.0), 0);
        assertEquals(1.5, fromZero.lr(5, 3.0), 1e-15);
        assertEquals(3.0, fromZero.lr(10, 3.0), 0);
    }

    @Test
    void schedulerDrivesTheOptimizerAndResumes() {
        Tensor p = OptimTesting.param(new float[] {1}, 1);
        SGD opt = new SGD(List.of(p), 0.4);
        Scheduler sched = new Scheduler(opt, LrSchedule.stepDecay(1, 0.5));
        assertEquals(0.4, opt.lr(), 0, "step 0 rate set at construction");
        assertEquals(0.2, sched.step(), 1e-15);
        assertEquals(0.2, opt.lr(), 1e-15);
        sched.step();
        assertEquals(2, sched.count());
        assertEquals(0.1, opt.lr(), 1e-15);

        SGD resumed = new SGD(List.of(OptimTesting.param(new float[] {1}, 1)), 0.4);
        Scheduler again = new Scheduler(resumed, LrSchedule.stepDecay(1, 0.5));
        again.resume(sched.count());
        assertEquals(opt.lr(), resumed.lr(), 0);
        assertEquals(0.05, again.step(), 1e-15);
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new StepLR(0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new StepLR(1, -0.5));
        assertThrows(IllegalArgumentException.class, () -> new ExponentialLR(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(0, LrSchedule.constant()));
        assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(3, 1.5, LrSchedule.constant()));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant().withWarmup(2).lr(-1, 1));
        SGD opt = new SGD(List.of(OptimTesting.param(new float[] {1}, 1)), 0.1);
        assertThrows(IllegalArgumentException.class, () -> new Scheduler(opt, (t, b) -> -1.0), "a negative rate reaches setLr");
        assertThrows(IllegalArgumentException.class, () -> opt.setLr(Double.POSITIVE_INFINITY));
    }
}
