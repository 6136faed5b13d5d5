package io.panrec.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link DeviceOps} on the host: {@link CudaKernels#SOURCE} compiled by the system C++ compiler with a prelude
 * that stands in for CUDA's built-ins, "device" memory that is host memory, and launches that run every
 * (block, thread) of a small grid one after another. It checks what the kernels compute and the arguments
 * the Java side passes, not concurrency (atomics are plain adds here).
 */
final class HostEmulator implements DeviceOps {
    /** A small grid that still exercises the grid-stride loops: 2 blocks of 3 threads. */
    static final int GRID = 2;
    static final int BLOCK = 3;

    static final String PRELUDE = """
            #include <math.h>
            #include <string.h>
            struct pr_dim3 { unsigned x, y, z; };
            static thread_local pr_dim3 threadIdx, blockIdx, blockDim, gridDim;
            #define __global__
            #define __device__
            #define __forceinline__ inline
            static inline double __longlong_as_double(long long v) { double d; memcpy(&d, &v, 8); return d; }
            static inline long long __double_as_longlong(double v) { long long l; memcpy(&l, &v, 8); return l; }
            static inline float atomicAdd(float* p, float v) { float old = *p; *p = old + v; return old; }
            extern "C" void pr_emu_set(unsigned b, unsigned t, unsigned bd, unsigned gd) {
              blockIdx = {b, 0, 0}; threadIdx = {t, 0, 0}; blockDim = {bd, 1, 1}; gridDim = {gd, 1, 1};
            }
            """;

    private static volatile SymbolLookup library;
    private static volatile String unavailable;

    private final Map<Long, Arena> temps = new ConcurrentHashMap<>();
    private final Map<String, MethodHandle> handles = new ConcurrentHashMap<>();
    private final MethodHandle set;
    long launches;

    private HostEmulator(SymbolLookup lib) {
        this.set = Linker.nativeLinker().downcallHandle(lib.find("pr_emu_set").orElseThrow(), FunctionDescriptor.ofVoid(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        for (Kernel k : CudaKernels.ALL) {
            MemorySegment fn = lib.find(k.name()).orElseThrow(() -> new AssertionError("kernel " + k.name() + " not compiled"));
            handles.put(k.name(), Linker.nativeLinker().downcallHandle(fn, FunctionDescriptor.ofVoid(
                    k.params().toArray(MemoryLayout[]::new))));
        }
    }

    /** The emulator, or null with {@link #unavailableReason()} when no C++ compiler is installed. */
    static synchronized HostEmulator create() {
        if (library == null && unavailable == null) {
            try {
                library = compile();
            } catch (IOException | RuntimeException e) {
                unavailable = "cannot build the host emulation of the CUDA kernels: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unavailable = "interrupted while compiling";
            }
        }
        return library == null ? null : new HostEmulator(library);
    }

    static String unavailableReason() {
        return unavailable;
    }

    private static SymbolLookup compile() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("panrec-cuda-emu");
        Path src = dir.resolve("kernels.cpp");
        Files.writeString(src, PRELUDE + CudaKernels.SOURCE, StandardCharsets.UTF_8);
        Path so = dir.resolve("libpanrec_cuda_emu.so");
        String cxx = System.getenv().getOrDefault("CXX", "g++");
        Process p = new ProcessBuilder(cxx, "-std=c++17", "-O1", "-Wall", "-Werror", "-Wno-unused-function", "-shared", "-fPIC",
                "-o", so.toString(), src.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(cxx + " failed on the kernel source:\n" + out);
        }
        return SymbolLookup.libraryLookup(so, Arena.global());
    }

    @Override
    public int device() {
        return 0;
    }

    @Override
    public long allocTemp(long bytes) {
        Arena a = Arena.ofShared();
        long address = a.allocate(Math.max(bytes, 1), 16).address();
        temps.put(address, a);
        return address;
    }

    @Override
    public void freeTemp(long address) {
        Arena a = temps.remove(address);
        if (a == null) {
            throw new AssertionError("freeTemp of an address that allocTemp did not return: " + address);
        }
        a.close();
    }

    /** Temporaries not freed yet (a leak if not 0 after an op). */
    int liveTemps() {
        return temps.size();
    }

    @Override
    public void memsetZero(long address, long bytes) {
        MemorySegment.ofAddress(address).reinterpret(bytes).fill((byte) 0);
    }

    @Override
    public void toHost(long src, MemorySegment dst, long bytes) {
        MemorySegment.copy(MemorySegment.ofAddress(src).reinterpret(bytes), 0, dst, 0, bytes);
    }

    @Override
    public void launch(Kernel kernel, long work, Object... args) {
        kernel.checkArgs(args);
        launches++;
        List<Object> converted = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            converted.add(kernel.params().get(i) instanceof java.lang.foreign.AddressLayout
                    ? MemorySegment.ofAddress((Long) args[i]) : args[i]);
        }
        MethodHandle h = handles.get(kernel.name());
        try {
            for (int b = 0; b < GRID; b++) {
                for (int t = 0; t < BLOCK; t++) {
                    set.invokeExact(b, t, BLOCK, GRID);
                    h.invokeWithArguments(converted);
                }
            }
        } catch (Throwable e) {
            throw new AssertionError("emulated launch of " + kernel.name() + " failed", e);
        }
    }
}
