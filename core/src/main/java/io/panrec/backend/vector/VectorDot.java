package io.panrec.backend.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The dot product of two float vectors with the Vector API: four independent FMA accumulators (two FMA
 * pipes with a 4-cycle latency need at least eight chains in flight for full speed on long vectors, but
 * at the sizes of embeddings, 64 to 1024, four keep the loop short and the reduction cheap), a vector
 * loop over whole registers, then a scalar tail. The scoring kernel for item and user vectors
 * (retrieval by dot product, two-tower scores), where a tensor op's per-call cost would dominate.
 */
public final class VectorDot {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorDot() {
    }

    /**
     * {@code sum a[i] b[i]}; the lengths must be equal. The same loop as the ranged overload without the
     * offsets: with them C2 kept extra index arithmetic and range checks in the loop, measurably slower
     * at 768 floats (against Lucene's VectorUtil in issue 8's benchmark).
     */
    public static float dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("dot: vectors of lengths " + a.length + " and " + b.length + "; they must be equal");
        }
        int n = a.length;
        int lanes = S.length();
        int i = 0;
        float sum = 0;
        if (n >= lanes) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            FloatVector acc3 = FloatVector.zero(S);
            for (int end = n - 4 * lanes; i <= end; i += 4 * lanes) {
                acc0 = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, i), acc0);
                acc1 = FloatVector.fromArray(S, a, i + lanes).fma(FloatVector.fromArray(S, b, i + lanes), acc1);
                acc2 = FloatVector.fromArray(S, a, i + 2 * lanes).fma(FloatVector.fromArray(S, b, i + 2 * lanes), acc2);
                acc3 = FloatVector.fromArray(S, a, i + 3 * lanes).fma(FloatVector.fromArray(S, b, i + 3 * lanes), acc3);
            }
            for (int end = n - lanes; i <= end; i += lanes) {
                acc0 = FloatVector.fromArray(S, a, i).fma(FloatVector.fromArray(S, b, i), acc0);
            }
            sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum = Math.fma(a[i], b[i], sum);
        }
        return sum;
    }

    /** {@code sum a[aOff + i] b[bOff + i]} for i in [0, n). */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        java.util.Objects.checkFromIndexSize(aOff, n, a.length);
        java.util.Objects.checkFromIndexSize(bOff, n, b.length);
        int lanes = S.length();
        int i = 0;
        float sum = 0;
        if (n >= lanes) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            FloatVector acc3 = FloatVector.zero(S);
            for (int end = n - 4 * lanes; i <= end; i += 4 * lanes) {
                acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
                acc1 = FloatVector.fromArray(S, a, aOff + i + lanes).fma(FloatVector.fromArray(S, b, bOff + i + lanes), acc1);
                acc2 = FloatVector.fromArray(S, a, aOff + i + 2 * lanes).fma(FloatVector.fromArray(S, b, bOff + i + 2 * lanes), acc2);
                acc3 = FloatVector.fromArray(S, a, aOff + i + 3 * lanes).fma(FloatVector.fromArray(S, b, bOff + i + 3 * lanes), acc3);
            }
            for (int end = n - lanes; i <= end; i += lanes) {
                acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
            }
            sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum = Math.fma(a[aOff + i], b[bOff + i], sum);
        }
        return sum;
    }
}
