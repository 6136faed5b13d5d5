package io.panrec.models.data;

import java.util.Objects;

/**
 * A dataset cut into training, validation and test interactions that share one pair of vocabularies.
 * The validation part may be empty (the official MovieLens folds have none).
 *
 * @param train      what models learn from
 * @param validation what early stopping and tuning look at (possibly empty)
 * @param test       what the reported numbers are measured on
 */
public record Split(Interactions train, Interactions validation, Interactions test) {
    public Split {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(test, "test");
        if (train.users() != test.users() || train.items() != test.items() || validation.users() != train.users()
                || validation.items() != train.items()) {
            throw new IllegalArgumentException("Split: the parts must share their vocabularies");
        }
    }

    /** The interactions a model may know when ranking the test items: training plus validation. */
    public Interactions known() {
        return validation.isEmpty() ? train : train.concat(validation);
    }

    @Override
    public String toString() {
        return "Split[train " + train.size() + ", validation " + validation.size() + ", test " + test.size() + "]";
    }
}
