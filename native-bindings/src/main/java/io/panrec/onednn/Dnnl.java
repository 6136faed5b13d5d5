package io.panrec.onednn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.panrec.onednn.raw.dnnl_h.*;

/**
 * The safe layer over {@link io.panrec.onednn.raw.dnnl_h}: each oneDNN object is an AutoCloseable handle
 * that destroys it exactly once, and every status is checked ({@link DnnlException}). The handles are
 * small and final; the backend composes them.
 */
public final class Dnnl {
    private Dnnl() {
    }

    /** Base of the handles: the native pointer and an idempotent close. */
    public abstract static class Handle implements AutoCloseable {
        protected final MemorySegment handle;
        private final AtomicBoolean closed = new AtomicBoolean();

        Handle(MemorySegment handle) {
            this.handle = handle;
        }

        public MemorySegment handle() {
            if (closed.get()) {
                throw new IllegalStateException(getClass().getSimpleName() + " is closed");
            }
            return handle;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                destroy();
            }
        }

        abstract void destroy();
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

    /** The CPU engine. Thread-safe. */
    public static final class Engine extends Handle {
        public Engine() {
            super(create("dnnl_engine_create", out -> dnnl_engine_create(out, dnnl_cpu, 0)));
        }

        @Override
        void destroy() {
            dnnl_engine_destroy(handle);
        }
    }

    /** An execution stream; one per thread. */
    public static final class Stream extends Handle {
        public Stream(Engine engine) {
            super(create("dnnl_stream_create", out -> dnnl_stream_create(out, engine.handle(), dnnl_stream_default_flags)));
        }

        public void waitDone() {
            DnnlException.check(dnnl_stream_wait(handle()), "dnnl_stream_wait");
        }

        @Override
        void destroy() {
            dnnl_stream_destroy(handle);
        }
    }

    /** A plain (strided) memory descriptor. */
    public static final class MemoryDesc extends Handle {
        private final long[] dims;

        public MemoryDesc(long[] dims, long[] strides, int dataType) {
            super(make(dims, strides, dataType));
            this.dims = dims.clone();
        }

        private static MemorySegment make(long[] dims, long[] strides, int dataType) {
            if (dims.length == 0 || dims.length > DNNL_MAX_NDIMS || strides.length != dims.length) {
                throw new IllegalArgumentException("memory descriptor: rank " + dims.length + " with " + strides.length
                        + " strides (oneDNN takes 1 to " + DNNL_MAX_NDIMS + ")");
            }
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

        @Override
        void destroy() {
            dnnl_memory_desc_destroy(handle);
        }
    }

    /** Primitive attributes: user-managed scratchpad (so concurrent calls never share one), post-ops, scales. */
    public static final class Attr extends Handle {
        public Attr() {
            super(create("dnnl_primitive_attr_create", Dnnl::attrCreate));
            DnnlException.check(dnnl_primitive_attr_set_scratchpad_mode(handle, dnnl_scratchpad_mode_user),
                    "dnnl_primitive_attr_set_scratchpad_mode");
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
                dnnl_post_ops_destroy(po);
            }
            return this;
        }

        @Override
        void destroy() {
            dnnl_primitive_attr_destroy(handle);
        }
    }

    private static int attrCreate(MemorySegment out) {
        return dnnl_primitive_attr_create(out);
    }

    /** A primitive descriptor (owns the memory descriptors it is queried for). */
    public static final class PrimitiveDesc extends Handle {
        public PrimitiveDesc(String function, Creator creator) {
            super(create(function, creator));
        }

        /** Bytes of the scratchpad the primitive needs (0 if none). */
        public long scratchpadBytes() {
            return mdBytes(dnnl_query_scratchpad_md);
        }

        /** Bytes of the workspace (max pooling's argmax), 0 if none. */
        public long workspaceBytes() {
            return mdBytes(dnnl_query_workspace_md);
        }

        /** The descriptor of a queried memory (owned by this primitive descriptor), or NULL. */
        public MemorySegment queryMd(int what) {
            return dnnl_primitive_desc_query_md(handle(), what, 0);
        }

        private long mdBytes(int what) {
            MemorySegment md = queryMd(what);
            return md.equals(MemorySegment.NULL) ? 0 : dnnl_memory_desc_get_size(md);
        }

        @Override
        void destroy() {
            dnnl_primitive_desc_destroy(handle);
        }
    }

    /** A primitive, created once and executed by many threads (each with its own stream and scratchpad). */
    public static final class Primitive extends Handle {
        public Primitive(PrimitiveDesc pd) {
            super(create("dnnl_primitive_create", out -> dnnl_primitive_create(out, pd.handle())));
        }

        public void execute(Stream stream, int nargs, MemorySegment args, String what) {
            DnnlException.check(dnnl_primitive_execute(handle(), stream.handle(), nargs, args), "dnnl_primitive_execute", what);
        }

        @Override
        void destroy() {
            dnnl_primitive_destroy(handle);
        }
    }

    /** A memory object over caller-owned data (never allocated by oneDNN). */
    public static MemorySegment memory(Engine engine, MemorySegment md, MemorySegment data, MemorySegment outPtr) {
        DnnlException.check(dnnl_memory_create(outPtr, md, engine.handle(), data), "dnnl_memory_create");
        return outPtr.get(C_POINTER, 0);
    }
}
