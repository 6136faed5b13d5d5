package io.panrec.onednn.raw;

import io.panrec.onednn.OneDnnLibrary;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Raw bindings of the oneDNN 3.x C API, in jextract's layout: for each function {@code foo} a static
 * {@code foo(...)} that invokes it, {@code foo$handle()} and {@code foo$descriptor()}; the constants of
 * dnnl_types.h that panrec uses; and the struct layouts. Each section names the header it follows
 * (oneDNN 3.11, include/oneapi/dnnl). Handles are resolved lazily from {@link OneDnnLibrary#lookup()}, so a
 * missing library or symbol surfaces as an {@link UnsatisfiedLinkError} naming it, on first use.
 *
 * <p>Written from the headers, one entry per function panrec calls, with no logic; the safe layer
 * ({@code io.panrec.onednn}) is where checks live. Constant values were read from the headers by
 * compiling a program that prints them (the format-tag, query and layout-comparison entries were added
 * the same way when the convolutions started letting oneDNN choose their layouts).
 */
@SuppressWarnings({"unused", "checkstyle:MethodName"})
public final class dnnl_h {
    private dnnl_h() {
    }

    public static final ValueLayout.OfByte C_CHAR = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;

    // ------------------------------------------------------------------ dnnl_types.h / dnnl_common_types.h: structs

    /** {@code typedef struct { int arg; dnnl_memory_t memory; } dnnl_exec_arg_t;} */
    public static final StructLayout dnnl_exec_arg_t = MemoryLayout.structLayout(
            C_INT.withName("arg"), MemoryLayout.paddingLayout(4), C_POINTER.withName("memory")).withName("dnnl_exec_arg_t");

    /** {@code typedef struct { int major, minor, patch; const char *hash; unsigned cpu_runtime, gpu_runtime; } dnnl_version_t;} */
    public static final StructLayout dnnl_version_t = MemoryLayout.structLayout(
            C_INT.withName("major"), C_INT.withName("minor"), C_INT.withName("patch"), MemoryLayout.paddingLayout(4),
            C_POINTER.withName("hash"), C_INT.withName("cpu_runtime"), C_INT.withName("gpu_runtime")).withName("dnnl_version_t");

    /** {@code typedef dnnl_dim_t dnnl_dims_t[DNNL_MAX_NDIMS];} */
    public static final MemoryLayout dnnl_dims_t = MemoryLayout.sequenceLayout(12, C_LONG);

    // ------------------------------------------------------------------ dnnl_types.h / dnnl_common_types.h: constants
    public static final int dnnl_success = 0;
    public static final int dnnl_out_of_memory = 1;
    public static final int dnnl_invalid_arguments = 2;
    public static final int dnnl_unimplemented = 3;
    public static final int dnnl_last_impl_reached = 4;
    public static final int dnnl_runtime_error = 5;
    public static final int dnnl_not_required = 6;
    public static final int dnnl_cpu = 1;
    public static final int dnnl_stream_default_flags = 1;
    public static final int dnnl_f32 = 3;
    public static final int dnnl_f64 = 7;
    public static final int dnnl_s32 = 4;
    public static final int dnnl_data_type_undef = 0;
    public static final int dnnl_forward_training = 64;
    public static final int dnnl_forward_inference = 96;
    public static final int dnnl_backward = 128;
    public static final int dnnl_backward_data = 160;
    public static final int dnnl_backward_weights = 192;
    public static final int dnnl_eltwise_relu = 32;
    public static final int dnnl_eltwise_tanh = 33;
    public static final int dnnl_eltwise_exp = 42;
    public static final int dnnl_eltwise_log = 45;
    public static final int dnnl_eltwise_sqrt = 37;
    public static final int dnnl_eltwise_pow = 48;
    public static final int dnnl_eltwise_logistic = 41;
    public static final int dnnl_eltwise_abs = 36;
    public static final int dnnl_eltwise_soft_relu = 39;
    public static final int dnnl_eltwise_gelu_tanh = 43;
    public static final int dnnl_eltwise_linear = 38;
    public static final int dnnl_softmax_accurate = 196608;
    public static final int dnnl_softmax_log = 196609;
    public static final int dnnl_convolution_direct = 1;
    public static final int dnnl_pooling_max = 511;
    public static final int dnnl_pooling_avg_include_padding = 767;
    public static final int dnnl_pooling_avg_exclude_padding = 1023;
    public static final int dnnl_binary_add = 131056;
    public static final int dnnl_binary_sub = 131061;
    public static final int dnnl_binary_mul = 131057;
    public static final int dnnl_binary_div = 131060;
    public static final int dnnl_binary_max = 131058;
    public static final int dnnl_binary_min = 131059;
    public static final int dnnl_binary_eq = 131066;
    public static final int dnnl_binary_gt = 131063;
    public static final int dnnl_reduction_sum = 196596;
    public static final int dnnl_reduction_mean = 196598;
    public static final int dnnl_reduction_max = 196594;
    public static final int dnnl_reduction_min = 196595;
    public static final int dnnl_use_scale = 2;
    public static final int dnnl_use_shift = 4;
    public static final int dnnl_scratchpad_mode_user = 1;
    /** dnnl_fpmath_mode_t (dnnl_common_types.h): computations exactly in the data types. */
    public static final int dnnl_fpmath_mode_strict = 0;
    /** dnnl_fpmath_mode_t: f32 computations may down-convert to bf16 (products in bf16, sums in f32). */
    public static final int dnnl_fpmath_mode_bf16 = 1;
    public static final int dnnl_scratchpad_mode_library = 0;
    public static final int dnnl_query_scratchpad_md = 136;
    public static final int dnnl_query_workspace_md = 135;
    public static final int dnnl_query_dst_md = 133;
    public static final int dnnl_query_src_md = 129;
    public static final int dnnl_query_diff_src_md = 130;
    public static final int dnnl_query_weights_md = 131;
    public static final int dnnl_query_diff_weights_md = 132;
    public static final int dnnl_query_diff_dst_md = 134;
    public static final int dnnl_query_impl_info_str = 8;
    /** {@code dnnl_format_tag_any}: a primitive descriptor picks the layout (then queried for it). */
    public static final int dnnl_format_tag_any = 1;
    public static final int DNNL_ARG_SRC = 1;
    public static final int DNNL_ARG_SRC_1 = 2;
    public static final int DNNL_ARG_DST = 17;
    public static final int DNNL_ARG_WEIGHTS = 33;
    public static final int DNNL_ARG_BIAS = 41;
    public static final int DNNL_ARG_MEAN = 49;
    public static final int DNNL_ARG_VARIANCE = 50;
    public static final int DNNL_ARG_SCALE = 51;
    public static final int DNNL_ARG_SHIFT = 52;
    public static final int DNNL_ARG_WORKSPACE = 64;
    public static final int DNNL_ARG_SCRATCHPAD = 80;
    public static final int DNNL_ARG_DIFF_SRC = 129;
    public static final int DNNL_ARG_DIFF_DST = 145;
    public static final int DNNL_ARG_DIFF_WEIGHTS = 161;
    public static final int DNNL_ARG_DIFF_BIAS = 169;
    public static final int DNNL_ARG_DIFF_SCALE = 255;
    public static final int DNNL_ARG_DIFF_SHIFT = 256;
    public static final int DNNL_ARG_ATTR_SCALES = 4096;
    public static final int DNNL_MAX_NDIMS = 12;

    // ------------------------------------------------------------------ lookup

    private static MethodHandle handle(String name, FunctionDescriptor desc) {
        MemorySegment address = OneDnnLibrary.lookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("oneDNN symbol not found: " + name));
        return Linker.nativeLinker().downcallHandle(address, desc);
    }

    /** Reads major, minor, patch through dnnl_version in the given library (used before the library is accepted). */
    public static int[] version(SymbolLookup lookup) throws Throwable {
        MemorySegment fn = lookup.find("dnnl_version").orElseThrow(() -> new UnsatisfiedLinkError("dnnl_version"));
        MethodHandle h = Linker.nativeLinker().downcallHandle(fn, FunctionDescriptor.of(C_POINTER));
        MemorySegment v = ((MemorySegment) h.invokeExact()).reinterpret(dnnl_version_t.byteSize());
        return new int[] {v.get(C_INT, 0), v.get(C_INT, 4), v.get(C_INT, 8)};
    }

    // ------------------------------------------------------------------ dnnl_common.h: engine and stream

    private static final class dnnl_engine_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_LONG);
        static final MethodHandle HANDLE = handle("dnnl_engine_create", DESC);
    }

    public static FunctionDescriptor dnnl_engine_create$descriptor() {
        return dnnl_engine_create$.DESC;
    }

    public static MethodHandle dnnl_engine_create$handle() {
        return dnnl_engine_create$.HANDLE;
    }

    public static int dnnl_engine_create(MemorySegment engine, int kind, long index) {
        try {
            return (int) dnnl_engine_create$.HANDLE.invokeExact(engine, kind, index);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_engine_create", e);
        }
    }

    private static final class dnnl_engine_destroy$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_engine_destroy", DESC);
    }

    public static FunctionDescriptor dnnl_engine_destroy$descriptor() {
        return dnnl_engine_destroy$.DESC;
    }

    public static MethodHandle dnnl_engine_destroy$handle() {
        return dnnl_engine_destroy$.HANDLE;
    }

    public static int dnnl_engine_destroy(MemorySegment engine) {
        try {
            return (int) dnnl_engine_destroy$.HANDLE.invokeExact(engine);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_engine_destroy", e);
        }
    }

    private static final class dnnl_stream_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("dnnl_stream_create", DESC);
    }

    public static FunctionDescriptor dnnl_stream_create$descriptor() {
        return dnnl_stream_create$.DESC;
    }

    public static MethodHandle dnnl_stream_create$handle() {
        return dnnl_stream_create$.HANDLE;
    }

    public static int dnnl_stream_create(MemorySegment stream, MemorySegment engine, int flags) {
        try {
            return (int) dnnl_stream_create$.HANDLE.invokeExact(stream, engine, flags);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_stream_create", e);
        }
    }

    private static final class dnnl_stream_wait$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_stream_wait", DESC);
    }

    public static FunctionDescriptor dnnl_stream_wait$descriptor() {
        return dnnl_stream_wait$.DESC;
    }

    public static MethodHandle dnnl_stream_wait$handle() {
        return dnnl_stream_wait$.HANDLE;
    }

    public static int dnnl_stream_wait(MemorySegment stream) {
        try {
            return (int) dnnl_stream_wait$.HANDLE.invokeExact(stream);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_stream_wait", e);
        }
    }

    private static final class dnnl_stream_destroy$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_stream_destroy", DESC);
    }

    public static FunctionDescriptor dnnl_stream_destroy$descriptor() {
        return dnnl_stream_destroy$.DESC;
    }

    public static MethodHandle dnnl_stream_destroy$handle() {
        return dnnl_stream_destroy$.HANDLE;
    }

    public static int dnnl_stream_destroy(MemorySegment stream) {
        try {
            return (int) dnnl_stream_destroy$.HANDLE.invokeExact(stream);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_stream_destroy", e);
        }
    }

    private static final class dnnl_version$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_version", DESC);
    }

    public static FunctionDescriptor dnnl_version$descriptor() {
        return dnnl_version$.DESC;
    }

    public static MethodHandle dnnl_version$handle() {
        return dnnl_version$.HANDLE;
    }

    public static MemorySegment dnnl_version() {
        try {
            return (MemorySegment) dnnl_version$.HANDLE.invokeExact();
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_version", e);
        }
    }

    // ------------------------------------------------------------------ dnnl.h: memory descriptors and memory

    private static final class dnnl_memory_desc_create_with_strides$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_memory_desc_create_with_strides", DESC);
    }

    public static FunctionDescriptor dnnl_memory_desc_create_with_strides$descriptor() {
        return dnnl_memory_desc_create_with_strides$.DESC;
    }

    public static MethodHandle dnnl_memory_desc_create_with_strides$handle() {
        return dnnl_memory_desc_create_with_strides$.HANDLE;
    }

    public static int dnnl_memory_desc_create_with_strides(MemorySegment memory_desc, int ndims, MemorySegment dims, int data_type, MemorySegment strides) {
        try {
            return (int) dnnl_memory_desc_create_with_strides$.HANDLE.invokeExact(memory_desc, ndims, dims, data_type, strides);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_memory_desc_create_with_strides", e);
        }
    }

    private static final class dnnl_memory_desc_create_with_tag$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_INT, C_INT);
        static final MethodHandle HANDLE = handle("dnnl_memory_desc_create_with_tag", DESC);
    }

    public static FunctionDescriptor dnnl_memory_desc_create_with_tag$descriptor() {
        return dnnl_memory_desc_create_with_tag$.DESC;
    }

    public static MethodHandle dnnl_memory_desc_create_with_tag$handle() {
        return dnnl_memory_desc_create_with_tag$.HANDLE;
    }

    public static int dnnl_memory_desc_create_with_tag(MemorySegment memory_desc, int ndims, MemorySegment dims, int data_type, int tag) {
        try {
            return (int) dnnl_memory_desc_create_with_tag$.HANDLE.invokeExact(memory_desc, ndims, dims, data_type, tag);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_memory_desc_create_with_tag", e);
        }
    }

    private static final class dnnl_memory_desc_equal$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_memory_desc_equal", DESC);
    }

    public static FunctionDescriptor dnnl_memory_desc_equal$descriptor() {
        return dnnl_memory_desc_equal$.DESC;
    }

    public static MethodHandle dnnl_memory_desc_equal$handle() {
        return dnnl_memory_desc_equal$.HANDLE;
    }

    /** 1 when the two descriptors describe the same memory layout, 0 otherwise. */
    public static int dnnl_memory_desc_equal(MemorySegment lhs, MemorySegment rhs) {
        try {
            return (int) dnnl_memory_desc_equal$.HANDLE.invokeExact(lhs, rhs);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_memory_desc_equal", e);
        }
    }

    private static final class dnnl_primitive_desc_next_impl$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_primitive_desc_next_impl", DESC);
    }

    public static FunctionDescriptor dnnl_primitive_desc_next_impl$descriptor() {
        return dnnl_primitive_desc_next_impl$.DESC;
    }

    public static MethodHandle dnnl_primitive_desc_next_impl$handle() {
        return dnnl_primitive_desc_next_impl$.HANDLE;
    }

    /** Moves the primitive descriptor to oneDNN's next implementation; {@code dnnl_last_impl_reached} (unchanged) when none is left. */
    public static int dnnl_primitive_desc_next_impl(MemorySegment primitive_desc) {
        try {
            return (int) dnnl_primitive_desc_next_impl$.HANDLE.invokeExact(primitive_desc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_primitive_desc_next_impl", e);
        }
    }

    private static final class dnnl_primitive_desc_query$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_primitive_desc_query", DESC);
    }

    public static FunctionDescriptor dnnl_primitive_desc_query$descriptor() {
        return dnnl_primitive_desc_query$.DESC;
    }

    public static MethodHandle dnnl_primitive_desc_query$handle() {
        return dnnl_primitive_desc_query$.HANDLE;
    }

    /** Writes the queried value ({@code what}: a dnnl_query_t) into {@code result}; e.g. a {@code const char *} for impl_info_str. */
    public static int dnnl_primitive_desc_query(MemorySegment primitive_desc, int what, int index, MemorySegment result) {
        try {
            return (int) dnnl_primitive_desc_query$.HANDLE.invokeExact(primitive_desc, what, index, result);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_primitive_desc_query", e);
        }
    }

    private static final class dnnl_memory_desc_destroy$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_memory_desc_destroy", DESC);
    }

    public static FunctionDescriptor dnnl_memory_desc_destroy$descriptor() {
        return dnnl_memory_desc_destroy$.DESC;
    }

    public static MethodHandle dnnl_memory_desc_destroy$handle() {
        return dnnl_memory_desc_destroy$.HANDLE;
    }

    public static int dnnl_memory_desc_destroy(MemorySegment memory_desc) {
        try {
            return (int) dnnl_memory_desc_destroy$.HANDLE.invokeExact(memory_desc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_memory_desc_destroy", e);
        }
    }

    private static final class dnnl_memory_desc_get_size$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_LONG, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_memory_desc_get_size", DESC);
    }

    public static FunctionDescriptor dnnl_memory_desc_get_size$descriptor() {
        return dnnl_memory_desc_get_size$.DESC;
    }

    public static MethodHandle dnnl_memory_desc_get_size$handle() {
        return dnnl_memory_desc_get_size$.HANDLE;
    }

    public static long dnnl_memory_desc_get_size(MemorySegment memory_desc) {
        try {
            return (long) dnnl_memory_desc_get_size$.HANDLE.invokeExact(memory_desc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_memory_desc_get_size", e);
        }
    }

    private static final class dnnl_memory_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_memory_create", DESC);
    }

    public static FunctionDescriptor dnnl_memory_create$descriptor() {
        return dnnl_memory_create$.DESC;
    }

    public static MethodHandle dnnl_memory_create$handle() {
        return dnnl_memory_create$.HANDLE;
    }

    public static int dnnl_memory_create(MemorySegment memory, MemorySegment memory_desc, MemorySegment engine, MemorySegment handle) {
        try {
            return (int) dnnl_memory_create$.HANDLE.invokeExact(memory, memory_desc, engine, handle);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_memory_create", e);
        }
    }

    private static final class dnnl_memory_set_data_handle$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_memory_set_data_handle", DESC);
    }

    public static FunctionDescriptor dnnl_memory_set_data_handle$descriptor() {
        return dnnl_memory_set_data_handle$.DESC;
    }

    public static MethodHandle dnnl_memory_set_data_handle$handle() {
        return dnnl_memory_set_data_handle$.HANDLE;
    }

    public static int dnnl_memory_set_data_handle(MemorySegment memory, MemorySegment handle) {
        try {
            return (int) dnnl_memory_set_data_handle$.HANDLE.invokeExact(memory, handle);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_memory_set_data_handle", e);
        }
    }

    private static final class dnnl_memory_destroy$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_memory_destroy", DESC);
    }

    public static FunctionDescriptor dnnl_memory_destroy$descriptor() {
        return dnnl_memory_destroy$.DESC;
    }

    public static MethodHandle dnnl_memory_destroy$handle() {
        return dnnl_memory_destroy$.HANDLE;
    }

    public static int dnnl_memory_destroy(MemorySegment memory) {
        try {
            return (int) dnnl_memory_destroy$.HANDLE.invokeExact(memory);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_memory_destroy", e);
        }
    }

    // ------------------------------------------------------------------ dnnl.h: primitive descriptors, primitives, attributes and post-ops

    private static final class dnnl_primitive_desc_destroy$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_primitive_desc_destroy", DESC);
    }

    public static FunctionDescriptor dnnl_primitive_desc_destroy$descriptor() {
        return dnnl_primitive_desc_destroy$.DESC;
    }

    public static MethodHandle dnnl_primitive_desc_destroy$handle() {
        return dnnl_primitive_desc_destroy$.HANDLE;
    }

    public static int dnnl_primitive_desc_destroy(MemorySegment primitive_desc) {
        try {
            return (int) dnnl_primitive_desc_destroy$.HANDLE.invokeExact(primitive_desc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_primitive_desc_destroy", e);
        }
    }

    private static final class dnnl_primitive_desc_query_md$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER, C_POINTER, C_INT, C_INT);
        static final MethodHandle HANDLE = handle("dnnl_primitive_desc_query_md", DESC);
    }

    public static FunctionDescriptor dnnl_primitive_desc_query_md$descriptor() {
        return dnnl_primitive_desc_query_md$.DESC;
    }

    public static MethodHandle dnnl_primitive_desc_query_md$handle() {
        return dnnl_primitive_desc_query_md$.HANDLE;
    }

    public static MemorySegment dnnl_primitive_desc_query_md(MemorySegment primitive_desc, int what, int index) {
        try {
            return (MemorySegment) dnnl_primitive_desc_query_md$.HANDLE.invokeExact(primitive_desc, what, index);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_primitive_desc_query_md", e);
        }
    }

    private static final class dnnl_primitive_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_primitive_create", DESC);
    }

    public static FunctionDescriptor dnnl_primitive_create$descriptor() {
        return dnnl_primitive_create$.DESC;
    }

    public static MethodHandle dnnl_primitive_create$handle() {
        return dnnl_primitive_create$.HANDLE;
    }

    public static int dnnl_primitive_create(MemorySegment primitive, MemorySegment primitive_desc) {
        try {
            return (int) dnnl_primitive_create$.HANDLE.invokeExact(primitive, primitive_desc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_primitive_create", e);
        }
    }

    private static final class dnnl_primitive_execute$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_primitive_execute", DESC);
    }

    public static FunctionDescriptor dnnl_primitive_execute$descriptor() {
        return dnnl_primitive_execute$.DESC;
    }

    public static MethodHandle dnnl_primitive_execute$handle() {
        return dnnl_primitive_execute$.HANDLE;
    }

    public static int dnnl_primitive_execute(MemorySegment primitive, MemorySegment stream, int nargs, MemorySegment args) {
        try {
            return (int) dnnl_primitive_execute$.HANDLE.invokeExact(primitive, stream, nargs, args);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_primitive_execute", e);
        }
    }

    private static final class dnnl_primitive_destroy$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_primitive_destroy", DESC);
    }

    public static FunctionDescriptor dnnl_primitive_destroy$descriptor() {
        return dnnl_primitive_destroy$.DESC;
    }

    public static MethodHandle dnnl_primitive_destroy$handle() {
        return dnnl_primitive_destroy$.HANDLE;
    }

    public static int dnnl_primitive_destroy(MemorySegment primitive) {
        try {
            return (int) dnnl_primitive_destroy$.HANDLE.invokeExact(primitive);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_primitive_destroy", e);
        }
    }

    private static final class dnnl_primitive_attr_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_primitive_attr_create", DESC);
    }

    public static FunctionDescriptor dnnl_primitive_attr_create$descriptor() {
        return dnnl_primitive_attr_create$.DESC;
    }

    public static MethodHandle dnnl_primitive_attr_create$handle() {
        return dnnl_primitive_attr_create$.HANDLE;
    }

    public static int dnnl_primitive_attr_create(MemorySegment attr) {
        try {
            return (int) dnnl_primitive_attr_create$.HANDLE.invokeExact(attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_primitive_attr_create", e);
        }
    }

    private static final class dnnl_primitive_attr_destroy$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_primitive_attr_destroy", DESC);
    }

    public static FunctionDescriptor dnnl_primitive_attr_destroy$descriptor() {
        return dnnl_primitive_attr_destroy$.DESC;
    }

    public static MethodHandle dnnl_primitive_attr_destroy$handle() {
        return dnnl_primitive_attr_destroy$.HANDLE;
    }

    public static int dnnl_primitive_attr_destroy(MemorySegment attr) {
        try {
            return (int) dnnl_primitive_attr_destroy$.HANDLE.invokeExact(attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_primitive_attr_destroy", e);
        }
    }

    private static final class dnnl_primitive_attr_set_scratchpad_mode$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("dnnl_primitive_attr_set_scratchpad_mode", DESC);
    }

    public static FunctionDescriptor dnnl_primitive_attr_set_scratchpad_mode$descriptor() {
        return dnnl_primitive_attr_set_scratchpad_mode$.DESC;
    }

    public static MethodHandle dnnl_primitive_attr_set_scratchpad_mode$handle() {
        return dnnl_primitive_attr_set_scratchpad_mode$.HANDLE;
    }

    public static int dnnl_primitive_attr_set_scratchpad_mode(MemorySegment attr, int mode) {
        try {
            return (int) dnnl_primitive_attr_set_scratchpad_mode$.HANDLE.invokeExact(attr, mode);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_primitive_attr_set_scratchpad_mode", e);
        }
    }

    private static final class dnnl_primitive_attr_set_fpmath_mode$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        static final MethodHandle HANDLE = handle("dnnl_primitive_attr_set_fpmath_mode", DESC);
    }

    public static FunctionDescriptor dnnl_primitive_attr_set_fpmath_mode$descriptor() {
        return dnnl_primitive_attr_set_fpmath_mode$.DESC;
    }

    public static MethodHandle dnnl_primitive_attr_set_fpmath_mode$handle() {
        return dnnl_primitive_attr_set_fpmath_mode$.HANDLE;
    }

    public static int dnnl_primitive_attr_set_fpmath_mode(MemorySegment attr, int mode) {
        try {
            return (int) dnnl_primitive_attr_set_fpmath_mode$.HANDLE.invokeExact(attr, mode);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_primitive_attr_set_fpmath_mode", e);
        }
    }

    private static final class dnnl_primitive_attr_set_post_ops$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_primitive_attr_set_post_ops", DESC);
    }

    public static FunctionDescriptor dnnl_primitive_attr_set_post_ops$descriptor() {
        return dnnl_primitive_attr_set_post_ops$.DESC;
    }

    public static MethodHandle dnnl_primitive_attr_set_post_ops$handle() {
        return dnnl_primitive_attr_set_post_ops$.HANDLE;
    }

    public static int dnnl_primitive_attr_set_post_ops(MemorySegment attr, MemorySegment post_ops) {
        try {
            return (int) dnnl_primitive_attr_set_post_ops$.HANDLE.invokeExact(attr, post_ops);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_primitive_attr_set_post_ops", e);
        }
    }

    private static final class dnnl_primitive_attr_set_scales_mask$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT);
        static final MethodHandle HANDLE = handle("dnnl_primitive_attr_set_scales_mask", DESC);
    }

    public static FunctionDescriptor dnnl_primitive_attr_set_scales_mask$descriptor() {
        return dnnl_primitive_attr_set_scales_mask$.DESC;
    }

    public static MethodHandle dnnl_primitive_attr_set_scales_mask$handle() {
        return dnnl_primitive_attr_set_scales_mask$.HANDLE;
    }

    public static int dnnl_primitive_attr_set_scales_mask(MemorySegment attr, int arg, int mask) {
        try {
            return (int) dnnl_primitive_attr_set_scales_mask$.HANDLE.invokeExact(attr, arg, mask);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_primitive_attr_set_scales_mask", e);
        }
    }

    private static final class dnnl_post_ops_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_post_ops_create", DESC);
    }

    public static FunctionDescriptor dnnl_post_ops_create$descriptor() {
        return dnnl_post_ops_create$.DESC;
    }

    public static MethodHandle dnnl_post_ops_create$handle() {
        return dnnl_post_ops_create$.HANDLE;
    }

    public static int dnnl_post_ops_create(MemorySegment post_ops) {
        try {
            return (int) dnnl_post_ops_create$.HANDLE.invokeExact(post_ops);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_post_ops_create", e);
        }
    }

    private static final class dnnl_post_ops_destroy$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_post_ops_destroy", DESC);
    }

    public static FunctionDescriptor dnnl_post_ops_destroy$descriptor() {
        return dnnl_post_ops_destroy$.DESC;
    }

    public static MethodHandle dnnl_post_ops_destroy$handle() {
        return dnnl_post_ops_destroy$.HANDLE;
    }

    public static int dnnl_post_ops_destroy(MemorySegment post_ops) {
        try {
            return (int) dnnl_post_ops_destroy$.HANDLE.invokeExact(post_ops);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_post_ops_destroy", e);
        }
    }

    private static final class dnnl_post_ops_append_eltwise$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_FLOAT, C_FLOAT);
        static final MethodHandle HANDLE = handle("dnnl_post_ops_append_eltwise", DESC);
    }

    public static FunctionDescriptor dnnl_post_ops_append_eltwise$descriptor() {
        return dnnl_post_ops_append_eltwise$.DESC;
    }

    public static MethodHandle dnnl_post_ops_append_eltwise$handle() {
        return dnnl_post_ops_append_eltwise$.HANDLE;
    }

    public static int dnnl_post_ops_append_eltwise(MemorySegment post_ops, int alg_kind, float alpha, float beta) {
        try {
            return (int) dnnl_post_ops_append_eltwise$.HANDLE.invokeExact(post_ops, alg_kind, alpha, beta);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_post_ops_append_eltwise", e);
        }
    }

    private static final class dnnl_post_ops_append_sum$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_FLOAT, C_INT, C_INT);
        static final MethodHandle HANDLE = handle("dnnl_post_ops_append_sum", DESC);
    }

    public static FunctionDescriptor dnnl_post_ops_append_sum$descriptor() {
        return dnnl_post_ops_append_sum$.DESC;
    }

    public static MethodHandle dnnl_post_ops_append_sum$handle() {
        return dnnl_post_ops_append_sum$.HANDLE;
    }

    public static int dnnl_post_ops_append_sum(MemorySegment post_ops, float scale, int zero_point, int data_type) {
        try {
            return (int) dnnl_post_ops_append_sum$.HANDLE.invokeExact(post_ops, scale, zero_point, data_type);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_post_ops_append_sum", e);
        }
    }

    // ------------------------------------------------------------------ dnnl.h: the primitives panrec uses

    private static final class dnnl_matmul_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_matmul_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_matmul_primitive_desc_create$descriptor() {
        return dnnl_matmul_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_matmul_primitive_desc_create$handle() {
        return dnnl_matmul_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_matmul_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, MemorySegment src_desc, MemorySegment weights_desc, MemorySegment bias_desc, MemorySegment dst_desc, MemorySegment attr) {
        try {
            return (int) dnnl_matmul_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, src_desc, weights_desc, bias_desc, dst_desc, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_matmul_primitive_desc_create", e);
        }
    }

    private static final class dnnl_eltwise_forward_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_FLOAT, C_FLOAT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_eltwise_forward_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_eltwise_forward_primitive_desc_create$descriptor() {
        return dnnl_eltwise_forward_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_eltwise_forward_primitive_desc_create$handle() {
        return dnnl_eltwise_forward_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_eltwise_forward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, int alg_kind, MemorySegment src_desc, MemorySegment dst_desc, float alpha, float beta, MemorySegment attr) {
        try {
            return (int) dnnl_eltwise_forward_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, prop_kind, alg_kind, src_desc, dst_desc, alpha, beta, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_eltwise_forward_primitive_desc_create", e);
        }
    }

    private static final class dnnl_eltwise_backward_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_FLOAT, C_FLOAT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_eltwise_backward_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_eltwise_backward_primitive_desc_create$descriptor() {
        return dnnl_eltwise_backward_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_eltwise_backward_primitive_desc_create$handle() {
        return dnnl_eltwise_backward_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_eltwise_backward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int alg_kind, MemorySegment diff_src_desc, MemorySegment diff_dst_desc, MemorySegment data_desc, float alpha, float beta, MemorySegment hint_fwd_pd, MemorySegment attr) {
        try {
            return (int) dnnl_eltwise_backward_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, alg_kind, diff_src_desc, diff_dst_desc, data_desc, alpha, beta, hint_fwd_pd, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_eltwise_backward_primitive_desc_create", e);
        }
    }

    private static final class dnnl_softmax_forward_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_softmax_forward_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_softmax_forward_primitive_desc_create$descriptor() {
        return dnnl_softmax_forward_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_softmax_forward_primitive_desc_create$handle() {
        return dnnl_softmax_forward_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_softmax_forward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, int alg_kind, MemorySegment src_desc, MemorySegment dst_desc, int softmax_axis, MemorySegment attr) {
        try {
            return (int) dnnl_softmax_forward_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, prop_kind, alg_kind, src_desc, dst_desc, softmax_axis, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_softmax_forward_primitive_desc_create", e);
        }
    }

    private static final class dnnl_softmax_backward_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_softmax_backward_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_softmax_backward_primitive_desc_create$descriptor() {
        return dnnl_softmax_backward_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_softmax_backward_primitive_desc_create$handle() {
        return dnnl_softmax_backward_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_softmax_backward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int alg_kind, MemorySegment diff_src_desc, MemorySegment diff_dst_desc, MemorySegment dst_desc, int softmax_axis, MemorySegment hint_fwd_pd, MemorySegment attr) {
        try {
            return (int) dnnl_softmax_backward_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, alg_kind, diff_src_desc, diff_dst_desc, dst_desc, softmax_axis, hint_fwd_pd, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_softmax_backward_primitive_desc_create", e);
        }
    }

    private static final class dnnl_convolution_forward_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_convolution_forward_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_convolution_forward_primitive_desc_create$descriptor() {
        return dnnl_convolution_forward_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_convolution_forward_primitive_desc_create$handle() {
        return dnnl_convolution_forward_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_convolution_forward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, int alg_kind, MemorySegment src_desc, MemorySegment weights_desc, MemorySegment bias_desc, MemorySegment dst_desc, MemorySegment strides, MemorySegment dilates, MemorySegment padding_l, MemorySegment padding_r, MemorySegment attr) {
        try {
            return (int) dnnl_convolution_forward_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, prop_kind, alg_kind, src_desc, weights_desc, bias_desc, dst_desc, strides, dilates, padding_l, padding_r, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_convolution_forward_primitive_desc_create", e);
        }
    }

    private static final class dnnl_convolution_backward_data_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_convolution_backward_data_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_convolution_backward_data_primitive_desc_create$descriptor() {
        return dnnl_convolution_backward_data_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_convolution_backward_data_primitive_desc_create$handle() {
        return dnnl_convolution_backward_data_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_convolution_backward_data_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int alg_kind, MemorySegment diff_src_desc, MemorySegment weights_desc, MemorySegment diff_dst_desc, MemorySegment strides, MemorySegment dilates, MemorySegment padding_l, MemorySegment padding_r, MemorySegment hint_fwd_pd, MemorySegment attr) {
        try {
            return (int) dnnl_convolution_backward_data_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, alg_kind, diff_src_desc, weights_desc, diff_dst_desc, strides, dilates, padding_l, padding_r, hint_fwd_pd, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_convolution_backward_data_primitive_desc_create", e);
        }
    }

    private static final class dnnl_convolution_backward_weights_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_convolution_backward_weights_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_convolution_backward_weights_primitive_desc_create$descriptor() {
        return dnnl_convolution_backward_weights_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_convolution_backward_weights_primitive_desc_create$handle() {
        return dnnl_convolution_backward_weights_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_convolution_backward_weights_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int alg_kind, MemorySegment src_desc, MemorySegment diff_weights_desc, MemorySegment diff_bias_desc, MemorySegment diff_dst_desc, MemorySegment strides, MemorySegment dilates, MemorySegment padding_l, MemorySegment padding_r, MemorySegment hint_fwd_pd, MemorySegment attr) {
        try {
            return (int) dnnl_convolution_backward_weights_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, alg_kind, src_desc, diff_weights_desc, diff_bias_desc, diff_dst_desc, strides, dilates, padding_l, padding_r, hint_fwd_pd, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_convolution_backward_weights_primitive_desc_create", e);
        }
    }

    private static final class dnnl_pooling_forward_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_pooling_forward_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_pooling_forward_primitive_desc_create$descriptor() {
        return dnnl_pooling_forward_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_pooling_forward_primitive_desc_create$handle() {
        return dnnl_pooling_forward_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_pooling_forward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, int alg_kind, MemorySegment src_desc, MemorySegment dst_desc, MemorySegment strides, MemorySegment kernel, MemorySegment dilation, MemorySegment padding_l, MemorySegment padding_r, MemorySegment attr) {
        try {
            return (int) dnnl_pooling_forward_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, prop_kind, alg_kind, src_desc, dst_desc, strides, kernel, dilation, padding_l, padding_r, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_pooling_forward_primitive_desc_create", e);
        }
    }

    private static final class dnnl_pooling_backward_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_pooling_backward_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_pooling_backward_primitive_desc_create$descriptor() {
        return dnnl_pooling_backward_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_pooling_backward_primitive_desc_create$handle() {
        return dnnl_pooling_backward_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_pooling_backward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int alg_kind, MemorySegment diff_src_desc, MemorySegment diff_dst_desc, MemorySegment strides, MemorySegment kernel, MemorySegment dilation, MemorySegment padding_l, MemorySegment padding_r, MemorySegment hint_fwd_pd, MemorySegment attr) {
        try {
            return (int) dnnl_pooling_backward_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, alg_kind, diff_src_desc, diff_dst_desc, strides, kernel, dilation, padding_l, padding_r, hint_fwd_pd, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_pooling_backward_primitive_desc_create", e);
        }
    }

    private static final class dnnl_layer_normalization_forward_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_FLOAT, C_INT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_layer_normalization_forward_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_layer_normalization_forward_primitive_desc_create$descriptor() {
        return dnnl_layer_normalization_forward_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_layer_normalization_forward_primitive_desc_create$handle() {
        return dnnl_layer_normalization_forward_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_layer_normalization_forward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, MemorySegment src_desc, MemorySegment dst_desc, MemorySegment stat_desc, float epsilon, int flags, MemorySegment attr) {
        try {
            return (int) dnnl_layer_normalization_forward_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, prop_kind, src_desc, dst_desc, stat_desc, epsilon, flags, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_layer_normalization_forward_primitive_desc_create", e);
        }
    }

    private static final class dnnl_layer_normalization_backward_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_FLOAT, C_INT, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_layer_normalization_backward_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_layer_normalization_backward_primitive_desc_create$descriptor() {
        return dnnl_layer_normalization_backward_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_layer_normalization_backward_primitive_desc_create$handle() {
        return dnnl_layer_normalization_backward_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_layer_normalization_backward_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int prop_kind, MemorySegment diff_src_desc, MemorySegment diff_dst_desc, MemorySegment src_desc, MemorySegment stat_desc, float epsilon, int flags, MemorySegment hint_fwd_pd, MemorySegment attr) {
        try {
            return (int) dnnl_layer_normalization_backward_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, prop_kind, diff_src_desc, diff_dst_desc, src_desc, stat_desc, epsilon, flags, hint_fwd_pd, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_layer_normalization_backward_primitive_desc_create", e);
        }
    }

    private static final class dnnl_binary_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_binary_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_binary_primitive_desc_create$descriptor() {
        return dnnl_binary_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_binary_primitive_desc_create$handle() {
        return dnnl_binary_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_binary_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int alg_kind, MemorySegment src0_desc, MemorySegment src1_desc, MemorySegment dst_desc, MemorySegment attr) {
        try {
            return (int) dnnl_binary_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, alg_kind, src0_desc, src1_desc, dst_desc, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_binary_primitive_desc_create", e);
        }
    }

    private static final class dnnl_reduction_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_POINTER, C_FLOAT, C_FLOAT, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_reduction_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_reduction_primitive_desc_create$descriptor() {
        return dnnl_reduction_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_reduction_primitive_desc_create$handle() {
        return dnnl_reduction_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_reduction_primitive_desc_create(MemorySegment primitive_desc, MemorySegment engine, int alg_kind, MemorySegment src_desc, MemorySegment dst_desc, float p, float eps, MemorySegment attr) {
        try {
            return (int) dnnl_reduction_primitive_desc_create$.HANDLE.invokeExact(primitive_desc, engine, alg_kind, src_desc, dst_desc, p, eps, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_reduction_primitive_desc_create", e);
        }
    }

    private static final class dnnl_reorder_primitive_desc_create$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        static final MethodHandle HANDLE = handle("dnnl_reorder_primitive_desc_create", DESC);
    }

    public static FunctionDescriptor dnnl_reorder_primitive_desc_create$descriptor() {
        return dnnl_reorder_primitive_desc_create$.DESC;
    }

    public static MethodHandle dnnl_reorder_primitive_desc_create$handle() {
        return dnnl_reorder_primitive_desc_create$.HANDLE;
    }

    public static int dnnl_reorder_primitive_desc_create(MemorySegment reorder_primitive_desc, MemorySegment src_desc, MemorySegment src_engine, MemorySegment dst_desc, MemorySegment dst_engine, MemorySegment attr) {
        try {
            return (int) dnnl_reorder_primitive_desc_create$.HANDLE.invokeExact(reorder_primitive_desc, src_desc, src_engine, dst_desc, dst_engine, attr);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_reorder_primitive_desc_create", e);
        }
    }

    // ------------------------------------------------------------------ dnnl.h: BLAS-like functions

    private static final class dnnl_sgemm$ {
        static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_CHAR, C_CHAR, C_LONG, C_LONG, C_LONG, C_FLOAT, C_POINTER, C_LONG, C_POINTER, C_LONG, C_FLOAT, C_POINTER, C_LONG);
        static final MethodHandle HANDLE = handle("dnnl_sgemm", DESC);
    }

    public static FunctionDescriptor dnnl_sgemm$descriptor() {
        return dnnl_sgemm$.DESC;
    }

    public static MethodHandle dnnl_sgemm$handle() {
        return dnnl_sgemm$.HANDLE;
    }

    public static int dnnl_sgemm(byte transa, byte transb, long M, long N, long K, float alpha, MemorySegment A, long lda, MemorySegment B, long ldb, float beta, MemorySegment C, long ldc) {
        try {
            return (int) dnnl_sgemm$.HANDLE.invokeExact(transa, transb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("unexpected checked exception from dnnl_sgemm", e);
        }
    }
}
