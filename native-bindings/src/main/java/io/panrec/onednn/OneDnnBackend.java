package io.panrec.onednn;

import io.panrec.backend.Backend;
import io.panrec.backend.BinaryOp;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.DelegatingBackend;
import io.panrec.backend.PoolSpec;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.UnaryOp;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import static io.panrec.onednn.raw.dnnl_h.*;

/**
 * oneDNN behind the Backend SPI. F32 matmul, element-wise functions, binary ops, reductions, softmax,
 * convolution, pooling and layer normalization run as oneDNN primitives (forward and backward); the
 * rest (F64, gathers, fills, shapes oneDNN rejects) runs on the best pure-Java backend over the same
 * memory, with no copy. {@link #linear} is the fused matmul + bias + relu that the SPI has no method for.
 *
 * <p>Primitives are created once per (op, shapes, strides, attributes) and cached: creating one costs
 * far more than running a small one. The cache is bounded ({@code -Dpanrec.onednn.cacheCapacity},
 * default 1024 primitives): when full, the least recently used quarter is dropped, and their native
 * objects are destroyed once no thread uses them any more (each entry's handles are tied to an auto
 * arena, which FFM keeps alive during every native call that passes them).
 *
 * <p>Threads: oneDNN primitives may be executed concurrently from many threads, provided that each call
 * has its own stream and its own scratchpad (oneDNN's programming model: a stream is not thread-safe, a
 * primitive is, and attributes here ask for a user-managed scratchpad so that no two calls share the
 * library's). So each thread has its own stream, argument array, memory objects (made once per
 * descriptor and re-pointed at each call's data) and scratch buffers.
 *
 * <p>Arguments are checked in Java before any native call: dtypes, ranks, shapes, contiguity where the
 * SPI requires it, alignment and liveness (a tensor of a closed scope throws {@link IllegalStateException}).
 */
public final class OneDnnBackend extends DelegatingBackend implements io.panrec.backend.FusedLinear {
    /** Memory objects each thread keeps (beyond it, the least recently used is destroyed). */
    private static final int MEMORIES_PER_THREAD = 2048;
    /** First per-thread buffer slot of a convolution's staged arguments (three of them). */
    private static final int STAGING = 4;

    private final Dnnl.Engine engine = Dnnl.engine();
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();
    private final AtomicLong primitivesCreated = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final ReentrantLock evicting = new ReentrantLock();
    /** Advances at every miss; a hit stamps its entry with it, so "least recently used" costs hits no atomic write. */
    private volatile long clock;
    /** The descriptor of matmul's runtime scale (one f32); freed with the backend. */
    private final Dnnl.MemoryDesc scaleMd = new Dnnl.MemoryDesc(new long[] {1}, new long[] {1}, dnnl_f32, Arena.ofAuto());
    private final ThreadLocal<Ctx> ctx = ThreadLocal.withInitial(Ctx::new);

    /** A primitive oneDNN declined to build for this key: fall back without asking again. */
    private static final Entry UNSUPPORTED = new Entry(null, null, new Dnnl.MemoryDesc[0], null, null);

    /**
     * Element-wise ops, reductions and softmax below this many elements run on the fallback: a oneDNN
     * call costs about a microsecond of fixed overhead (memory objects, argument list, execute), more
     * than the whole op costs in Java at that size. Matmul, convolution, pooling and layer norm always run
     * here. {@code -Dpanrec.onednn.minElements} changes it.
     */
    private volatile long minElements = Long.getLong("panrec.onednn.minElements", 4096);
    private volatile int cacheCapacity = Math.max(8, Integer.getInteger("panrec.onednn.cacheCapacity", 1024));
    private volatile ConvLayouts convLayouts = ConvLayouts.valueOf(
            System.getProperty("panrec.onednn.convLayouts", "auto").toUpperCase(java.util.Locale.ROOT));

    /**
     * The math of {@link #linear}, the fused product that runs only when no gradient is recorded (inference):
     * {@code strict} (default) computes in f32; {@code bf16} lets oneDNN round the operands to bfloat16 and
     * accumulate in f32 (its fpmath mode), which runs on AMX or AVX512-BF16 units where the CPU has them, at
     * about three significant digits per product. Opt in with {@code -Dpanrec.onednn.inferenceMath=bf16};
     * training products stay f32.
     */
    private volatile int inferenceMath = parseMath(System.getProperty("panrec.onednn.inferenceMath", "strict"));

    public OneDnnBackend(Backend fallback) {
        super(fallback);
    }

    private static int parseMath(String name) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "strict", "f32" -> dnnl_fpmath_mode_strict;
            case "bf16" -> dnnl_fpmath_mode_bf16;
            default -> throw new IllegalArgumentException("panrec.onednn.inferenceMath must be strict or bf16, got '" + name + "'");
        };
    }

    /** Sets the math of {@link #linear}: "strict" or "bf16" (see the field's comment). */
    public OneDnnBackend inferenceMath(String name) {
        this.inferenceMath = parseMath(name);
        return this;
    }

    /** Sets the size below which element-wise ops stay on the fallback (0: always oneDNN; tests use it). */
    public OneDnnBackend minElements(long elements) {
        this.minElements = Math.max(0, elements);
        return this;
    }

    /**
     * Sets which layouts convolutions are built on ({@code -Dpanrec.onednn.convLayouts=auto|preferred|plain}
     * at startup): for tests, which run both paths, and for measurements. Primitives built for another
     * mode stay cached under their own keys.
     */
    public OneDnnBackend convLayouts(ConvLayouts layouts) {
        this.convLayouts = java.util.Objects.requireNonNull(layouts, "layouts");
        return this;
    }

    /** Sets how many primitives the cache keeps (at least 1). */
    public OneDnnBackend cacheCapacity(int primitives) {
        this.cacheCapacity = Math.max(1, primitives);
        return this;
    }

    private boolean small(Tensor t) {
        t.segment(); // liveness first
        return t.numel() < minElements;
    }

    @Override
    public String name() {
        return "onednn";
    }

    /** How many primitives this backend has created (a repeated call creates none). */
    public long primitivesCreated() {
        return primitivesCreated.get();
    }

    /** Cached primitives. */
    public int cacheSize() {
        return cache.size();
    }

    /** How many cache entries were dropped to keep the cache within its capacity. */
    public long evictions() {
        return evictions.get();
    }

    /**
     * The kinds of primitive (matmul, eltwise, conv_fwd, ...) built so far, and separately those oneDNN
     * declined for some shape (which then ran on the fallback): for tests and diagnostics.
     */
    public Map<String, Set<String>> primitiveKinds() {
        Set<String> built = new TreeSet<>();
        Set<String> declined = new TreeSet<>();
        cache.forEach((k, v) -> {
            String kind = k.substring(0, k.indexOf('|'));
            if (v == UNSUPPORTED) {
                declined.add(k.length() > 60 ? k.substring(0, 60) + "..." : k);
            } else {
                built.add(kind);
            }
        });
        return Map.of("built", built, "declined", declined);
    }

    /**
     * The implementation oneDNN chose for each cached primitive, by kind (e.g. conv_fwd -> [x64:gemm:jit]):
     * for tests and diagnostics ({@code ONEDNN_VERBOSE=1} prints them too, at every call).
     */
    public Map<String, Set<String>> implementations() {
        Map<String, Set<String>> out = new java.util.TreeMap<>();
        cache.forEach((k, v) -> {
            if (v != UNSUPPORTED) {
                out.computeIfAbsent(k.substring(0, k.indexOf('|')), x -> new TreeSet<>()).add(v.pd().implementation());
            }
        });
        return out;
    }

    // ------------------------------------------------------------------ cache and calls

    /**
     * A built primitive with the descriptors its arguments use; {@code hint} is the forward primitive
     * descriptor of a backward op, {@code forward} a forward primitive a backward op reruns (max pooling).
     */
    static class Entry {
        final Dnnl.PrimitiveDesc pd;
        final Dnnl.Primitive prim;
        final Dnnl.MemoryDesc[] mds;
        final Dnnl.PrimitiveDesc hint;
        final Dnnl.Primitive forward;
        volatile long lastUsed;

        Entry(Dnnl.PrimitiveDesc pd, Dnnl.Primitive prim, Dnnl.MemoryDesc[] mds, Dnnl.PrimitiveDesc hint, Dnnl.Primitive forward) {
            this.pd = pd;
            this.prim = prim;
            this.mds = mds;
            this.hint = hint;
            this.forward = forward;
        }

        Dnnl.PrimitiveDesc pd() {
            return pd;
        }

        Dnnl.Primitive prim() {
            return prim;
        }

        Dnnl.MemoryDesc[] mds() {
            return mds;
        }

        Dnnl.PrimitiveDesc hint() {
            return hint;
        }

        Dnnl.Primitive forward() {
            return forward;
        }
    }

    /**
     * Makes the native pieces of one cache entry, all tied to one auto arena: when the entry has left the
     * cache and no call holds it, the GC destroys them; if building fails half-way, the same happens to
     * what was made.
     */
    final class Parts {
        final Arena arena = Arena.ofAuto();

        Dnnl.MemoryDesc md(Tensor t) {
            return new Dnnl.MemoryDesc(dims(t), strides(t), dnnl_f32, arena);
        }

        Dnnl.MemoryDesc md(long[] dims, long[] strides) {
            return new Dnnl.MemoryDesc(dims, strides, dnnl_f32, arena);
        }

        /** {@code like}'s dimensions with the layout left to the primitive it is given to. */
        Dnnl.MemoryDesc any(Dnnl.MemoryDesc like) {
            return Dnnl.MemoryDesc.any(like.dims(), dnnl_f32, arena);
        }

        Dnnl.PrimitiveDesc pd(String function, Dnnl.Creator creator) {
            return new Dnnl.PrimitiveDesc(function, arena, creator);
        }

        /** The first of oneDNN's implementations for the descriptor that {@code acceptable} takes (null: the first). */
        Dnnl.PrimitiveDesc pd(String function, Dnnl.Creator creator, java.util.function.Predicate<String> acceptable) {
            return new Dnnl.PrimitiveDesc(function, arena, creator, acceptable);
        }

        Dnnl.Primitive prim(Dnnl.PrimitiveDesc pd) {
            return new Dnnl.Primitive(pd, arena);
        }
    }

    interface Builder {
        Entry build(Parts parts);
    }

    private Entry entry(String key, Builder builder) {
        Entry e = cache.get(key);
        if (e == null) {
            e = cache.computeIfAbsent(key, k -> {
                try {
                    Entry built = builder.build(new Parts());
                    primitivesCreated.incrementAndGet();
                    return built;
                } catch (DnnlException ex) {
                    if (ex.status() == dnnl_unimplemented || ex.status() == dnnl_invalid_arguments) {
                        return UNSUPPORTED; // oneDNN has no implementation for this case: the fallback runs it
                    }
                    throw ex;
                }
            });
            clock++; // racy on purpose: a lost tick only blurs the order of eviction
            if (cache.size() > cacheCapacity) {
                evict();
            }
        }
        long now = clock;
        if (e.lastUsed != now) {
            e.lastUsed = now; // written only when stale: threads sharing a hot entry do not fight over its cache line
        }
        return e;
    }

    /** Drops the least recently used entries down to three quarters of the capacity. */
    private void evict() {
        if (!evicting.tryLock()) {
            return; // another thread is at it
        }
        try {
            int target = Math.max(0, cacheCapacity - Math.max(1, cacheCapacity / 4));
            List<Map.Entry<String, Entry>> all = new ArrayList<>(cache.entrySet());
            if (all.size() <= cacheCapacity) {
                return;
            }
            all.sort(Comparator.comparingLong(en -> en.getValue().lastUsed));
            for (int i = 0; i < all.size() - target; i++) {
                if (cache.remove(all.get(i).getKey(), all.get(i).getValue())) {
                    evictions.incrementAndGet();
                }
            }
        } finally {
            evicting.unlock();
        }
    }

    /**
     * Per-thread stream, argument array, memory objects and growable buffers. Memory objects are made
     * once per (descriptor, argument) on each thread and re-pointed at each call's data with
     * dnnl_memory_set_data_handle, so a cached call allocates nothing in oneDNN. Everything here is tied
     * to this context's auto arena: when the thread ends, the GC destroys its stream and memory objects.
     */
    private final class Ctx {
        final Arena arena = Arena.ofAuto();
        final Dnnl.Stream stream = new Dnnl.Stream(engine, arena);
        final MemorySegment args = arena.allocate(dnnl_exec_arg_t, 16);
        /** Slot 0 the scratchpad, 1-3 the ops' own, {@link #STAGING}.. the convolutions' staged arguments. */
        final MemorySegment[] buffers = new MemorySegment[STAGING + 3];
        /** Keyed by descriptor id (never reused, unlike addresses) and argument; least recently used first. */
        final LinkedHashMap<Long, Dnnl.Memory> memories = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Dnnl.Memory> eldest) {
                if (size() > MEMORIES_PER_THREAD) {
                    eldest.getValue().close(); // only this thread ever used it
                    return true;
                }
                return false;
            }
        };
        int n;

        void arg(int arg, Dnnl.Desc md, MemorySegment data) {
            if (n == 16) {
                throw new IllegalStateException("onednn: more than 16 arguments to one primitive");
            }
            long key = (md.id() << 13) | (arg & 0x1FFF);
            Dnnl.Memory mem = memories.get(key);
            if (mem == null) {
                mem = new Dnnl.Memory(engine, md, data, arena);
                memories.put(key, mem);
            } else {
                mem.setData(data);
            }
            long base = n * dnnl_exec_arg_t.byteSize();
            args.set(C_INT, base, arg);
            args.set(C_POINTER, base + 8, mem.handle());
            n++;
        }

        /**
         * A buffer of at least {@code bytes} (slot 0 is the scratchpad), reused across calls on this thread.
         * Each has its own auto arena, so one outgrown (a convolution's staging buffers grow layer by layer)
         * is freed by the GC instead of living as long as the thread; the memory objects that pointed at it
         * are re-pointed before every use.
         */
        MemorySegment buffer(int slot, long bytes) {
            MemorySegment b = buffers[slot];
            if (b == null || b.byteSize() < bytes) {
                b = Arena.ofAuto().allocate(Math.max(bytes, 64), 64);
                buffers[slot] = b;
            }
            return b;
        }

        /**
         * The memory a convolution's argument {@code i} is passed in: {@code plain} itself where the primitive
         * uses the plain layout, else a staging buffer, which for an {@code input} the reorder fills from plain.
         */
        MemorySegment staged(ConvEntry e, int i, MemorySegment plain, boolean input) {
            Entry r = e.reorders[i];
            if (r == null) {
                return plain;
            }
            MemorySegment buf = buffer(STAGING + i, ((Dnnl.Queried) e.inner[i]).bytes());
            if (input) {
                arg(DNNL_ARG_SRC, e.mds()[i], plain);
                arg(DNNL_ARG_DST, e.inner[i], buf);
                run(r, r.prim(), "reorder into the convolution's layout");
            }
            return buf;
        }

        /** Moves a convolution's output argument {@code i} from its staging buffer into {@code plain} (nothing if unstaged). */
        void unstage(ConvEntry e, int i, MemorySegment buf, MemorySegment plain) {
            Entry r = e.reorders[i];
            if (r != null) {
                arg(DNNL_ARG_SRC, e.inner[i], buf);
                arg(DNNL_ARG_DST, e.mds()[i], plain);
                run(r, r.prim(), "reorder out of the convolution's layout");
            }
        }

        /** Executes {@code p} (the entry's primitive, or its forward) with the arguments set since the last run. */
        void run(Entry e, Dnnl.Primitive p, String what) {
            try {
                Dnnl.PrimitiveDesc owner = p == e.forward() && e.hint() != null ? e.hint() : e.pd();
                Dnnl.Queried scratch = owner.scratchpad();
                if (scratch != null && scratch.bytes() > 0) {
                    arg(DNNL_ARG_SCRATCHPAD, scratch, buffer(0, scratch.bytes()));
                }
                p.execute(stream, n, args, what);
            } finally {
                n = 0;
                // the entry (and so its arena) stays reachable until here, whatever the JIT decides about e
                Reference.reachabilityFence(e);
            }
        }
    }

    // ------------------------------------------------------------------ descriptors from tensors

    /** Whether all (non-null) tensors are F32; throws first if any of them belongs to a closed scope. */
    private static boolean f32(Tensor... ts) {
        boolean all = true;
        for (Tensor t : ts) {
            if (t != null) {
                t.segment(); // liveness, checked in Java before anything native happens
                if (!t.device().isHost()) {
                    throw new IllegalArgumentException("onednn: " + t.describe() + " is on " + t.device()
                            + "; oneDNN's CPU engine reads host memory only (copy it to the CPU first)");
                }
                all &= t.dtype() == DType.F32;
            }
        }
        return all;
    }

    /** oneDNN wants positive strides; broadcast (stride-0) dimensions of size > 1 are not plain memory. */
    private static boolean plain(Tensor t) {
        for (int i = 0; i < t.rank(); i++) {
            if (t.shape(i) == 0 || (t.shape(i) > 1 && t.stride(i) <= 0)) {
                return false;
            }
        }
        return t.rank() > 0;
    }

    /**
     * Whether the view packs its elements densely in some axis order (row-major, or a permutation of it such as
     * a transpose). oneDNN's element-wise, binary and softmax kernels are jitted only for dense layouts; on a view
     * with gaps (a column slice of a wider table) they run a reference loop that was 20 times slower than the
     * fallback backend for a [1000, 128] slice of a [1000, 192] table.
     */
    static boolean dense(Tensor t) {
        int n = t.rank();
        long[][] dims = new long[n][];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (t.shape(i) > 1) {
                dims[k++] = new long[] {t.stride(i), t.shape(i)};
            }
        }
        Arrays.sort(dims, 0, k, (x, y) -> Long.compare(x[0], y[0]));
        long expected = 1;
        for (int i = 0; i < k; i++) {
            if (dims[i][0] != expected) {
                return false;
            }
            expected *= dims[i][1];
        }
        return true;
    }

    private static long[] dims(Tensor t) {
        long[] d = new long[t.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.shape(i);
        }
        return d;
    }

    /** Strides with size-1 dimensions given the stride a dense layout would have (oneDNN ignores them anyway). */
    private static long[] strides(Tensor t) {
        long[] s = t.strides();
        for (int i = s.length - 1; i >= 0; i--) {
            if (t.shape(i) == 1) {
                s[i] = i == s.length - 1 ? 1 : Math.max(1, s[i + 1] * t.shape(i + 1));
            }
        }
        return s;
    }

    /** Shape and (normalised) strides as key text; written by hand because it runs on every call. */
    private static String sig(Tensor t) {
        if (t == null) {
            return "-";
        }
        StringBuilder sb = new StringBuilder(48).append('[');
        int r = t.rank();
        for (int i = 0; i < r; i++) {
            sb.append(t.shape(i)).append(',');
        }
        sb.append(':');
        long[] st = strides(t);
        for (long v : st) {
            sb.append(v).append(',');
        }
        return sb.append(']').toString();
    }

    private static long[] dense(long... dims) {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(dims[i], 1);
        }
        return s;
    }

    /**
     * The memory from the tensor's first element on, for a native call: checks that its scope is alive
     * and that the address is aligned to a float (oneDNN's kernels load floats, and a misaligned one would
     * be undefined behaviour in C; core's tensors are always aligned, so this guards foreign segments).
     */
    private static MemorySegment data(Tensor t) {
        MemorySegment s = t.dataSegment();
        if ((s.address() & 3) != 0) {
            throw new IllegalArgumentException("onednn: " + t.describe() + " starts at address 0x" + Long.toHexString(s.address())
                    + ", not aligned to 4 bytes; copy it into a panrec tensor (Tensor.contiguous()) first");
        }
        return s;
    }

    private static MemorySegment dims2(MemorySegment seg, long a, long b) {
        seg.setAtIndex(C_LONG, 0, a);
        seg.setAtIndex(C_LONG, 1, b);
        return seg;
    }

    private static void require(boolean ok, String op, Supplier<String> what) {
        if (!ok) {
            throw new IllegalArgumentException("onednn " + op + ": " + what.get());
        }
    }

    // ------------------------------------------------------------------ matmul

    @Override
    public void matmul(Tensor a, Tensor b, Tensor c, float alpha, float beta) {
        require(a.rank() == 3 && b.rank() == 3 && c.rank() == 3, "matmul", () -> "needs rank-3 views, got "
                + a.describe() + ", " + b.describe() + ", " + c.describe());
        int batch = c.shape(0), m = c.shape(1), n = c.shape(2), k = a.shape(2);
        require(a.shape(1) == m && b.shape(1) == k && b.shape(2) == n
                        && (a.shape(0) == batch || a.shape(0) == 1) && (b.shape(0) == batch || b.shape(0) == 1), "matmul",
                () -> "shapes do not chain: " + a.describe() + " @ " + b.describe() + " -> " + c.describe());
        Tensor a2 = batchBroadcast(a);
        Tensor b2 = batchBroadcast(b);
        if (!f32(a, b, c) || !plain(a2) || !plain(b2) || !plain(c) || k == 0) {
            fallback.matmul(a, b, c, alpha, beta);
            return;
        }
        if (sgemm(a, b, c, alpha, beta, batch, m, n, k)) {
            return;
        }
        boolean scaled = alpha != 1f;
        String key = "matmul|" + sig(a2) + sig(b2) + sig(c) + scaled + "/" + beta;
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc sa = mk.md(a2), sb = mk.md(b2), sc = mk.md(c);
            try (Dnnl.Attr attr = new Dnnl.Attr()) {
                if (scaled) {
                    attr.scale(DNNL_ARG_SRC);
                }
                if (beta != 0f) {
                    attr.postOps(beta, null, 0, 0);
                }
                Dnnl.PrimitiveDesc pd = mk.pd("dnnl_matmul_primitive_desc_create",
                        out -> dnnl_matmul_primitive_desc_create(out, engine.handle(), sa.handle(), sb.handle(),
                                MemorySegment.NULL, sc.handle(), attr.handle()));
                return new Entry(pd, mk.prim(pd), new Dnnl.MemoryDesc[] {sa, sb, sc}, null, null);
            }
        });
        if (e == UNSUPPORTED) {
            fallback.matmul(a, b, c, alpha, beta);
            return;
        }
        Ctx x = ctx.get();
        x.arg(DNNL_ARG_SRC, e.mds()[0], data(a2));
        x.arg(DNNL_ARG_WEIGHTS, e.mds()[1], data(b2));
        x.arg(DNNL_ARG_DST, e.mds()[2], data(c));
        if (scaled) {
            MemorySegment s = x.buffer(1, 4);
            s.set(ValueLayout.JAVA_FLOAT, 0, alpha);
            x.arg(DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC, scaleMd, s);
            x.run(e, e.prim(), "matmul");
            return;
        }
        x.run(e, e.prim(), "matmul");
    }

    /**
     * Row- or column-major operands (the common case: contiguous or transposed views) go straight to
     * dnnl_sgemm, oneDNN's BLAS entry point, which needs no primitive and costs least per call; other
     * layouts use the cached matmul primitive. Returns false when the layout does not fit.
     */
    private boolean sgemm(Tensor a, Tensor b, Tensor c, float alpha, float beta, int batch, int m, int n, int k) {
        long[] la = blasLayout(a, m, k);
        long[] lb = blasLayout(b, k, n);
        if (la == null || lb == null || c.stride(2) != 1 || (m > 1 && c.stride(1) < Math.max(1, n)) || m == 0 || n == 0) {
            return false;
        }
        long ldc = m > 1 ? c.stride(1) : Math.max(1, n);
        MemorySegment sa = data(a), sb = data(b), sc = data(c);
        for (int q = 0; q < batch; q++) {
            MemorySegment pa = sa.asSlice(4L * q * (a.shape(0) == 1 ? 0 : a.stride(0)));
            MemorySegment pb = sb.asSlice(4L * q * (b.shape(0) == 1 ? 0 : b.stride(0)));
            MemorySegment pc = sc.asSlice(4L * q * c.stride(0));
            DnnlException.check(dnnl_sgemm((byte) la[0], (byte) lb[0], m, n, k, alpha, pa, la[1], pb, lb[1], beta, pc, ldc),
                    "dnnl_sgemm");
        }
        return true;
    }

    /** ('N' or 'T', leading dimension) of a [rows, cols] batch slice in row-major BLAS terms, or null. */
    private static long[] blasLayout(Tensor t, int rows, int cols) {
        long rs = rows == 1 ? Math.max(1, cols) : t.stride(1);
        long cs = cols == 1 ? 1 : t.stride(2);
        if (cs == 1 && rs >= Math.max(1, cols)) {
            return new long[] {'N', rs};
        }
        long rs2 = rows == 1 ? 1 : t.stride(1);
        long cs2 = cols == 1 ? Math.max(1, rows) : t.stride(2);
        if (rs2 == 1 && cs2 >= Math.max(1, rows)) {
            return new long[] {'T', cs2};
        }
        return null;
    }

    /** A batch dimension of stride 0 becomes a batch of 1, which oneDNN's matmul broadcasts itself. */
    private static Tensor batchBroadcast(Tensor t) {
        if (t.shape(0) > 1 && t.stride(0) == 0) {
            return t.view(new int[] {1, t.shape(1), t.shape(2)}, new long[] {(long) t.shape(1) * t.shape(2), t.stride(1),
                    t.stride(2)}, t.offset());
        }
        return t;
    }

    @Override
    public boolean canFuseLinear(Tensor x, Tensor w, Tensor bias) {
        if (x.rank() != 2 || w.rank() != 2 || x.shape(1) != w.shape(1) || x.shape(1) == 0
                || (bias != null && (bias.rank() != 1 || bias.shape(0) != w.shape(0)))) {
            return false;
        }
        Tensor wt = w.view(new int[] {w.shape(1), w.shape(0)}, new long[] {w.stride(1), w.stride(0)}, w.offset());
        return f32(x, w, bias) && plain(x) && plain(wt) && (bias == null || plain(bias));
    }

    /**
     * Fused {@code out = x @ w^T + bias}, then relu when asked, for x [M, K], w [N, K] (as nn.Linear
     * stores it), bias [N] or null, out [M, N]: one primitive with post-ops instead of three kernels.
     */
    @Override
    public void linear(Tensor x, Tensor w, Tensor bias, boolean relu, Tensor out) {
        require(x.rank() == 2 && w.rank() == 2 && out.rank() == 2 && x.shape(1) == w.shape(1)
                        && out.shape(0) == x.shape(0) && out.shape(1) == w.shape(0)
                        && (bias == null || (bias.rank() == 1 && bias.shape(0) == w.shape(0))), "linear",
                () -> "x [M, K], w [N, K], bias [N], out [M, N] expected, got " + x.describe() + ", " + w.describe() + ", "
                        + (bias == null ? "no bias" : bias.describe()) + ", " + out.describe());
        require(f32(x, w, bias, out), "linear", () -> "needs F32 tensors");
        Tensor wt = w.view(new int[] {w.shape(1), w.shape(0)}, new long[] {w.stride(1), w.stride(0)}, w.offset());
        require(plain(x) && plain(wt) && plain(out) && (bias == null || plain(bias)), "linear",
                () -> "needs plain (non-broadcast, non-empty) tensors");
        int math = inferenceMath;
        String key = "linear|" + sig(x) + sig(wt) + sig(bias) + sig(out) + relu + "|" + math;
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc sx = mk.md(x), sw = mk.md(wt), so = mk.md(out);
            Dnnl.MemoryDesc sb = bias == null ? null : mk.md(new long[] {1, bias.shape(0)}, new long[] {bias.shape(0) * bias.stride(0), bias.stride(0)});
            try (Dnnl.Attr attr = new Dnnl.Attr()) {
                if (relu) {
                    attr.postOps(null, dnnl_eltwise_relu, 0, 0);
                }
                if (math != dnnl_fpmath_mode_strict) {
                    attr.fpmath(math);
                }
                Dnnl.PrimitiveDesc pd = mk.pd("dnnl_matmul_primitive_desc_create",
                        o -> dnnl_matmul_primitive_desc_create(o, engine.handle(), sx.handle(), sw.handle(),
                                sb == null ? MemorySegment.NULL : sb.handle(), so.handle(), attr.handle()));
                return new Entry(pd, mk.prim(pd), new Dnnl.MemoryDesc[] {sx, sw, so, sb}, null, null);
            }
        });
        if (e == UNSUPPORTED) {
            throw new IllegalStateException("onednn linear: oneDNN has no implementation for " + key);
        }
        Ctx c = ctx.get();
        c.arg(DNNL_ARG_SRC, e.mds()[0], data(x));
        c.arg(DNNL_ARG_WEIGHTS, e.mds()[1], data(wt));
        c.arg(DNNL_ARG_DST, e.mds()[2], data(out));
        if (bias != null) {
            c.arg(DNNL_ARG_BIAS, e.mds()[3], data(bias));
        }
        c.run(e, e.prim(), "linear");
    }

    // ------------------------------------------------------------------ element-wise

    /** oneDNN's algorithm and (alpha, beta) for a unary op; null if it has none. */
    private static float[] eltwise(UnaryOp op, float alpha) {
        return switch (op) {
            case NEG -> new float[] {dnnl_eltwise_linear, -1f, 0f};
            case ABS -> new float[] {dnnl_eltwise_abs, 0, 0};
            case RELU -> new float[] {dnnl_eltwise_relu, 0, 0};
            case LEAKY_RELU -> new float[] {dnnl_eltwise_relu, alpha, 0};
            case SIGMOID -> new float[] {dnnl_eltwise_logistic, 0, 0};
            case TANH -> new float[] {dnnl_eltwise_tanh, 0, 0};
            case EXP -> new float[] {dnnl_eltwise_exp, 0, 0};
            case LOG -> new float[] {dnnl_eltwise_log, 0, 0};
            case SQRT -> new float[] {dnnl_eltwise_sqrt, 0, 0};
            case POW -> new float[] {dnnl_eltwise_pow, 1f, alpha};
            case SOFTPLUS -> new float[] {dnnl_eltwise_soft_relu, 1f, 0};
            case GELU_TANH -> new float[] {dnnl_eltwise_gelu_tanh, 0, 0};
        };
    }

    @Override
    public void unary(UnaryOp op, float alpha, Tensor x, Tensor out) {
        require(x.sameShape(out), "unary " + op, () -> x.describe() + " -> " + out.describe());
        // oneDNN's eltwise wants source and destination in one layout; a transposed input runs on the fallback
        if (small(x) || !f32(x, out) || !plain(x) || !dense(x) || !plain(out) || !Arrays.equals(strides(x), strides(out))) {
            fallback.unary(op, alpha, x, out);
            return;
        }
        float[] el = eltwise(op, alpha);
        String key = "eltwise|" + op + alpha + sig(x) + sig(out);
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc sx = mk.md(x), so = mk.md(out);
            try (Dnnl.Attr attr = new Dnnl.Attr()) {
                Dnnl.PrimitiveDesc pd = mk.pd("dnnl_eltwise_forward_primitive_desc_create",
                        o -> dnnl_eltwise_forward_primitive_desc_create(o, engine.handle(), dnnl_forward_inference, (int) el[0],
                                sx.handle(), so.handle(), el[1], el[2], attr.handle()));
                return new Entry(pd, mk.prim(pd), new Dnnl.MemoryDesc[] {sx, so}, null, null);
            }
        });
        if (e == UNSUPPORTED) {
            fallback.unary(op, alpha, x, out);
            return;
        }
        Ctx c = ctx.get();
        c.arg(DNNL_ARG_SRC, e.mds()[0], data(x));
        c.arg(DNNL_ARG_DST, e.mds()[1], data(out));
        c.run(e, e.prim(), "eltwise " + op);
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) {
        require(x.sameShape(gradOut) && x.sameShape(gradIn), "unaryBackward " + op,
                () -> x.describe() + ", " + gradOut.describe() + " -> " + gradIn.describe());
        if (small(x) || !f32(x, gradOut, gradIn) || !plain(x) || !plain(gradOut) || !plain(gradIn) || !dense(x) || !dense(gradOut)
                || !dense(gradIn)) {
            fallback.unaryBackward(op, alpha, x, y, gradOut, gradIn);
            return;
        }
        float[] el = eltwise(op, alpha);
        String key = "eltwise_bwd|" + op + alpha + sig(x) + sig(gradOut) + sig(gradIn);
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc sx = mk.md(x), sg = mk.md(gradOut), si = mk.md(gradIn);
            try (Dnnl.Attr attr = new Dnnl.Attr()) {
                Dnnl.PrimitiveDesc hint = mk.pd("dnnl_eltwise_forward_primitive_desc_create",
                        o -> dnnl_eltwise_forward_primitive_desc_create(o, engine.handle(), dnnl_forward_training, (int) el[0],
                                sx.handle(), sx.handle(), el[1], el[2], attr.handle()));
                try {
                    Dnnl.PrimitiveDesc pd = mk.pd("dnnl_eltwise_backward_primitive_desc_create",
                            o -> dnnl_eltwise_backward_primitive_desc_create(o, engine.handle(), (int) el[0], si.handle(),
                                    sg.handle(), sx.handle(), el[1], el[2], hint.handle(), attr.handle()));
                    return new Entry(pd, mk.prim(pd), new Dnnl.MemoryDesc[] {sx, sg, si}, hint, null);
                } catch (RuntimeException ex) {
                    hint.close();
                    throw ex;
                }
            }
        });
        if (e == UNSUPPORTED) {
            fallback.unaryBackward(op, alpha, x, y, gradOut, gradIn);
            return;
        }
        Ctx c = ctx.get();
        c.arg(DNNL_ARG_SRC, e.mds()[0], data(x));
        c.arg(DNNL_ARG_DIFF_DST, e.mds()[1], data(gradOut));
        c.arg(DNNL_ARG_DIFF_SRC, e.mds()[2], data(gradIn));
        c.run(e, e.prim(), "eltwise backward " + op);
    }

    private static int binaryAlg(BinaryOp op) {
        return switch (op) {
            case ADD -> dnnl_binary_add;
            case SUB -> dnnl_binary_sub;
            case MUL -> dnnl_binary_mul;
            case DIV -> dnnl_binary_div;
            case MAX -> dnnl_binary_max;
            case MIN -> dnnl_binary_min;
            case EQ -> dnnl_binary_eq;
            case GT -> dnnl_binary_gt;
        };
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        require(a.sameShape(out) && b.sameShape(out), "binary " + op,
                () -> "operands must already have the output's shape: " + a.describe() + ", " + b.describe() + " -> " + out.describe());
        // src1 may be broadcast (stride 0 becomes a dimension of 1, which oneDNN broadcasts); src0 may not
        Tensor b1 = collapseBroadcast(b);
        if (small(out) || !f32(a, b, out) || !plain(a) || !plain(out) || b1 == null || !plain(b1) || !dense(a) || !dense(out)
                || !dense(b1)) {
            fallback.binary(op, a, b, out);
            return;
        }
        String key = "binary|" + op + sig(a) + sig(b1) + sig(out);
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc s0 = mk.md(a), s1 = mk.md(b1), so = mk.md(out);
            try (Dnnl.Attr attr = new Dnnl.Attr()) {
                Dnnl.PrimitiveDesc pd = mk.pd("dnnl_binary_primitive_desc_create",
                        o -> dnnl_binary_primitive_desc_create(o, engine.handle(), binaryAlg(op), s0.handle(), s1.handle(),
                                so.handle(), attr.handle()));
                return new Entry(pd, mk.prim(pd), new Dnnl.MemoryDesc[] {s0, s1, so}, null, null);
            }
        });
        if (e == UNSUPPORTED) {
            fallback.binary(op, a, b, out);
            return;
        }
        Ctx c = ctx.get();
        c.arg(DNNL_ARG_SRC, e.mds()[0], data(a));
        c.arg(DNNL_ARG_SRC_1, e.mds()[1], data(b1));
        c.arg(DNNL_ARG_DST, e.mds()[2], data(out));
        c.run(e, e.prim(), "binary " + op);
    }

    /** The same view with every stride-0 dimension of size > 1 shrunk to size 1; null if none can be. */
    private static Tensor collapseBroadcast(Tensor t) {
        int[] shape = t.shape();
        long[] strides = t.strides();
        boolean changed = false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > 1 && strides[i] == 0) {
                shape[i] = 1;
                changed = true;
            }
        }
        return changed ? t.view(shape, strides, t.offset()) : t;
    }

    // ------------------------------------------------------------------ reductions and softmax

    /** Fewest input elements per output for which oneDNN's reduction beats the fallback (measured, see below). */
    static final long MIN_REDUCED_PER_OUTPUT = 128;

    /**
     * Whether oneDNN reduces {@code x} into {@code out} fast: only when the reduced axes are the trailing
     * ones and each output sums at least {@link #MIN_REDUCED_PER_OUTPUT} elements. Other reductions
     * (a leading or middle axis, or short rows) ran oneDNN's reference implementation here, 10 to 200 times
     * slower than the vector backend: 1.4 ms against 30 us for the sum over the 2 fields of a
     * [1000, 2, 16] batch of field embeddings, which made DeepFM's rerank of 1000 hits take 5 ms.
     */
    static boolean jitReduction(Tensor x, Tensor out) {
        boolean reducing = false;
        for (int i = 0; i < x.rank(); i++) {
            if (x.shape(i) == 1) {
                continue; // kept or reduced, the same
            }
            boolean reduced = out.shape(i) != x.shape(i);
            if (reducing && !reduced) {
                return false; // a kept axis after a reduced one: not a trailing reduction
            }
            reducing |= reduced;
        }
        return out.numel() > 0 && x.numel() / out.numel() >= MIN_REDUCED_PER_OUTPUT;
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        require(out.rank() == x.rank(), "reduce " + op, () -> "output must keep the input's rank: " + x.describe() + " -> " + out.describe());
        boolean shapesOk = true;
        boolean reduces = false;
        for (int i = 0; i < x.rank(); i++) {
            shapesOk &= out.shape(i) == x.shape(i) || out.shape(i) == 1;
            reduces |= out.shape(i) != x.shape(i);
        }
        boolean ok = shapesOk;
        require(ok, "reduce " + op, () -> "output must have size 1 or the input's size on every axis: " + x.describe() + " -> " + out.describe());
        if (small(x) || !f32(x, out) || !plain(x) || !plain(out) || !reduces || !jitReduction(x, out)) {
            fallback.reduce(op, x, out);
            return;
        }
        int alg = switch (op) {
            case SUM -> dnnl_reduction_sum;
            case MEAN -> dnnl_reduction_mean;
            case MAX -> dnnl_reduction_max;
            case MIN -> dnnl_reduction_min;
        };
        String key = "reduction|" + op + sig(x) + sig(out);
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc sx = mk.md(x), so = mk.md(out);
            try (Dnnl.Attr attr = new Dnnl.Attr()) {
                Dnnl.PrimitiveDesc pd = mk.pd("dnnl_reduction_primitive_desc_create",
                        o -> dnnl_reduction_primitive_desc_create(o, engine.handle(), alg, sx.handle(), so.handle(), 0f, 0f,
                                attr.handle()));
                return new Entry(pd, mk.prim(pd), new Dnnl.MemoryDesc[] {sx, so}, null, null);
            }
        });
        if (e == UNSUPPORTED) {
            fallback.reduce(op, x, out);
            return;
        }
        Ctx c = ctx.get();
        c.arg(DNNL_ARG_SRC, e.mds()[0], data(x));
        c.arg(DNNL_ARG_DST, e.mds()[1], data(out));
        c.run(e, e.prim(), "reduction " + op);
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor out) {
        require(x.sameShape(out) && axis >= 0 && axis < x.rank(), "softmax", () -> x.describe() + " axis " + axis + " -> " + out.describe());
        if (small(x) || !f32(x, out) || !plain(x) || !plain(out) || !dense(x) || !dense(out)) {
            fallback.softmax(x, axis, log, out);
            return;
        }
        int alg = log ? dnnl_softmax_log : dnnl_softmax_accurate;
        String key = "softmax|" + log + axis + sig(x) + sig(out);
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc sx = mk.md(x), so = mk.md(out);
            try (Dnnl.Attr attr = new Dnnl.Attr()) {
                Dnnl.PrimitiveDesc pd = mk.pd("dnnl_softmax_forward_primitive_desc_create",
                        o -> dnnl_softmax_forward_primitive_desc_create(o, engine.handle(), dnnl_forward_inference, alg, sx.handle(),
                                so.handle(), axis, attr.handle()));
                return new Entry(pd, mk.prim(pd), new Dnnl.MemoryDesc[] {sx, so}, null, null);
            }
        });
        if (e == UNSUPPORTED) {
            fallback.softmax(x, axis, log, out);
            return;
        }
        Ctx c = ctx.get();
        c.arg(DNNL_ARG_SRC, e.mds()[0], data(x));
        c.arg(DNNL_ARG_DST, e.mds()[1], data(out));
        c.run(e, e.prim(), "softmax");
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, int axis, boolean log, Tensor gradIn) {
        require(y.sameShape(gradOut) && y.sameShape(gradIn) && axis >= 0 && axis < y.rank(), "softmaxBackward",
                () -> y.describe() + ", " + gradOut.describe() + " -> " + gradIn.describe());
        if (small(y) || !f32(y, gradOut, gradIn) || !plain(y) || !plain(gradOut) || !plain(gradIn) || !dense(y) || !dense(gradOut)
                || !dense(gradIn)) {
            fallback.softmaxBackward(y, gradOut, axis, log, gradIn);
            return;
        }
        int alg = log ? dnnl_softmax_log : dnnl_softmax_accurate;
        String key = "softmax_bwd|" + log + axis + sig(y) + sig(gradOut) + sig(gradIn);
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc sy = mk.md(y), sg = mk.md(gradOut), si = mk.md(gradIn);
            try (Dnnl.Attr attr = new Dnnl.Attr()) {
                Dnnl.PrimitiveDesc hint = mk.pd("dnnl_softmax_forward_primitive_desc_create",
                        o -> dnnl_softmax_forward_primitive_desc_create(o, engine.handle(), dnnl_forward_training, alg, sy.handle(),
                                sy.handle(), axis, attr.handle()));
                try {
                    Dnnl.PrimitiveDesc pd = mk.pd("dnnl_softmax_backward_primitive_desc_create",
                            o -> dnnl_softmax_backward_primitive_desc_create(o, engine.handle(), alg, si.handle(), sg.handle(),
                                    sy.handle(), axis, hint.handle(), attr.handle()));
                    return new Entry(pd, mk.prim(pd), new Dnnl.MemoryDesc[] {sy, sg, si}, hint, null);
                } catch (RuntimeException ex) {
                    hint.close();
                    throw ex;
                }
            }
        });
        if (e == UNSUPPORTED) {
            fallback.softmaxBackward(y, gradOut, axis, log, gradIn);
            return;
        }
        Ctx c = ctx.get();
        c.arg(DNNL_ARG_DST, e.mds()[0], data(y));
        c.arg(DNNL_ARG_DIFF_DST, e.mds()[1], data(gradOut));
        c.arg(DNNL_ARG_DIFF_SRC, e.mds()[2], data(gradIn));
        c.run(e, e.prim(), "softmax backward");
    }

    // ------------------------------------------------------------------ copy

    @Override
    public void copy(Tensor src, Tensor dst) {
        require(src.sameShape(dst), "copy", () -> src.describe() + " -> " + dst.describe());
        if (small(src) || !f32(src, dst) || !plain(src) || !plain(dst)) {
            fallback.copy(src, dst);
            return;
        }
        String key = "reorder|" + sig(src) + sig(dst);
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc ss = mk.md(src), sd = mk.md(dst);
            try (Dnnl.Attr attr = new Dnnl.Attr()) {
                Dnnl.PrimitiveDesc pd = mk.pd("dnnl_reorder_primitive_desc_create",
                        o -> dnnl_reorder_primitive_desc_create(o, ss.handle(), engine.handle(), sd.handle(), engine.handle(),
                                attr.handle()));
                return new Entry(pd, mk.prim(pd), new Dnnl.MemoryDesc[] {ss, sd}, null, null);
            }
        });
        if (e == UNSUPPORTED) {
            fallback.copy(src, dst);
            return;
        }
        Ctx c = ctx.get();
        c.arg(DNNL_ARG_SRC, e.mds()[0], data(src));
        c.arg(DNNL_ARG_DST, e.mds()[1], data(dst));
        c.run(e, e.prim(), "reorder");
    }

    // ------------------------------------------------------------------ convolution

    /** Geometry in oneDNN's terms: strides, dilations (0 = dense), left and right padding. */
    private record ConvGeometry(long[] strides, long[] dilates, long[] padL, long[] padR) {
        static ConvGeometry of(ConvSpec s, int h, int w, int kh, int kw, int oh, int ow) {
            // right padding that makes oneDNN's output size equal PyTorch's floor-based one
            long padRh = (long) (oh - 1) * s.strideH() + (long) (kh - 1) * s.dilationH() + 1 - h - s.padH();
            long padRw = (long) (ow - 1) * s.strideW() + (long) (kw - 1) * s.dilationW() + 1 - w - s.padW();
            return new ConvGeometry(new long[] {s.strideH(), s.strideW()}, new long[] {s.dilationH() - 1, s.dilationW() - 1},
                    new long[] {s.padH(), s.padW()}, new long[] {padRh, padRw});
        }

        void write(Arena a, MemorySegment[] out) {
            out[0] = dims(a, strides);
            out[1] = dims(a, dilates);
            out[2] = dims(a, padL);
            out[3] = dims(a, padR);
        }

        private static MemorySegment dims(Arena a, long[] v) {
            MemorySegment m = a.allocate(dnnl_dims_t);
            for (int i = 0; i < v.length; i++) {
                m.setAtIndex(C_LONG, i, v[i]);
            }
            return m;
        }
    }

    private static void checkConv(String op, Tensor x, Tensor w, Tensor out, ConvSpec s) {
        require(x.rank() == 4 && w.rank() == 4 && out.rank() == 4, op, () -> "needs [N, C, H, W] tensors");
        int g = s.groups();
        require(x.shape(1) % g == 0 && w.shape(0) % g == 0 && w.shape(1) == x.shape(1) / g && out.shape(1) == w.shape(0)
                        && out.shape(0) == x.shape(0)
                        && out.shape(2) == ConvSpec.outputSize(x.shape(2), w.shape(2), s.strideH(), s.padH(), s.dilationH())
                        && out.shape(3) == ConvSpec.outputSize(x.shape(3), w.shape(3), s.strideW(), s.padW(), s.dilationW()), op,
                () -> "shapes do not fit: input " + x.describe() + ", weight " + w.describe() + ", output " + out.describe() + ", " + s);
        require(x.isContiguous() && w.isContiguous() && out.isContiguous(), op, () -> "needs contiguous tensors");
    }

    private static Dnnl.MemoryDesc weightsMd(Parts mk, Tensor w, int groups) {
        if (groups == 1) {
            return mk.md(w);
        }
        long[] d = {groups, w.shape(0) / groups, w.shape(1), w.shape(2), w.shape(3)};
        return mk.md(d, dense(d));
    }

    private static String convKey(String op, Tensor x, Tensor w, Tensor out, ConvSpec s, boolean bias, ConvLayouts mode) {
        return op + "|" + sig(x) + sig(w) + sig(out) + s + bias + mode;
    }

    /**
     * A convolution primitive with, for each of its three tensor arguments, the layout it uses and the
     * reorder between that and panrec's plain layout. The arguments are numbered as in {@link #mds()}:
     * 0 the source (or its gradient), 1 the weights (or their gradient), 2 the destination (or its
     * gradient); the bias stays plain.
     */
    static final class ConvEntry extends Entry {
        /** Per argument: the layout the primitive uses (the plain descriptor where they are the same). */
        final Dnnl.Desc[] inner;
        /** Per argument: the reorder between the plain and the inner layout (in the argument's direction), or null. */
        final Entry[] reorders;

        ConvEntry(Dnnl.PrimitiveDesc pd, Dnnl.Primitive prim, Dnnl.MemoryDesc[] plain, Dnnl.PrimitiveDesc hint, Dnnl.Desc[] inner,
                  Entry[] reorders) {
            super(pd, prim, plain, hint, null);
            this.inner = inner;
            this.reorders = reorders;
        }
    }

    /** Builds a convolution's primitive descriptor (and, for a backward one, its forward hint) on the given layouts. */
    interface ConvPds {
        /** {@code layouts}: source, weights, destination; returns {pd, hint or null}. */
        Dnnl.PrimitiveDesc[] build(Dnnl.MemoryDesc[] layouts, java.util.function.Predicate<String> acceptable);
    }

    /** oneDNN's reference loops, alone or nested in a wrapper (e.g. "ref:any", "jit_uni_ncsp:conv+ref:any"). */
    static boolean isReference(String implementation) {
        return implementation.startsWith("ref") || implementation.contains("+ref");
    }

    /** Which memory layouts convolution primitives are built on (see {@link #convEntry}). */
    public enum ConvLayouts {
        /** Plain layouts with a non-reference implementation where oneDNN has one, else its preferred layouts (the default). */
        AUTO,
        /** Always the layouts oneDNN prefers, with reorders from and to the plain tensors. */
        PREFERRED,
        /** Always plain layouts, with oneDNN's first implementation for them, even its reference loops (as before 2026-12). */
        PLAIN
    }

    /**
     * Builds a convolution entry. First on panrec's plain layouts, with the first of oneDNN's
     * implementations that is not its reference loops: for plain NCHW the first one oneDNN offers is
     * "jit_uni_ncsp:conv+ref:any" (a wrapper around the reference), which ran ConvNCF's six stride-2
     * layers about 30 times slower than the pure-Java vector backend; the next is "gemm:jit" (im2col and
     * sgemm), which needs no copy of the arguments. Where no plain implementation but the reference
     * exists, on the layouts oneDNN prefers ({@code dnnl_format_tag_any}, e.g. nChw16c) with a reorder
     * (a copy, through a per-thread staging buffer) of each argument whose chosen layout is not plain;
     * {@code queries} name the arguments (e.g. dnnl_query_src_md), {@code outputs} those written.
     */
    private ConvEntry convEntry(Parts mk, ConvLayouts mode, Dnnl.MemoryDesc[] plain, int[] queries, boolean[] outputs, ConvPds pds) {
        if (mode != ConvLayouts.PREFERRED) {
            try {
                Dnnl.PrimitiveDesc[] p = pds.build(new Dnnl.MemoryDesc[] {plain[0], plain[1], plain[2]},
                        mode == ConvLayouts.PLAIN ? null : impl -> !isReference(impl));
                return new ConvEntry(p[0], mk.prim(p[0]), plain, p[1], new Dnnl.Desc[] {plain[0], plain[1], plain[2]}, new Entry[3]);
            } catch (DnnlException ex) {
                if (ex.status() != dnnl_unimplemented) {
                    throw ex;
                }
            }
        }
        Dnnl.PrimitiveDesc[] p = pds.build(new Dnnl.MemoryDesc[] {mk.any(plain[0]), mk.any(plain[1]), mk.any(plain[2])}, null);
        Dnnl.PrimitiveDesc pd = p[0];
        Dnnl.Desc[] inner = new Dnnl.Desc[3];
        Entry[] reorders = new Entry[3];
        for (int i = 0; i < 3; i++) {
            Dnnl.Queried chosen = pd.md(queries[i]);
            if (chosen == null || chosen.sameLayout(plain[i])) {
                inner[i] = plain[i];
                continue;
            }
            inner[i] = chosen;
            Dnnl.Desc from = outputs[i] ? chosen : plain[i];
            Dnnl.Desc to = outputs[i] ? plain[i] : chosen;
            try (Dnnl.Attr attr = new Dnnl.Attr()) {
                Dnnl.PrimitiveDesc rpd = mk.pd("dnnl_reorder_primitive_desc_create",
                        o -> dnnl_reorder_primitive_desc_create(o, from.handle(), engine.handle(), to.handle(), engine.handle(),
                                attr.handle()));
                reorders[i] = new Entry(rpd, mk.prim(rpd), null, null, null);
            }
        }
        return new ConvEntry(pd, mk.prim(pd), plain, p[1], inner, reorders);
    }

    private Dnnl.PrimitiveDesc convForwardPd(Parts mk, Dnnl.MemoryDesc sx, Dnnl.MemoryDesc sw, Dnnl.MemoryDesc sb, Dnnl.MemoryDesc so,
                                             ConvGeometry geo, Dnnl.Attr attr, java.util.function.Predicate<String> acceptable) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment[] g = new MemorySegment[4];
            geo.write(a, g);
            return mk.pd("dnnl_convolution_forward_primitive_desc_create",
                    o -> dnnl_convolution_forward_primitive_desc_create(o, engine.handle(), dnnl_forward_training,
                            dnnl_convolution_direct, sx.handle(), sw.handle(), sb == null ? MemorySegment.NULL : sb.handle(),
                            so.handle(), g[0], g[1], g[2], g[3], attr.handle()), acceptable);
        }
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, Tensor out, ConvSpec s) {
        checkConv("conv2d", x, w, out, s);
        require(bias == null || (bias.rank() == 1 && bias.shape(0) == w.shape(0)), "conv2d", () -> "bias must be [O]");
        if (!f32(x, w, bias, out) || (bias != null && !plain(bias))) {
            fallback.conv2d(x, w, bias, out, s);
            return;
        }
        ConvGeometry geo = ConvGeometry.of(s, x.shape(2), x.shape(3), w.shape(2), w.shape(3), out.shape(2), out.shape(3));
        ConvLayouts mode = convLayouts;
        String key = convKey("conv_fwd", x, w, out, s, bias != null, mode);
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc sb = bias == null ? null : mk.md(new long[] {bias.shape(0)}, new long[] {1});
            return convEntry(mk, mode, new Dnnl.MemoryDesc[] {mk.md(x), weightsMd(mk, w, s.groups()), mk.md(out), sb},
                    new int[] {dnnl_query_src_md, dnnl_query_weights_md, dnnl_query_dst_md}, new boolean[] {false, false, true},
                    (l, accept) -> {
                        try (Dnnl.Attr attr = new Dnnl.Attr()) {
                            return new Dnnl.PrimitiveDesc[] {convForwardPd(mk, l[0], l[1], sb, l[2], geo, attr, accept), null};
                        }
                    });
        });
        if (e == UNSUPPORTED) {
            fallback.conv2d(x, w, bias, out, s);
            return;
        }
        ConvEntry ce = (ConvEntry) e;
        Ctx c = ctx.get();
        MemorySegment src = c.staged(ce, 0, data(x), true);
        MemorySegment wts = c.staged(ce, 1, data(w), true);
        MemorySegment dst = c.staged(ce, 2, data(out), false);
        c.arg(DNNL_ARG_SRC, ce.inner[0], src);
        c.arg(DNNL_ARG_WEIGHTS, ce.inner[1], wts);
        c.arg(DNNL_ARG_DST, ce.inner[2], dst);
        if (bias != null) {
            c.arg(DNNL_ARG_BIAS, e.mds()[3], data(bias));
        }
        c.run(e, e.prim(), "convolution forward");
        c.unstage(ce, 2, dst, data(out));
    }

    @Override
    public void conv2dBackwardData(Tensor gradOut, Tensor w, Tensor gradIn, ConvSpec s) {
        checkConv("conv2dBackwardData", gradIn, w, gradOut, s);
        if (!f32(gradOut, w, gradIn)) {
            fallback.conv2dBackwardData(gradOut, w, gradIn, s);
            return;
        }
        ConvGeometry geo = ConvGeometry.of(s, gradIn.shape(2), gradIn.shape(3), w.shape(2), w.shape(3), gradOut.shape(2),
                gradOut.shape(3));
        ConvLayouts mode = convLayouts;
        String key = convKey("conv_bwd_data", gradIn, w, gradOut, s, false, mode);
        Entry e = entry(key, mk -> convEntry(mk, mode, new Dnnl.MemoryDesc[] {mk.md(gradIn), weightsMd(mk, w, s.groups()), mk.md(gradOut)},
                new int[] {dnnl_query_diff_src_md, dnnl_query_weights_md, dnnl_query_diff_dst_md}, new boolean[] {true, false, false},
                (l, accept) -> {
                    try (Dnnl.Attr attr = new Dnnl.Attr(); Arena a = Arena.ofConfined()) {
                        Dnnl.PrimitiveDesc hint = convForwardPd(mk, l[0], l[1], null, l[2], geo, attr, null);
                        MemorySegment[] g = new MemorySegment[4];
                        geo.write(a, g);
                        try {
                            Dnnl.PrimitiveDesc pd = mk.pd("dnnl_convolution_backward_data_primitive_desc_create",
                                    o -> dnnl_convolution_backward_data_primitive_desc_create(o, engine.handle(), dnnl_convolution_direct,
                                            l[0].handle(), l[1].handle(), l[2].handle(), g[0], g[1], g[2], g[3], hint.handle(),
                                            attr.handle()), accept);
                            return new Dnnl.PrimitiveDesc[] {pd, hint};
                        } catch (RuntimeException ex) {
                            hint.close();
                            throw ex;
                        }
                    }
                }));
        if (e == UNSUPPORTED) {
            fallback.conv2dBackwardData(gradOut, w, gradIn, s);
            return;
        }
        ConvEntry ce = (ConvEntry) e;
        Ctx c = ctx.get();
        MemorySegment wts = c.staged(ce, 1, data(w), true);
        MemorySegment dg = c.staged(ce, 2, data(gradOut), true);
        MemorySegment di = c.staged(ce, 0, data(gradIn), false);
        c.arg(DNNL_ARG_DIFF_SRC, ce.inner[0], di);
        c.arg(DNNL_ARG_WEIGHTS, ce.inner[1], wts);
        c.arg(DNNL_ARG_DIFF_DST, ce.inner[2], dg);
        c.run(e, e.prim(), "convolution backward data");
        c.unstage(ce, 0, di, data(gradIn));
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gradOut, Tensor gradW, Tensor gradBias, ConvSpec s) {
        checkConv("conv2dBackwardWeights", x, gradW, gradOut, s);
        require(gradBias == null || (gradBias.rank() == 1 && gradBias.shape(0) == gradW.shape(0)), "conv2dBackwardWeights",
                () -> "bias gradient must be [O]");
        if (!f32(x, gradOut, gradW, gradBias) || (gradBias != null && !plain(gradBias))) {
            fallback.conv2dBackwardWeights(x, gradOut, gradW, gradBias, s);
            return;
        }
        ConvGeometry geo = ConvGeometry.of(s, x.shape(2), x.shape(3), gradW.shape(2), gradW.shape(3), gradOut.shape(2),
                gradOut.shape(3));
        ConvLayouts mode = convLayouts;
        String key = convKey("conv_bwd_weights", x, gradW, gradOut, s, gradBias != null, mode);
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc sb = gradBias == null ? null : mk.md(new long[] {gradBias.shape(0)}, new long[] {1});
            return convEntry(mk, mode, new Dnnl.MemoryDesc[] {mk.md(x), weightsMd(mk, gradW, s.groups()), mk.md(gradOut), sb},
                    new int[] {dnnl_query_src_md, dnnl_query_diff_weights_md, dnnl_query_diff_dst_md}, new boolean[] {false, true, false},
                    (l, accept) -> {
                        try (Dnnl.Attr attr = new Dnnl.Attr(); Arena a = Arena.ofConfined()) {
                            Dnnl.PrimitiveDesc hint = convForwardPd(mk, l[0], l[1], sb, l[2], geo, attr, null);
                            MemorySegment[] g = new MemorySegment[4];
                            geo.write(a, g);
                            try {
                                Dnnl.PrimitiveDesc pd = mk.pd("dnnl_convolution_backward_weights_primitive_desc_create",
                                        o -> dnnl_convolution_backward_weights_primitive_desc_create(o, engine.handle(),
                                                dnnl_convolution_direct, l[0].handle(), l[1].handle(),
                                                sb == null ? MemorySegment.NULL : sb.handle(), l[2].handle(), g[0], g[1], g[2], g[3],
                                                hint.handle(), attr.handle()), accept);
                                return new Dnnl.PrimitiveDesc[] {pd, hint};
                            } catch (RuntimeException ex) {
                                hint.close();
                                throw ex;
                            }
                        }
                    });
        });
        if (e == UNSUPPORTED) {
            fallback.conv2dBackwardWeights(x, gradOut, gradW, gradBias, s);
            return;
        }
        ConvEntry ce = (ConvEntry) e;
        Ctx c = ctx.get();
        MemorySegment src = c.staged(ce, 0, data(x), true);
        MemorySegment dg = c.staged(ce, 2, data(gradOut), true);
        MemorySegment dw = c.staged(ce, 1, data(gradW), false);
        c.arg(DNNL_ARG_SRC, ce.inner[0], src);
        c.arg(DNNL_ARG_DIFF_WEIGHTS, ce.inner[1], dw);
        c.arg(DNNL_ARG_DIFF_DST, ce.inner[2], dg);
        if (gradBias != null) {
            c.arg(DNNL_ARG_DIFF_BIAS, e.mds()[3], data(gradBias));
        }
        c.run(e, e.prim(), "convolution backward weights");
        c.unstage(ce, 1, dw, data(gradW));
    }

    // ------------------------------------------------------------------ pooling

    private static int poolAlg(PoolSpec p) {
        if (p.kind() == PoolSpec.Kind.MAX) {
            return dnnl_pooling_max;
        }
        return p.countIncludePad() ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding;
    }

    private static void checkPool(String op, PoolSpec p, Tensor x, Tensor out) {
        require(x.rank() == 4 && out.rank() == 4 && x.shape(0) == out.shape(0) && x.shape(1) == out.shape(1)
                        && out.shape(2) == p.outputH(x.shape(2)) && out.shape(3) == p.outputW(x.shape(3)), op,
                () -> "shapes do not fit: " + x.describe() + " -> " + out.describe() + " with " + p);
        require(x.isContiguous() && out.isContiguous(), op, () -> "needs contiguous tensors");
    }

    private Dnnl.PrimitiveDesc poolForwardPd(Parts mk, PoolSpec p, Dnnl.MemoryDesc sx, Dnnl.MemoryDesc so, int prop, Tensor x, Tensor out,
                                             Dnnl.Attr attr) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment[] g = poolGeometry(a, p, x, out);
            return mk.pd("dnnl_pooling_forward_primitive_desc_create",
                    o -> dnnl_pooling_forward_primitive_desc_create(o, engine.handle(), prop, poolAlg(p), sx.handle(), so.handle(),
                            g[0], g[1], g[2], g[3], g[4], attr.handle()));
        }
    }

    private static MemorySegment[] poolGeometry(Arena a, PoolSpec p, Tensor x, Tensor out) {
        long padRh = (long) (out.shape(2) - 1) * p.strideH() + p.kernelH() - x.shape(2) - p.padH();
        long padRw = (long) (out.shape(3) - 1) * p.strideW() + p.kernelW() - x.shape(3) - p.padW();
        MemorySegment[] g = new MemorySegment[5];
        g[0] = dims2(a.allocate(dnnl_dims_t), p.strideH(), p.strideW());
        g[1] = dims2(a.allocate(dnnl_dims_t), p.kernelH(), p.kernelW());
        g[2] = dims2(a.allocate(dnnl_dims_t), 0, 0);
        g[3] = dims2(a.allocate(dnnl_dims_t), p.padH(), p.padW());
        g[4] = dims2(a.allocate(dnnl_dims_t), padRh, padRw);
        return g;
    }

    @Override
    public void pool2d(PoolSpec p, Tensor x, Tensor out) {
        checkPool("pool2d", p, x, out);
        if (!f32(x, out)) {
            fallback.pool2d(p, x, out);
            return;
        }
        String key = "pool_fwd|" + p + sig(x) + sig(out);
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc sx = mk.md(x), so = mk.md(out);
            try (Dnnl.Attr attr = new Dnnl.Attr()) {
                Dnnl.PrimitiveDesc pd = poolForwardPd(mk, p, sx, so, dnnl_forward_inference, x, out, attr);
                return new Entry(pd, mk.prim(pd), new Dnnl.MemoryDesc[] {sx, so}, null, null);
            }
        });
        if (e == UNSUPPORTED) {
            fallback.pool2d(p, x, out);
            return;
        }
        Ctx c = ctx.get();
        c.arg(DNNL_ARG_SRC, e.mds()[0], data(x));
        c.arg(DNNL_ARG_DST, e.mds()[1], data(out));
        c.run(e, e.prim(), "pooling forward");
    }

    /**
     * Max pooling's backward needs the forward's workspace (where each maximum was); the SPI passes x
     * instead, so the forward runs again here in training mode into scratch memory, then the backward.
     */
    @Override
    public void pool2dBackward(PoolSpec p, Tensor x, Tensor out, Tensor gradOut, Tensor gradIn) {
        checkPool("pool2dBackward", p, x, out);
        require(gradOut.sameShape(out) && gradIn.sameShape(x) && gradOut.isContiguous() && gradIn.isContiguous(),
                "pool2dBackward", () -> "gradients must be contiguous and shaped like out and x");
        if (!f32(x, out, gradOut, gradIn)) {
            fallback.pool2dBackward(p, x, out, gradOut, gradIn);
            return;
        }
        boolean max = p.kind() == PoolSpec.Kind.MAX;
        String key = "pool_bwd|" + p + sig(x) + sig(out);
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc sx = mk.md(x), so = mk.md(out);
            try (Dnnl.Attr attr = new Dnnl.Attr(); Arena a = Arena.ofConfined()) {
                Dnnl.PrimitiveDesc hint = poolForwardPd(mk, p, sx, so, dnnl_forward_training, x, out, attr);
                MemorySegment[] g = poolGeometry(a, p, x, out);
                try {
                    Dnnl.PrimitiveDesc pd = mk.pd("dnnl_pooling_backward_primitive_desc_create",
                            o -> dnnl_pooling_backward_primitive_desc_create(o, engine.handle(), poolAlg(p), sx.handle(), so.handle(),
                                    g[0], g[1], g[2], g[3], g[4], hint.handle(), attr.handle()));
                    return new Entry(pd, mk.prim(pd), new Dnnl.MemoryDesc[] {sx, so}, hint,
                            max ? mk.prim(hint) : null);
                } catch (RuntimeException ex) {
                    hint.close();
                    throw ex;
                }
            }
        });
        if (e == UNSUPPORTED) {
            fallback.pool2dBackward(p, x, out, gradOut, gradIn);
            return;
        }
        Ctx c = ctx.get();
        MemorySegment ws = null;
        Dnnl.Queried wsMd = null;
        if (max) {
            wsMd = e.hint().workspace();
            ws = c.buffer(2, wsMd.bytes());
            MemorySegment dst = c.buffer(3, out.numel() * 4);
            c.arg(DNNL_ARG_SRC, e.mds()[0], data(x));
            c.arg(DNNL_ARG_DST, e.mds()[1], dst);
            c.arg(DNNL_ARG_WORKSPACE, wsMd, ws);
            c.run(e, e.forward(), "pooling forward (for the workspace)");
        }
        c.arg(DNNL_ARG_DIFF_DST, e.mds()[1], data(gradOut));
        c.arg(DNNL_ARG_DIFF_SRC, e.mds()[0], data(gradIn));
        if (max) {
            c.arg(DNNL_ARG_WORKSPACE, wsMd, ws);
        }
        c.run(e, e.prim(), "pooling backward");
    }

    // ------------------------------------------------------------------ layer normalization

    private static void checkLayerNorm(String op, Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor... rowsByD) {
        require(x.rank() == 2 && x.isContiguous() && mean.rank() == 1 && rstd.rank() == 1 && mean.shape(0) == x.shape(0)
                        && rstd.shape(0) == x.shape(0) && mean.isContiguous() && rstd.isContiguous(), op,
                () -> "needs contiguous x [R, D], mean [R], rstd [R], got " + x.describe() + ", " + mean.describe() + ", " + rstd.describe());
        require(gamma == null || (gamma.rank() == 1 && gamma.shape(0) == x.shape(1)), op, () -> "gamma must be [D]");
        for (Tensor t : rowsByD) {
            require(t.sameShape(x) && t.isContiguous(), op, () -> t.describe() + " must be contiguous like " + x.describe());
        }
    }

    private static int lnFlags(boolean scale, boolean shift) {
        return (scale ? dnnl_use_scale : 0) | (shift ? dnnl_use_shift : 0);
    }

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor out, Tensor mean, Tensor rstd) {
        checkLayerNorm("layerNorm", x, gamma, mean, rstd, out);
        require(beta == null || (beta.rank() == 1 && beta.shape(0) == x.shape(1)), "layerNorm", () -> "beta must be [D]");
        if (!f32(x, gamma, beta, out, mean, rstd) || x.numel() == 0 || (gamma != null && !plain(gamma))
                || (beta != null && !plain(beta))) {
            fallback.layerNorm(x, gamma, beta, eps, out, mean, rstd);
            return;
        }
        int flags = lnFlags(gamma != null, beta != null);
        String key = "lnorm_fwd|" + flags + eps + sig(x);
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc sx = mk.md(x), so = mk.md(out), st = mk.md(new long[] {x.shape(0)}, new long[] {1}),
                    sp = mk.md(new long[] {x.shape(1)}, new long[] {1});
            try (Dnnl.Attr attr = new Dnnl.Attr()) {
                Dnnl.PrimitiveDesc pd = mk.pd("dnnl_layer_normalization_forward_primitive_desc_create",
                        o -> dnnl_layer_normalization_forward_primitive_desc_create(o, engine.handle(), dnnl_forward_training,
                                sx.handle(), so.handle(), st.handle(), eps, flags, attr.handle()));
                return new Entry(pd, mk.prim(pd), new Dnnl.MemoryDesc[] {sx, so, st, sp}, null, null);
            }
        });
        if (e == UNSUPPORTED) {
            fallback.layerNorm(x, gamma, beta, eps, out, mean, rstd);
            return;
        }
        int rows = x.shape(0);
        Ctx c = ctx.get();
        MemorySegment variance = c.buffer(2, rows * 4L);
        c.arg(DNNL_ARG_SRC, e.mds()[0], data(x));
        c.arg(DNNL_ARG_DST, e.mds()[1], data(out));
        c.arg(DNNL_ARG_MEAN, e.mds()[2], data(mean));
        c.arg(DNNL_ARG_VARIANCE, e.mds()[2], variance);
        if (gamma != null) {
            c.arg(DNNL_ARG_SCALE, e.mds()[3], data(gamma));
        }
        if (beta != null) {
            c.arg(DNNL_ARG_SHIFT, e.mds()[3], data(beta));
        }
        c.run(e, e.prim(), "layer normalization forward");
        // the SPI speaks in 1/sqrt(var + eps), oneDNN in variance
        MemorySegment r = data(rstd);
        for (int i = 0; i < rows; i++) {
            r.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (1 / Math.sqrt(variance.getAtIndex(ValueLayout.JAVA_FLOAT, i) + eps)));
        }
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gradOut,
                                  Tensor gradIn, Tensor gradGamma, Tensor gradBeta) {
        checkLayerNorm("layerNormBackward", x, gamma, mean, rstd, gradOut, gradIn);
        if (!f32(x, gamma, mean, rstd, gradOut, gradIn, gradGamma, gradBeta) || x.numel() == 0
                || (gamma != null && !plain(gamma)) || (gradGamma != null && !gradGamma.isContiguous())
                || (gradBeta != null && !gradBeta.isContiguous())) {
            fallback.layerNormBackward(x, gamma, mean, rstd, gradOut, gradIn, gradGamma, gradBeta);
            return;
        }
        boolean scale = gamma != null;
        boolean shift = gradBeta != null;
        int flags = lnFlags(scale, shift);
        // eps = 0 with variance = 1/rstd^2 makes oneDNN's 1/sqrt(var + eps) exactly the forward's rstd
        String key = "lnorm_bwd|" + flags + sig(x);
        Entry e = entry(key, mk -> {
            Dnnl.MemoryDesc sx = mk.md(x), st = mk.md(new long[] {x.shape(0)}, new long[] {1}), sp = mk.md(new long[] {x.shape(1)}, new long[] {1});
            try (Dnnl.Attr attr = new Dnnl.Attr()) {
                Dnnl.PrimitiveDesc hint = mk.pd("dnnl_layer_normalization_forward_primitive_desc_create",
                        o -> dnnl_layer_normalization_forward_primitive_desc_create(o, engine.handle(), dnnl_forward_training,
                                sx.handle(), sx.handle(), st.handle(), 0f, flags, attr.handle()));
                try {
                    Dnnl.PrimitiveDesc pd = mk.pd("dnnl_layer_normalization_backward_primitive_desc_create",
                            o -> dnnl_layer_normalization_backward_primitive_desc_create(o, engine.handle(), dnnl_backward,
                                    sx.handle(), sx.handle(), sx.handle(), st.handle(), 0f, flags, hint.handle(), attr.handle()));
                    return new Entry(pd, mk.prim(pd), new Dnnl.MemoryDesc[] {sx, st, sp}, hint, null);
                } catch (RuntimeException ex) {
                    hint.close();
                    throw ex;
                }
            }
        });
        if (e == UNSUPPORTED) {
            fallback.layerNormBackward(x, gamma, mean, rstd, gradOut, gradIn, gradGamma, gradBeta);
            return;
        }
        int rows = x.shape(0);
        int d = x.shape(1);
        Ctx c = ctx.get();
        MemorySegment variance = c.buffer(2, rows * 4L);
        MemorySegment r = data(rstd);
        for (int i = 0; i < rows; i++) {
            float rs = r.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            variance.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1f / (rs * rs));
        }
        c.arg(DNNL_ARG_SRC, e.mds()[0], data(x));
        c.arg(DNNL_ARG_DIFF_DST, e.mds()[0], data(gradOut));
        c.arg(DNNL_ARG_DIFF_SRC, e.mds()[0], data(gradIn));
        c.arg(DNNL_ARG_MEAN, e.mds()[1], data(mean));
        c.arg(DNNL_ARG_VARIANCE, e.mds()[1], variance);
        if (scale) {
            c.arg(DNNL_ARG_SCALE, e.mds()[2], data(gamma));
            c.arg(DNNL_ARG_DIFF_SCALE, e.mds()[2], gradGamma != null ? data(gradGamma) : c.buffer(3, d * 4L));
        }
        if (shift) {
            c.arg(DNNL_ARG_DIFF_SHIFT, e.mds()[2], data(gradBeta));
        }
        c.run(e, e.prim(), "layer normalization backward");
        if (!scale && gradGamma != null) {
            fallback.fill(gradGamma, 0); // unreachable in practice: no gamma means no gamma gradient is asked for
        }
    }

    @Override
    public String toString() {
        return "OneDnnBackend[oneDNN " + OneDnnLibrary.version() + ", " + cache.size() + " primitives cached, fallback "
                + fallback.name() + "]";
    }
}
