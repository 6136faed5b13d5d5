package io.panrec.optim;

/** Checks shared by the schedules. */
final class Schedules {
    private Schedules() {
    }

    static void checkStep(int step) {
        if (step < 0) {
            throw new IllegalArgumentException("learning-rate schedule: step must be >= 0, got " + step);
        }
    }
}
