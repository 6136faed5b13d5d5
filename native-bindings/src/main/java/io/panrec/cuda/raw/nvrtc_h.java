package io.panrec.cuda.raw;

import io.panrec.cuda.CudaLibraries;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Raw bindings of NVRTC (libnvrtc, CUDA 12 or 13), the run-time compiler of CUDA C++, in jextract's
 * layout: for each function {@code foo} a static {@code foo(...)}, {@code foo$handle()} and
 * {@code foo$descriptor()}, and the {@code nvrtcResult} codes. Handles are resolved lazily from
 * {@link CudaLibraries#lookup}.
 *
 * <p>Generated once from the prototypes of nvrtc.h and not edited by hand; no NVRTC header was installed on
 * the machine that wrote this, so they were read from the published header text. Checks live in
 * {@code io.panrec.cuda.Nvrtc}.
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class nvrtc_h {
    private nvrtc_h() {
    }

    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    // ------------------------------------------------------------------ nvrtc.h: nvrtcResult
    public static final int NVRTC_SUCCESS = 0;
    public static final int NVRTC_ERROR_OUT_OF_MEMORY = 1;
    public static final int NVRTC_ERROR_PROGRAM_CREATION_FAILURE = 2;
    public static final int NVRTC_ERROR_INVALID_INPUT = 3;
    public static final int NVRTC_ERROR_INVALID_PROGRAM = 4;
    public static final int NVRTC_ERROR_INVALID_OPTION = 5;
    public static final int NVRTC_ERROR_COMPILATION = 6;
    public static final int NVRTC_ERROR_BUILTIN_OPERATION_FAILURE = 7;
    public static final int NVRTC_ERROR_INTERNAL_ERROR = 11;

    // ------------------------------------------------------------------ lookup

    private static MethodHandle handle(String name, FunctionDescriptor desc) {
        MemorySegment address = CudaLibraries.lookup(CudaLibraries.Library.NVRTC).find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("NVRTC symbol not found: " + name + " in "
                        + CudaLibraries.path(CudaLibraries.Library.NVRTC)));
        return Linker.nativeLinker().downcallHandle(address, desc);
    }

    // ------------------------------------------------------------------ version and errors

    private static final class nvrtcVersion$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("nvrtcVersion", DESC);
    }

    public static FunctionDescriptor nvrtcVersion$descriptor() {
        return nvrtcVersion$.DESC;
    }

    public static MethodHandle nvrtcVersion$handle() {
        return nvrtcVersion$.HANDLE;
    }

    /** {@code nvrtcResult nvrtcVersion(int *major, int *minor)} */
    public static int nvrtcVersion(MemorySegment major, MemorySegment minor) {
        try {
            return (int) nvrtcVersion$.HANDLE.invokeExact(major, minor);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from nvrtcVersion", e);
        }
    }

    private static final class nvrtcGetErrorString$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("nvrtcGetErrorString", DESC);
    }

    public static FunctionDescriptor nvrtcGetErrorString$descriptor() {
        return nvrtcGetErrorString$.DESC;
    }

    public static MethodHandle nvrtcGetErrorString$handle() {
        return nvrtcGetErrorString$.HANDLE;
    }

    /** {@code const char *nvrtcGetErrorString(nvrtcResult result)} */
    public static MemorySegment nvrtcGetErrorString(int result) {
        try {
            return (MemorySegment) nvrtcGetErrorString$.HANDLE.invokeExact(result);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from nvrtcGetErrorString", e);
        }
    }

    private static final class nvrtcGetNumSupportedArchs$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("nvrtcGetNumSupportedArchs", DESC);
    }

    public static FunctionDescriptor nvrtcGetNumSupportedArchs$descriptor() {
        return nvrtcGetNumSupportedArchs$.DESC;
    }

    public static MethodHandle nvrtcGetNumSupportedArchs$handle() {
        return nvrtcGetNumSupportedArchs$.HANDLE;
    }

    /** {@code nvrtcResult nvrtcGetNumSupportedArchs(int *numArchs)} */
    public static int nvrtcGetNumSupportedArchs(MemorySegment numArchs) {
        try {
            return (int) nvrtcGetNumSupportedArchs$.HANDLE.invokeExact(numArchs);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from nvrtcGetNumSupportedArchs", e);
        }
    }

    private static final class nvrtcGetSupportedArchs$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("nvrtcGetSupportedArchs", DESC);
    }

    public static FunctionDescriptor nvrtcGetSupportedArchs$descriptor() {
        return nvrtcGetSupportedArchs$.DESC;
    }

    public static MethodHandle nvrtcGetSupportedArchs$handle() {
        return nvrtcGetSupportedArchs$.HANDLE;
    }

    /** {@code nvrtcResult nvrtcGetSupportedArchs(int *supportedArchs)} */
    public static int nvrtcGetSupportedArchs(MemorySegment supportedArchs) {
        try {
            return (int) nvrtcGetSupportedArchs$.HANDLE.invokeExact(supportedArchs);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from nvrtcGetSupportedArchs", e);
        }
    }

    // ------------------------------------------------------------------ programs

    private static final class nvrtcCreateProgram$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("nvrtcCreateProgram", DESC);
    }

    public static FunctionDescriptor nvrtcCreateProgram$descriptor() {
        return nvrtcCreateProgram$.DESC;
    }

    public static MethodHandle nvrtcCreateProgram$handle() {
        return nvrtcCreateProgram$.HANDLE;
    }

    /** {@code nvrtcResult nvrtcCreateProgram(nvrtcProgram *prog, const char *src, const char *name, int numHeaders, const char * const *headers, const char * const *includeNames)} */
    public static int nvrtcCreateProgram(MemorySegment prog, MemorySegment src, MemorySegment name, int numHeaders, MemorySegment headers, MemorySegment includeNames) {
        try {
            return (int) nvrtcCreateProgram$.HANDLE.invokeExact(prog, src, name, numHeaders, headers, includeNames);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from nvrtcCreateProgram", e);
        }
    }

    private static final class nvrtcDestroyProgram$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("nvrtcDestroyProgram", DESC);
    }

    public static FunctionDescriptor nvrtcDestroyProgram$descriptor() {
        return nvrtcDestroyProgram$.DESC;
    }

    public static MethodHandle nvrtcDestroyProgram$handle() {
        return nvrtcDestroyProgram$.HANDLE;
    }

    /** {@code nvrtcResult nvrtcDestroyProgram(nvrtcProgram *prog)} */
    public static int nvrtcDestroyProgram(MemorySegment prog) {
        try {
            return (int) nvrtcDestroyProgram$.HANDLE.invokeExact(prog);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from nvrtcDestroyProgram", e);
        }
    }

    private static final class nvrtcCompileProgram$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("nvrtcCompileProgram", DESC);
    }

    public static FunctionDescriptor nvrtcCompileProgram$descriptor() {
        return nvrtcCompileProgram$.DESC;
    }

    public static MethodHandle nvrtcCompileProgram$handle() {
        return nvrtcCompileProgram$.HANDLE;
    }

    /** {@code nvrtcResult nvrtcCompileProgram(nvrtcProgram prog, int numOptions, const char * const *options)} */
    public static int nvrtcCompileProgram(MemorySegment prog, int numOptions, MemorySegment options) {
        try {
            return (int) nvrtcCompileProgram$.HANDLE.invokeExact(prog, numOptions, options);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from nvrtcCompileProgram", e);
        }
    }

    private static final class nvrtcGetProgramLogSize$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("nvrtcGetProgramLogSize", DESC);
    }

    public static FunctionDescriptor nvrtcGetProgramLogSize$descriptor() {
        return nvrtcGetProgramLogSize$.DESC;
    }

    public static MethodHandle nvrtcGetProgramLogSize$handle() {
        return nvrtcGetProgramLogSize$.HANDLE;
    }

    /** {@code nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram prog, size_t *logSizeRet)} */
    public static int nvrtcGetProgramLogSize(MemorySegment prog, MemorySegment logSizeRet) {
        try {
            return (int) nvrtcGetProgramLogSize$.HANDLE.invokeExact(prog, logSizeRet);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from nvrtcGetProgramLogSize", e);
        }
    }

    private static final class nvrtcGetProgramLog$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("nvrtcGetProgramLog", DESC);
    }

    public static FunctionDescriptor nvrtcGetProgramLog$descriptor() {
        return nvrtcGetProgramLog$.DESC;
    }

    public static MethodHandle nvrtcGetProgramLog$handle() {
        return nvrtcGetProgramLog$.HANDLE;
    }

    /** {@code nvrtcResult nvrtcGetProgramLog(nvrtcProgram prog, char *log)} */
    public static int nvrtcGetProgramLog(MemorySegment prog, MemorySegment log) {
        try {
            return (int) nvrtcGetProgramLog$.HANDLE.invokeExact(prog, log);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from nvrtcGetProgramLog", e);
        }
    }

    private static final class nvrtcGetPTXSize$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("nvrtcGetPTXSize", DESC);
    }

    public static FunctionDescriptor nvrtcGetPTXSize$descriptor() {
        return nvrtcGetPTXSize$.DESC;
    }

    public static MethodHandle nvrtcGetPTXSize$handle() {
        return nvrtcGetPTXSize$.HANDLE;
    }

    /** {@code nvrtcResult nvrtcGetPTXSize(nvrtcProgram prog, size_t *ptxSizeRet)} */
    public static int nvrtcGetPTXSize(MemorySegment prog, MemorySegment ptxSizeRet) {
        try {
            return (int) nvrtcGetPTXSize$.HANDLE.invokeExact(prog, ptxSizeRet);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from nvrtcGetPTXSize", e);
        }
    }

    private static final class nvrtcGetPTX$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("nvrtcGetPTX", DESC);
    }

    public static FunctionDescriptor nvrtcGetPTX$descriptor() {
        return nvrtcGetPTX$.DESC;
    }

    public static MethodHandle nvrtcGetPTX$handle() {
        return nvrtcGetPTX$.HANDLE;
    }

    /** {@code nvrtcResult nvrtcGetPTX(nvrtcProgram prog, char *ptx)} */
    public static int nvrtcGetPTX(MemorySegment prog, MemorySegment ptx) {
        try {
            return (int) nvrtcGetPTX$.HANDLE.invokeExact(prog, ptx);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from nvrtcGetPTX", e);
        }
    }

    private static final class nvrtcGetCUBINSize$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("nvrtcGetCUBINSize", DESC);
    }

    public static FunctionDescriptor nvrtcGetCUBINSize$descriptor() {
        return nvrtcGetCUBINSize$.DESC;
    }

    public static MethodHandle nvrtcGetCUBINSize$handle() {
        return nvrtcGetCUBINSize$.HANDLE;
    }

    /** {@code nvrtcResult nvrtcGetCUBINSize(nvrtcProgram prog, size_t *cubinSizeRet)} */
    public static int nvrtcGetCUBINSize(MemorySegment prog, MemorySegment cubinSizeRet) {
        try {
            return (int) nvrtcGetCUBINSize$.HANDLE.invokeExact(prog, cubinSizeRet);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from nvrtcGetCUBINSize", e);
        }
    }

    private static final class nvrtcGetCUBIN$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("nvrtcGetCUBIN", DESC);
    }

    public static FunctionDescriptor nvrtcGetCUBIN$descriptor() {
        return nvrtcGetCUBIN$.DESC;
    }

    public static MethodHandle nvrtcGetCUBIN$handle() {
        return nvrtcGetCUBIN$.HANDLE;
    }

    /** {@code nvrtcResult nvrtcGetCUBIN(nvrtcProgram prog, char *cubin)} */
    public static int nvrtcGetCUBIN(MemorySegment prog, MemorySegment cubin) {
        try {
            return (int) nvrtcGetCUBIN$.HANDLE.invokeExact(prog, cubin);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from nvrtcGetCUBIN", e);
        }
    }
}
