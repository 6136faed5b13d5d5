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

    private MemoryStats() {
    }

    /** Bytes of tensor memory allocated and not yet freed (scoped and automatic). */
    public static long liveBytes() {
        return LIVE_BYTES.get();
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
}
