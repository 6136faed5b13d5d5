package io.panrec.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * How many threads one call of panrec's CPU kernels may use: the vector backend's ({@code panrec.threads})
 * and OpenMP's in native libraries such as oneDNN ({@code OMP_NUM_THREADS}). A server that runs many queries at
 * once (Lucene's search threads) usually wants 1: its parallelism comes from the queries.
 *
 * <p>OpenMP reads {@code OMP_NUM_THREADS} when its library loads, so {@link #limit} must run before the first
 * use of a native backend (at the start of {@code main}); later it still caps the vector backend. Exporting
 * {@code OMP_NUM_THREADS} and passing {@code -Dpanrec.threads} at JVM start does the same.
 */
public final class CpuThreads {
    private CpuThreads() {
    }

    /** Caps both at {@code n} (at least 1). */
    public static void limit(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + n);
        }
        System.setProperty("panrec.threads", Integer.toString(n));
        setenv("OMP_NUM_THREADS", Integer.toString(n));
    }

    /** Sets an environment variable of this process (libc {@code setenv}), for native libraries that read it. */
    public static void setenv(String name, String value) {
        Linker linker = Linker.nativeLinker();
        MemorySegment f = linker.defaultLookup().find("setenv").orElseThrow(() -> new IllegalStateException("no setenv in libc"));
        MethodHandle h = linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        try (Arena a = Arena.ofConfined()) {
            int rc = (int) h.invokeExact(a.allocateFrom(name), a.allocateFrom(value), 1);
            if (rc != 0) {
                throw new IllegalStateException("setenv " + name + " failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("setenv " + name + ": " + e, e);
        }
    }
}
