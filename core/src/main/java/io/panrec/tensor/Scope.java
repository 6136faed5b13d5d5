package io.panrec.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Owner of off-heap tensor memory: a tree of {@link Arena}s closed with try-with-resources.
 *
 * <pre>{@code
 * try (Scope step = Scope.open("step")) {   // becomes this thread's current scope
 *     Tensor loss = model.loss(batch);        // intermediates are allocated in "step"
 *     loss.backward();
 * }                                           // all of it is freed here
 * }</pre>
 *
 * <p>Closing a scope closes its children first; closing twice is a no-op. A tensor used after its scope
 * closed throws {@link IllegalStateException} naming the scope, never touches freed memory. Tensors made
 * outside any open scope belong to the {@linkplain #global() global scope}, whose memory the garbage
 * collector frees when the tensor becomes unreachable (as in PyTorch).
 *
 * <p>A scope from {@link #open} is confined to the thread that opened it: it holds one call's
 * intermediates (a training step, a rerank), and closing a confined arena is a plain free, where closing
 * a shared one makes every Java thread of the process stop at a handshake (about 20 us with a handful of
 * threads, 40 us with thirty: half of scoring 100 NeuMF candidates). Using its tensors from another thread
 * throws {@link IllegalStateException}. Kernels that split one call's work across threads hand their
 * workers {@link #forWorkers} views while the caller waits. A scope other threads must read while it is
 * open comes from {@link #openShared}; {@link #child} scopes (a model's parameters, read by every Lucene
 * search thread) are shared too. Without native access for this module (no {@code --enable-native-access})
 * the workers' views cannot be made, and every scope is shared.
 */
public final class Scope implements AutoCloseable {
    /** Alignment of every tensor allocation: a cache line, and what AVX-512 and oneDNN like best. */
    public static final long ALIGNMENT = 64;

    private static final Cleaner CLEANER = Cleaner.create();
    private static final Scope GLOBAL = new Scope("global", null, null, null, null);
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    /**
     * {@code malloc} and {@code free} of the C library, for {@link #allocateUninitialized}; null where this
     * module has no native access (then that method zero-fills like {@link #allocate}).
     */
    private static final MethodHandle MALLOC;
    private static final MethodHandle FREE;

    static {
        MethodHandle malloc = null;
        MethodHandle free = null;
        if (Scope.class.getModule().isNativeAccessEnabled()) {
            try {
                Linker linker = Linker.nativeLinker();
                // critical: a plain C call that never calls back into Java, so no thread-state transition
                malloc = linker.downcallHandle(linker.defaultLookup().findOrThrow("malloc"),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), Linker.Option.critical(false));
                free = linker.downcallHandle(linker.defaultLookup().findOrThrow("free"),
                        FunctionDescriptor.ofVoid(ValueLayout.ADDRESS), Linker.Option.critical(false));
            } catch (RuntimeException e) {
                malloc = null; // no C library to link against: allocateUninitialized zero-fills
                free = null;
            }
        }
        MALLOC = malloc;
        FREE = free;
    }

    /**
     * Tests set this to fill {@link #allocateUninitialized} memory with NaN bytes, so that an op that
     * reads an output it did not write shows up (fresh pages from malloc are often zero by chance).
     */
    private static volatile boolean poisonUninitialized;

    private final String name;
    private final Scope parent;
    private final Arena arena;               // null for the global (automatic) scope
    private final Scope previousCurrent;     // the thread's current scope before open(), restored on close
    private final Thread owner;              // the only thread that may use a confined scope; null if shared
    private final List<Scope> children = new ArrayList<>();
    private final AtomicLong bytes = new AtomicLong();
    private volatile boolean closed;

    private Scope(String name, Scope parent, Arena arena, Scope previousCurrent, Thread owner) {
        this.name = name;
        this.parent = parent;
        this.arena = arena;
        this.previousCurrent = previousCurrent;
        this.owner = owner;
    }

    /** Whether {@link #open} confines scopes: only where {@link #forWorkers} can make views (native access). */
    private static final boolean CONFINED = Scope.class.getModule().isNativeAccessEnabled();

    /** The scope of tensors made outside any open scope; never closes, memory freed by the GC. */
    public static Scope global() {
        return GLOBAL;
    }

    /** The innermost scope opened by this thread with {@link #open(String)} and not yet closed, else global. */
    public static Scope current() {
        Scope s = CURRENT.get();
        while (s != null && s.closed) {
            s = s.previousCurrent;
        }
        return s == null ? GLOBAL : s;
    }

    /**
     * Opens a child of the current scope, confined to this thread, and makes it this thread's current
     * scope until it is closed (class comment: other threads may not use its tensors).
     */
    public static Scope open(String name) {
        return open(name, CONFINED);
    }

    /**
     * As {@link #open}, but other threads may use the scope's tensors while it is open (closing it costs a
     * handshake with every thread): for intermediates handed to other threads, such as a batch one thread
     * prepares and another consumes.
     */
    public static Scope openShared(String name) {
        return open(name, false);
    }

    private static Scope open(String name, boolean confined) {
        Scope parent = current();
        Thread me = Thread.currentThread();
        Scope s = new Scope(name, parent, confined ? Arena.ofConfined() : Arena.ofShared(), CURRENT.get(), confined ? me : null);
        parent.adopt(s);
        CURRENT.set(s);
        return s;
    }

    /**
     * {@code segment}'s memory as a view any thread may read and write, for a kernel's worker threads while
     * the calling thread, which owns the segment's scope, waits for them: that wait keeps the scope open.
     * Never keep the view beyond the call; it is not checked against the scope's lifetime.
     */
    public static MemorySegment forWorkers(MemorySegment segment) {
        if (!CONFINED || !segment.isNative()) {
            return segment; // every scope is shared, and heap arrays belong to no scope
        }
        return MemorySegment.ofAddress(segment.address()).reinterpret(segment.byteSize());
    }

    /**
     * A child that does not become current: for memory that outlives the code creating it, such as a
     * model's parameters and their gradients.
     */
    public Scope child(String childName) {
        Scope s = new Scope(childName, this, Arena.ofShared(), null, null);
        adopt(s);
        return s;
    }

    private synchronized void adopt(Scope child) {
        if (closed) {
            child.closed = true;
            child.arena.close();
            throw new IllegalStateException("cannot open scope '" + child.name + "' inside closed scope '" + path() + "'");
        }
        children.add(child);
    }

    private synchronized void forget(Scope child) {
        children.remove(child);
    }

    /**
     * Allocates zeroed, {@link #ALIGNMENT}-aligned memory owned by this scope.
     *
     * @throws IllegalStateException if the scope is closed
     */
    public MemorySegment allocate(long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("negative allocation size " + byteSize);
        }
        long size = Math.max(byteSize, 1);
        if (arena == null) {
            // One automatic arena per allocation, so each tensor's memory is freed as soon as it is
            // unreachable (a single shared automatic arena would free nothing until the end).
            Arena auto = Arena.ofAuto();
            MemorySegment seg = auto.allocate(size, ALIGNMENT);
            MemoryStats.allocated(size);
            CLEANER.register(seg, () -> MemoryStats.freed(size));
            return seg;
        }
        checkAlive("allocate " + byteSize + " bytes");
        MemorySegment seg;
        try {
            seg = arena.allocate(size, ALIGNMENT);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("scope '" + path() + "' was closed while allocating", e);
        } catch (OutOfMemoryError e) {
            throw new OutOfMemoryError("off-heap allocation of " + size + " bytes in scope '" + path()
                    + "' failed (" + MemoryStats.liveBytes() + " bytes of tensors live): " + e.getMessage());
        }
        bytes.addAndGet(size);
        MemoryStats.allocated(size);
        MemoryStats.scopedAllocated(size);
        return seg;
    }

    /**
     * Allocates {@link #ALIGNMENT}-aligned memory owned by this scope whose contents are undefined: for
     * op outputs that a kernel overwrites completely, where {@link #allocate}'s zero-fill is wasted work
     * (it was a quarter of a small inference call). The memory comes from the C library's {@code malloc}
     * and is attached to this scope's arena, so it is freed when the scope closes and any access after that
     * throws, exactly as for {@link #allocate}. In the global scope, or without native access to the C
     * library, it is zero-filled memory from {@link #allocate}.
     *
     * @throws IllegalStateException if the scope is closed
     */
    public MemorySegment allocateUninitialized(long byteSize) {
        if (arena == null || MALLOC == null) {
            return allocate(byteSize);
        }
        if (byteSize < 0) {
            throw new IllegalArgumentException("negative allocation size " + byteSize);
        }
        long size = Math.max(byteSize, 1);
        checkAlive("allocate " + byteSize + " bytes");
        MemorySegment raw;
        try {
            raw = (MemorySegment) MALLOC.invokeExact(size + ALIGNMENT - 1);
        } catch (Throwable t) {
            throw new IllegalStateException("malloc of " + size + " bytes failed", t);
        }
        if (raw.address() == 0) {
            throw new OutOfMemoryError("off-heap allocation of " + size + " bytes in scope '" + path()
                    + "' failed (" + MemoryStats.liveBytes() + " bytes of tensors live): malloc returned NULL");
        }
        long base = raw.address();
        long aligned = (base + ALIGNMENT - 1) & -ALIGNMENT;
        MemorySegment seg;
        try {
            // the cleanup frees the block when the arena closes; the segment becomes inaccessible then
            seg = MemorySegment.ofAddress(aligned).reinterpret(size, arena, s -> free(base));
        } catch (IllegalStateException e) {
            free(base);
            throw new IllegalStateException("scope '" + path() + "' was closed while allocating", e);
        }
        if (poisonUninitialized) {
            seg.fill((byte) 0xFF); // 0xFFFFFFFF is a NaN as F32 and F64, -1 as integers
        }
        bytes.addAndGet(size);
        MemoryStats.allocated(size);
        MemoryStats.scopedAllocated(size);
        return seg;
    }

    /** For tests: see {@link #poisonUninitialized}. */
    static void poisonUninitialized(boolean on) {
        poisonUninitialized = on;
    }

    /** Whether {@link #allocateUninitialized} skips the zero-fill here (native access to the C library). */
    static boolean uninitializedAvailable() {
        return MALLOC != null;
    }

    private static void free(long address) {
        try {
            FREE.invokeExact(MemorySegment.ofAddress(address));
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }

    /** Ties the lifetime of a foreign segment (e.g. a memory-mapped file) to this scope. */
    public Arena arenaOrNull() {
        return arena;
    }

    /** Bytes allocated in this scope itself (not its children) and still live. */
    public long allocatedBytes() {
        return closed ? 0 : bytes.get();
    }

    public boolean isAlive() {
        return !closed;
    }

    /** Whether the calling thread may use this scope's memory: it is open, and shared or opened by this thread. */
    public boolean isUsableHere() {
        return !closed && (owner == null || owner == Thread.currentThread());
    }

    /**
     * Throws a clear exception unless {@link #isUsableHere}: the scope is closed, or it is confined to another
     * thread; {@code what} names the operation attempted.
     */
    public void checkUsableHere(String what) {
        checkAlive(what);
        if (owner != null && owner != Thread.currentThread()) {
            throw new IllegalStateException(what + ": its memory scope '" + path() + "' belongs to thread '" + owner.getName()
                    + "', which opened it with Scope.open; use its tensors on that thread, or open the scope with "
                    + "Scope.openShared so that other threads may read them while it is open.");
        }
    }

    public String name() {
        return name;
    }

    /** Slash-separated names from the root, for error messages. */
    public String path() {
        return parent == null ? name : parent.path() + "/" + name;
    }

    /** Throws a clear exception if this scope is closed; {@code what} names the operation attempted. */
    public void checkAlive(String what) {
        if (closed) {
            throw new IllegalStateException(what + ": its memory scope '" + path()
                    + "' is closed. Keep tensors inside the try-with-resources block of their scope, or allocate "
                    + "them in a longer-lived scope (Scope.child) and copy what must outlive it.");
        }
    }

    @Override
    public void close() {
        if (arena == null) {
            return; // the global scope never closes
        }
        List<Scope> kids;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (owner != null && owner != Thread.currentThread()) {
                throw new IllegalStateException("cannot close scope '" + path() + "' from thread '" + Thread.currentThread().getName()
                        + "': it is confined to thread '" + owner.getName() + "', which opened it; close it there");
            }
            closed = true;
            kids = new ArrayList<>(children);
            children.clear();
        }
        for (Scope k : kids) {
            k.close();
        }
        arena.close();
        long released = bytes.getAndSet(0);
        MemoryStats.freed(released);
        MemoryStats.scopedFreed(released);
        if (parent != null) {
            parent.forget(this);
        }
        if (CURRENT.get() == this) {
            CURRENT.set(previousCurrent);
        }
    }

    @Override
    public String toString() {
        return "Scope[" + path() + (closed ? ", closed" : ", " + bytes.get() + " bytes") + "]";
    }
}
