package io.panrec.onednn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

import static io.panrec.onednn.raw.dnnl_h.*;

/**
 * The safe layer over {@link io.panrec.onednn.raw.dnnl_h}: each oneDNN object is an AutoCloseable handle
 * whose C destructor runs exactly once — at {@link Handle#close()}, or when the {@link Arena} it was tied
 * to closes (for {@link Arena#ofAuto()}: when the arena becomes unreachable), whichever comes first — and
 * every status is checked ({@link DnnlException}).
 *
 * <p>A handle tied to an arena passes a segment of that arena to every native call, so the FFM runtime
 * keeps the arena alive for the duration of the call: an auto arena's cleanup can never run under a
 * primitive that another thread is executing. After close, any use throws {@link IllegalStateException}.
 */
public final class Dnnl {
    private Dnnl() {
    }

    private static final AtomicLong IDS = new AtomicLong();
    private static final AtomicLong DESTROYED = new AtomicLong();

    /** How many oneDNN objects the safe layer has destroyed so far (tests use it to see destructors run). */
    public static long destroyedCount() {
        return DESTROYED.get();
    }

    /** The process-wide CPU engine, created on first use and never destroyed: streams and memory objects of every thread refer to it. */
    public static Engine engine() {
        return EngineHolder.ENGINE;
    }

    private static final class EngineHolder {
        static final Engine ENGINE = new Engine(Arena.global());
    }

    /** Base of the handles: the native pointer, a process-unique id, and a destructor that runs once. */
    public abstract static class Handle implements AutoCloseable {
        private final MemorySegment handle;
        private final MemorySegment raw;
        private final AtomicBoolean destroyed;
        private final ToIntFunction<MemorySegment> destructor;
        private final long id = IDS.incrementAndGet();

        /**
         * @param raw        the pointer the create function wrote
         * @param arena      the arena whose closing also destroys it, or null for explicit close only
         * @param destructor the C destroy function (a static method reference: it must not capture this handle,
         *                   or an auto arena could never become unreachable)
         */
        Handle(MemorySegment raw, Arena arena, ToIntFunction<MemorySegment> destructor) {
            AtomicBoolean flag = new AtomicBoolean();
            this.destroyed = flag;
            this.destructor = destructor;
            this.raw = raw;
            this.handle = arena == null ? raw : raw.reinterpret(arena, s -> destroyOnce(flag, destructor, s));
        }

        private static void destroyOnce(AtomicBoolean flag, ToIntFunction<MemorySegment> destructor, MemorySegment s) {
            if (flag.compareAndSet(false, true)) {
                destructor.applyAsInt(s);
                DESTROYED.incrementAndGet();
            }
        }

        /** The native handle; throws if it was destroyed (or its arena closed). */
        public MemorySegment handle() {
            if (destroyed.get()) {
                throw new IllegalStateException(getClass().getSimpleName() + " #" + id + " is closed");
            }
            return handle;
        }

        /** Unique in this process, never reused (unlike addresses): per-thread caches key on it. */
        public long id() {
            return id;
        }

        public boolean isClosed() {
            return destroyed.get();
        }

        @Override
        public void close() {
            destroyOnce(destroyed, destructor, raw);
        }
    }

    /** Calls create(out) with an out-pointer from a confined arena and returns what it wrote. */
    interface Creator {
        int create(MemorySegment out);
    }

    static MemorySegment create(String function, Creator c) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(C_POINTER);
            DnnlException.check(c.create(out), function);
            return out.get(C_POINTER, 0);
        }
    }

    /** A CPU engine. Thread-safe; panrec uses the one of {@link #engine()}. */
    public static final class Engine extends Handle {
        public Engine(Arena arena) {
            super(create("dnnl_engine_create", out -> dnnl_engine_create(out, dnnl_cpu, 0)), arena, Dnnl::destroyEngine);
        }
    }

    /** An execution stream. Not thread-safe: one per thread. */
    public static final class Stream extends Handle {
        public Stream(Engine engine, Arena arena) {
            super(create("dnnl_stream_create", out -> dnnl_stream_create(out, engine.handle(), dnnl_stream_default_flags)), arena,
                    Dnnl::destroyStream);
        }

        public void waitDone() {
            DnnlException.check(dnnl_stream_wait(handle()), "dnnl_stream_wait");
        }
    }

    /** Something that can describe memory: a {@link MemoryDesc}, or one a primitive descriptor owns. */
    public interface Desc {
        MemorySegment handle();

        long id();
    }

    /**
     * A memory descriptor: plain (strided), or {@link #any} (no layout yet: a primitive descriptor created
     * with it picks the layout its fastest implementation wants, and is queried for it).
     */
    public static final class MemoryDesc extends Handle implements Desc {
        private final long[] dims;

        public MemoryDesc(long[] dims, long[] strides, int dataType, Arena arena) {
            super(make(dims, strides, dataType), arena, Dnnl::destroyMemoryDesc);
            this.dims = dims.clone();
        }

        private MemoryDesc(long[] dims, int dataType, int formatTag, Arena arena) {
            super(makeTagged(dims, dataType, formatTag), arena, Dnnl::destroyMemoryDesc);
            this.dims = dims.clone();
        }

        /** Dimensions and data type with the layout left to the primitive ({@code dnnl_format_tag_any}). */
        public static MemoryDesc any(long[] dims, int dataType, Arena arena) {
            return new MemoryDesc(dims, dataType, dnnl_format_tag_any, arena);
        }

        private static MemorySegment makeTagged(long[] dims, int dataType, int formatTag) {
            checkRank(dims, dims);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment d = a.allocate(dnnl_dims_t);
                for (int i = 0; i < dims.length; i++) {
                    d.setAtIndex(C_LONG, i, dims[i]);
                }
                return create("dnnl_memory_desc_create_with_tag",
                        out -> dnnl_memory_desc_create_with_tag(out, dims.length, d, dataType, formatTag));
            }
        }

        private static void checkRank(long[] dims, long[] strides) {
            if (dims.length == 0 || dims.length > DNNL_MAX_NDIMS || strides.length != dims.length) {
                throw new IllegalArgumentException("memory descriptor: rank " + dims.length + " with " + strides.length
                        + " strides (oneDNN takes 1 to " + DNNL_MAX_NDIMS + ")");
            }
        }

        private static MemorySegment make(long[] dims, long[] strides, int dataType) {
            checkRank(dims, strides);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment d = a.allocate(dnnl_dims_t);
                MemorySegment s = a.allocate(dnnl_dims_t);
                for (int i = 0; i < dims.length; i++) {
                    d.setAtIndex(C_LONG, i, dims[i]);
                    s.setAtIndex(C_LONG, i, strides[i]);
                }
                return create("dnnl_memory_desc_create_with_strides",
                        out -> dnnl_memory_desc_create_with_strides(out, dims.length, d, dataType, s));
            }
        }

        public long[] dims() {
            return dims.clone();
        }

        public long byteSize() {
            return dnnl_memory_desc_get_size(handle());
        }
    }

    /**
     * A memory object over caller-owned data (oneDNN never allocates or frees the data). Made once and
     * re-pointed at each call's data with {@link #setData}, which costs far less than creating one.
     */
    public static final class Memory extends Handle {
        public Memory(Engine engine, Desc md, MemorySegment data, Arena arena) {
            super(create("dnnl_memory_create", out -> dnnl_memory_create(out, md.handle(), engine.handle(), data)), arena,
                    Dnnl::destroyMemory);
        }

        public void setData(MemorySegment data) {
            DnnlException.check(dnnl_memory_set_data_handle(handle(), data), "dnnl_memory_set_data_handle");
        }
    }

    /** Primitive attributes: user-managed scratchpad (so concurrent calls never share one), post-ops, scales. */
    public static final class Attr extends Handle {
        public Attr(Arena arena) {
            super(create("dnnl_primitive_attr_create", Dnnl::attrCreate), arena, Dnnl::destroyAttr);
            DnnlException.check(dnnl_primitive_attr_set_scratchpad_mode(handle(), dnnl_scratchpad_mode_user),
                    "dnnl_primitive_attr_set_scratchpad_mode");
        }

        /** Explicitly closed only (for try-with-resources around a primitive descriptor's creation). */
        public Attr() {
            this(null);
        }

        /** The floating-point math mode: {@code dnnl_fpmath_mode_strict} (the default) or a down-conversion it allows. */
        public Attr fpmath(int mode) {
            DnnlException.check(dnnl_primitive_attr_set_fpmath_mode(handle(), mode), "dnnl_primitive_attr_set_fpmath_mode");
            return this;
        }

        /** A runtime scale of one argument (mask 0: one value for the whole tensor). */
        public Attr scale(int arg) {
            DnnlException.check(dnnl_primitive_attr_set_scales_mask(handle(), arg, 0), "dnnl_primitive_attr_set_scales_mask");
            return this;
        }

        /** Post-ops in order: a sum with {@code dst} (scale) and/or an eltwise (alg, alpha, beta). */
        public Attr postOps(Float sumScale, Integer eltwiseAlg, float alpha, float beta) {
            MemorySegment po = create("dnnl_post_ops_create", out -> dnnl_post_ops_create(out));
            try {
                if (sumScale != null) {
                    DnnlException.check(dnnl_post_ops_append_sum(po, sumScale, 0, dnnl_data_type_undef), "dnnl_post_ops_append_sum");
                }
                if (eltwiseAlg != null) {
                    DnnlException.check(dnnl_post_ops_append_eltwise(po, eltwiseAlg, alpha, beta), "dnnl_post_ops_append_eltwise");
                }
                DnnlException.check(dnnl_primitive_attr_set_post_ops(handle(), po), "dnnl_primitive_attr_set_post_ops");
            } finally {
                dnnl_post_ops_destroy(po); // the attribute keeps its own copy
            }
            return this;
        }
    }

    private static int attrCreate(MemorySegment out) {
        return dnnl_primitive_attr_create(out);
    }

    /** A primitive descriptor; the memory descriptors it is queried for belong to it. */
    public static final class PrimitiveDesc extends Handle {
        private final Queried scratchpad;
        private final Queried workspace;

        public PrimitiveDesc(String function, Arena arena, Creator creator) {
            this(function, arena, creator, null);
        }

        /**
         * Steps through oneDNN's implementations for the descriptor (fastest first, in oneDNN's order) to the
         * first whose name {@code acceptable} takes; throws a {@link DnnlException} with status
         * {@code dnnl_unimplemented} when none does. A null {@code acceptable} takes the first.
         */
        public PrimitiveDesc(String function, Arena arena, Creator creator, Predicate<String> acceptable) {
            super(create(function, creator), arena, Dnnl::destroyPrimitiveDesc);
            if (acceptable != null) {
                // before the queries below: moving to another implementation invalidates what they return
                while (!acceptable.test(implementation())) {
                    int status = dnnl_primitive_desc_next_impl(handle());
                    if (status == dnnl_last_impl_reached) {
                        close();
                        throw new DnnlException(function, dnnl_unimplemented, "no acceptable implementation");
                    }
                    DnnlException.check(status, "dnnl_primitive_desc_next_impl");
                }
            }
            this.scratchpad = query(dnnl_query_scratchpad_md);
            this.workspace = query(dnnl_query_workspace_md);
        }

        private Queried query(int what) {
            MemorySegment md = dnnl_primitive_desc_query_md(handle(), what, 0);
            return md.equals(MemorySegment.NULL) ? null : new Queried(this, md, dnnl_memory_desc_get_size(md), IDS.incrementAndGet());
        }

        /**
         * The memory descriptor of one argument ({@code what}: a {@code dnnl_query_*_md}, e.g. the layout
         * chosen for a {@link MemoryDesc#any} argument), or null if the primitive has no such argument.
         */
        public Queried md(int what) {
            return query(what);
        }

        /** The name of the implementation oneDNN chose (e.g. "jit:avx512_core", "ref:any"), for diagnostics. */
        public String implementation() {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment out = a.allocate(C_POINTER);
                DnnlException.check(dnnl_primitive_desc_query(handle(), dnnl_query_impl_info_str, 0, out), "dnnl_primitive_desc_query");
                MemorySegment str = out.get(C_POINTER, 0);
                return str.equals(MemorySegment.NULL) ? "" : str.reinterpret(4096).getString(0);
            }
        }

        /** The scratchpad the primitive needs (user mode: the caller passes it), or null if none. */
        public Queried scratchpad() {
            return scratchpad;
        }

        /** The workspace (max pooling's argmax) in training mode, or null if none. */
        public Queried workspace() {
            return workspace;
        }

        /** Bytes of the scratchpad the primitive needs (0 if none). */
        public long scratchpadBytes() {
            return scratchpad == null ? 0 : scratchpad.bytes();
        }
    }

    /** A memory descriptor owned by a primitive descriptor (valid while it is); {@code handle()} checks that. */
    public record Queried(PrimitiveDesc owner, MemorySegment md, long bytes, long id) implements Desc {
        @Override
        public MemorySegment handle() {
            owner.handle(); // throws if the owner is gone
            return md;
        }

        /** Whether this descriptor and {@code other} describe the same layout (dims, type, strides or blocking). */
        public boolean sameLayout(Desc other) {
            return dnnl_memory_desc_equal(handle(), other.handle()) == 1;
        }
    }

    /** A primitive, created once and executed by many threads (each with its own stream and scratchpad). */
    public static final class Primitive extends Handle {
        public Primitive(PrimitiveDesc pd, Arena arena) {
            super(create("dnnl_primitive_create", out -> dnnl_primitive_create(out, pd.handle())), arena, Dnnl::destroyPrimitive);
        }

        public void execute(Stream stream, int nargs, MemorySegment args, String what) {
            DnnlException.check(dnnl_primitive_execute(handle(), stream.handle(), nargs, args), "dnnl_primitive_execute", what);
        }
    }

    // the C destructors, as static functions so that arena cleanups capture nothing
    private static int destroyEngine(MemorySegment h) {
        return dnnl_engine_destroy(h);
    }

    private static int destroyStream(MemorySegment h) {
        return dnnl_stream_destroy(h);
    }

    private static int destroyMemoryDesc(MemorySegment h) {
        return dnnl_memory_desc_destroy(h);
    }

    private static int destroyMemory(MemorySegment h) {
        return dnnl_memory_destroy(h);
    }

    private static int destroyAttr(MemorySegment h) {
        return dnnl_primitive_attr_destroy(h);
    }

    private static int destroyPrimitiveDesc(MemorySegment h) {
        return dnnl_primitive_desc_destroy(h);
    }

    private static int destroyPrimitive(MemorySegment h) {
        return dnnl_primitive_destroy(h);
    }
}
