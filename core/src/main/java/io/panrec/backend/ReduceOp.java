package io.panrec.backend;

/** Reductions over one or more axes. */
public enum ReduceOp {
    SUM, MEAN, MAX, MIN
}
