package io.panrec.tensor;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Process-wide counters of off-heap tensor memory, so that tests and long-running hosts can check that
 * memory returns to where it started (for example after many thousand reranks).
 */
public final class MemoryStats {
    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong TOTAL_ALLOCATED = new AtomicLong();
    private static final AtomicLong ALLOCATIONS = new AtomicLong();
    private static final AtomicLong SCOPED_LIVE_BYTES = new AtomicLong();

    private MemoryStats() {
    }

    /** Bytes of tensor memory allocated and not yet freed (scoped and automatic). */
    public static long liveBytes() {
        return LIVE_BYTES.get();
    }

    /**
     * Bytes of tensor memory held by closable scopes (not the global scope, whose memory the garbage
     * collector frees at times of its choosing): exact, so a test or a host can check that a scope
     * gave back everything.
     */
    public static long scopedLiveBytes() {
        return SCOPED_LIVE_BYTES.get();
    }

    /** Bytes ever allocated for tensors. */
    public static long totalAllocatedBytes() {
        return TOTAL_ALLOCATED.get();
    }

    /** Number of tensor allocations ever made. */
    public static long allocations() {
        return ALLOCATIONS.get();
    }

    static void allocated(long bytes) {
        LIVE_BYTES.addAndGet(bytes);
        TOTAL_ALLOCATED.addAndGet(bytes);
        ALLOCATIONS.incrementAndGet();
    }

    static void freed(long bytes) {
        LIVE_BYTES.addAndGet(-bytes);
    }

    static void scopedAllocated(long bytes) {
        SCOPED_LIVE_BYTES.addAndGet(bytes);
    }

    static void scopedFreed(long bytes) {
        SCOPED_LIVE_BYTES.addAndGet(-bytes);
    }
}
