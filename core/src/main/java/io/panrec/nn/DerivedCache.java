package io.panrec.nn;

import io.panrec.backend.Backends;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * One tensor derived from a module's parameters for inference, built on first use and rebuilt when the
 * module's {@link Module#stateVersion() state version} moves on (training, a state load). A model uses it
 * for work that depends only on its weights and would otherwise be repeated on every call: NeuMF's
 * item-side half of the first tower layer for every item, so that scoring a user's candidates starts from
 * a lookup instead of a product.
 *
 * <p>Only for eval mode: {@link #get} returns null while the owner trains (the product must then be
 * recorded for gradients), and the caller takes its ordinary path. It also returns null when the tensor
 * would exceed {@code maxBytes}: a catalogue too large to cache falls back to the ordinary path instead of
 * taking memory the user did not plan for.
 *
 * <p>Thread-safe: reranking threads may ask at once; one builds, the others wait for it. The tensor lives in
 * the global scope (freed by the GC once no cache refers to it), since it outlives every call's scope, on the
 * device it was built on ({@link Module#to} moves the model and changes the state version, so it is rebuilt).
 */
public final class DerivedCache {
    /** The default bound of one cache, 256 MiB; {@code -Dpanrec.derivedCache.maxBytes=N} changes it. */
    public static final long DEFAULT_MAX_BYTES = Long.getLong("panrec.derivedCache.maxBytes", 256L << 20);

    private record Entry(long version, Tensor value) {
    }

    private final Module owner;
    private final long maxBytes;
    private volatile Entry entry;

    public DerivedCache(Module owner, long maxBytes) {
        this.owner = Objects.requireNonNull(owner, "owner");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("DerivedCache: maxBytes must be >= 0, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    public DerivedCache(Module owner) {
        this(owner, DEFAULT_MAX_BYTES);
    }

    /**
     * The derived tensor for the owner's current parameters, made by {@code build} if there is none yet or
     * the state has changed since; null in training mode or when {@code bytes} (the size {@code build} will
     * return) exceeds the bound. {@code build} runs without gradient recording; what it returns is copied
     * into memory of the cache's own, so it may live in any scope.
     */
    public Tensor get(long bytes, Supplier<Tensor> build) {
        if (owner.isTraining() || bytes > maxBytes) {
            return null;
        }
        long version = owner.stateVersion();
        Entry e = entry;
        if (e != null && e.version == version) {
            return e.value;
        }
        synchronized (this) {
            e = entry;
            if (e != null && e.version == version) {
                return e.value;
            }
            Tensor kept;
            try (var _ = io.panrec.autograd.Autograd.noGrad(); var _ = Scope.open("derived-cache")) {
                Tensor made = build.get();
                kept = made.device().isHost()
                        ? Tensor.empty(Scope.global(), made.dtype(), made.shape())
                        : Backends.forDevice(made.device()).empty(Scope.global(), made.device(), made.dtype(), made.shape());
                Backends.copy(made, kept);
            }
            entry = new Entry(version, kept);
            return kept;
        }
    }

    /** Drops the tensor (the next {@link #get} rebuilds it). */
    public void clear() {
        entry = null;
    }
}
