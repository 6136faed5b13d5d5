package io.panrec.cuda;

import io.panrec.cuda.CudaLibraries.Library;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static io.panrec.cuda.raw.nvrtc_h.*;

/**
 * The safe layer over {@link io.panrec.cuda.raw.nvrtc_h}: compiles CUDA C++ source for one GPU and returns
 * the image to load. A compilation error carries NVRTC's log.
 */
public final class Nvrtc {
    private Nvrtc() {
    }

    public static void check(int result, String function) {
        check(result, function, null);
    }

    public static void check(int result, String function, String detail) {
        if (result != NVRTC_SUCCESS) {
            throw new CudaException(Library.NVRTC, function, result, resultString(result), detail);
        }
    }

    static String resultString(int result) {
        try {
            return Cuda.cString(nvrtcGetErrorString(result));
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** The real architectures ("sm_XY" numbers, e.g. 90) this NVRTC can compile for. */
    public static List<Integer> supportedArchs() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(C_INT);
            check(nvrtcGetNumSupportedArchs(n), "nvrtcGetNumSupportedArchs");
            int count = n.get(C_INT, 0);
            MemorySegment archs = a.allocate(C_INT, Math.max(count, 1));
            check(nvrtcGetSupportedArchs(archs), "nvrtcGetSupportedArchs");
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                out.add(archs.getAtIndex(C_INT, i));
            }
            return out;
        }
    }

    /**
     * What compiling produced: a CUBIN for the GPU's own architecture when NVRTC knows it (no driver JIT, so
     * a driver older than the compiler still loads it), else PTX for the newest architecture NVRTC knows that
     * the GPU can run, which the driver compiles when loading.
     */
    public record Image(byte[] bytes, boolean cubin, String arch) {
    }

    /** Compiles {@code source} (named {@code name} in messages) for compute capability {@code major.minor}. */
    public static Image compile(String source, String name, int major, int minor) {
        int arch = major * 10 + minor;
        List<Integer> supported = supportedArchs();
        boolean cubin = supported.contains(arch);
        int target = arch;
        if (!cubin) {
            target = supported.stream().filter(x -> x <= arch).max(Integer::compare).orElseThrow(() -> new IllegalStateException(
                    "NVRTC " + CudaLibraries.info().nvrtcMajor() + "." + CudaLibraries.info().nvrtcMinor()
                            + " cannot compile for this GPU (sm_" + arch + "); it supports " + supported));
        }
        String archOption = "--gpu-architecture=" + (cubin ? "sm_" : "compute_") + target;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prog = a.allocate(C_POINTER);
            check(nvrtcCreateProgram(prog, a.allocateFrom(source), a.allocateFrom(name), 0, MemorySegment.NULL, MemorySegment.NULL),
                    "nvrtcCreateProgram", name);
            MemorySegment p = prog.get(C_POINTER, 0);
            try {
                String[] options = {archOption, "--std=c++17"};
                MemorySegment opts = a.allocate(C_POINTER, options.length);
                for (int i = 0; i < options.length; i++) {
                    opts.setAtIndex(C_POINTER, i, a.allocateFrom(options[i]));
                }
                int rc = nvrtcCompileProgram(p, options.length, opts);
                if (rc != NVRTC_SUCCESS) {
                    check(rc, "nvrtcCompileProgram", name + " with " + String.join(" ", options) + ":\n" + log(a, p));
                }
                MemorySegment size = a.allocate(C_LONG);
                byte[] bytes;
                if (cubin) {
                    check(nvrtcGetCUBINSize(p, size), "nvrtcGetCUBINSize");
                    MemorySegment buf = a.allocate(Math.max(size.get(C_LONG, 0), 1));
                    check(nvrtcGetCUBIN(p, buf), "nvrtcGetCUBIN");
                    bytes = buf.asSlice(0, size.get(C_LONG, 0)).toArray(ValueLayout.JAVA_BYTE);
                } else {
                    check(nvrtcGetPTXSize(p, size), "nvrtcGetPTXSize");
                    MemorySegment buf = a.allocate(Math.max(size.get(C_LONG, 0), 1));
                    check(nvrtcGetPTX(p, buf), "nvrtcGetPTX");
                    // the size counts the terminating NUL; the loader wants the text
                    bytes = buf.getString(0).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                }
                return new Image(bytes, cubin, (cubin ? "sm_" : "compute_") + target);
            } finally {
                nvrtcDestroyProgram(prog);
            }
        }
    }

    private static String log(Arena a, MemorySegment prog) {
        MemorySegment size = a.allocate(C_LONG);
        if (nvrtcGetProgramLogSize(prog, size) != NVRTC_SUCCESS) {
            return "(no log)";
        }
        MemorySegment buf = a.allocate(Math.max(size.get(C_LONG, 0), 1));
        if (nvrtcGetProgramLog(prog, buf) != NVRTC_SUCCESS) {
            return "(no log)";
        }
        return buf.getString(0);
    }
}
