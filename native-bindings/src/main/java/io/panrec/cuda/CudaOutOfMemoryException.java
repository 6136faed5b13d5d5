package io.panrec.cuda;

/**
 * GPU memory could not be allocated: says how much was asked for, how much the device had free and in total
 * (cudaMemGetInfo, right after the failure) and what panrec itself holds, with what to do about it.
 */
public final class CudaOutOfMemoryException extends CudaException {
    private final long requested;
    private final long free;
    private final long total;

    public CudaOutOfMemoryException(String function, int status, String libraryText, long requested, long free, long total,
                                    long panrecLive, int device) {
        super(CudaLibraries.Library.CUDART, function, status, libraryText, detail(requested, free, total, panrecLive, device));
        this.requested = requested;
        this.free = free;
        this.total = total;
    }

    static String detail(long requested, long free, long total, long panrecLive, int device) {
        return "out of GPU memory on cuda:" + device + ": requested " + bytes(requested) + ", free " + bytes(free) + " of "
                + bytes(total) + (panrecLive >= 0 ? ", panrec tensors hold " + bytes(panrecLive) : "")
                + "; free tensors sooner (close their Scope), use smaller batches, or pick another GPU with -D"
                + CudaLibraries.DEVICE_PROPERTY;
    }

    /** "1234567 bytes (1.2 MiB)". */
    static String bytes(long n) {
        if (n < 0) {
            return "unknown";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u < 0 ? n + " bytes" : n + " bytes (" + String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]) + ")";
    }

    public long requested() {
        return requested;
    }

    public long free() {
        return free;
    }

    public long total() {
        return total;
    }
}
