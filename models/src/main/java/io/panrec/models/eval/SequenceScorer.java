package io.panrec.models.eval;

/**
 * What {@link NextItemProtocol} evaluates: scores of every item as the next one after each of a chunk of
 * item sequences (sessions so far), higher meaning more likely. Implementations must be deterministic.
 */
@FunctionalInterface
public interface SequenceScorer {
    /**
     * @param prefixes item sequences, oldest first, each with at least one item
     * @param numItems N
     * @return {@code [prefixes.length][numItems]}
     */
    float[][] scoreAll(int[][] prefixes, int numItems);
}
