package io.panrec.nn;

import io.panrec.autograd.Autograd;
import io.panrec.backend.Backends;
import io.panrec.ops.Checks;
import io.panrec.tensor.Device;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Base of every layer and model: a tree of named parameters, buffers and submodules, as PyTorch's
 * {@code nn.Module}. Subclasses register their parts explicitly in their constructor (Java has no
 * attribute magic), and the registration order is the order of {@link #parameters()} and of the state
 * dict, so it is deterministic.
 *
 * <p>Names join with dots from the root: a parameter "weight" of a child "0" of a child "layers" of a
 * child "encoder" is {@code encoder.layers.0.weight}, the key it has in checkpoints.
 *
 * <p>There is no common {@code forward} signature: each module documents its own, with shapes (modules
 * of one tensor also implement {@link Layer}). Modules start in training mode.
 *
 * <p>Not thread-safe while training. In {@linkplain #eval() eval mode} forward passes only read the
 * parameters, so many threads may run them at once.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    /** Bumped whenever the parameters may have changed (see {@link #stateVersion()}). */
    private long stateChanges;

    protected Module() {
    }

    // ------------------------------------------------------------------ registration

    /** Registers a parameter under {@code name} (no dots); returns it. */
    protected final Parameter registerParameter(String name, Parameter parameter) {
        checkName(name);
        parameters.put(name, Objects.requireNonNull(parameter, name));
        return parameter;
    }

    /**
     * Registers a buffer: state that is saved in the state dict but not trained (e.g. fixed positional
     * encodings, running statistics, id maps). Returns it.
     */
    protected final Tensor registerBuffer(String name, Tensor buffer) {
        checkName(name);
        buffers.put(name, Objects.requireNonNull(buffer, name));
        return buffer;
    }

    /** Registers a submodule under {@code name}; returns it. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        Objects.requireNonNull(module, name);
        if (module == this) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": a module cannot contain itself");
        }
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name
                    + "' must be non-empty and contain no '.' (dots join the names of nested modules)");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": '" + name + "' is already registered");
        }
    }

    // ------------------------------------------------------------------ traversal

    /**
     * The trainable parameters (those with {@code requiresGrad}), each once even if shared by several
     * modules (tied weights), in registration order: what an optimizer takes.
     */
    public final List<Tensor> parameters() {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : namedParameters().values()) {
            if (t.requiresGrad()) {
                out.add(t);
            }
        }
        return out;
    }

    /** Every parameter, frozen ones included, by dotted name; a shared parameter appears under its first name. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        IdentityHashMap<Tensor, Boolean> seen = new IdentityHashMap<>();
        visit("", (prefix, m) -> {
            for (var e : m.parameters.entrySet()) {
                Tensor t = e.getValue().value();
                if (seen.put(t, Boolean.TRUE) == null) {
                    out.put(prefix + e.getKey(), t);
                }
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** The parameters as {@link Parameter}s (to freeze some), by dotted name, shared ones once. */
    public final Map<String, Parameter> namedParameterHolders() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        IdentityHashMap<Tensor, Boolean> seen = new IdentityHashMap<>();
        visit("", (prefix, m) -> {
            for (var e : m.parameters.entrySet()) {
                if (seen.put(e.getValue().value(), Boolean.TRUE) == null) {
                    out.put(prefix + e.getKey(), e.getValue());
                }
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** Every buffer by dotted name. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> m.buffers.forEach((k, v) -> out.put(prefix + k, v)));
        return Collections.unmodifiableMap(out);
    }

    /** The direct submodules by name. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every module below this one (not itself) by dotted path, parents before children. */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> {
            if (m != this) {
                out.put(prefix.substring(0, prefix.length() - 1), m);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    private interface Visitor {
        void accept(String prefix, Module module);
    }

    private void visit(String prefix, Visitor visitor) {
        visit(prefix, visitor, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private void visit(String prefix, Visitor visitor, java.util.Set<Module> path) {
        if (!path.add(this)) {
            throw new IllegalStateException("module " + getClass().getSimpleName() + " at '" + prefix
                    + "' contains itself (a cycle of submodules)");
        }
        visitor.accept(prefix, this);
        for (var e : children.entrySet()) {
            e.getValue().visit(prefix + e.getKey() + ".", visitor, path);
        }
        path.remove(this);
    }

    /** Number of parameter elements (each shared parameter counted once), frozen ones included. */
    public final long numParameters() {
        long n = 0;
        for (Tensor t : namedParameters().values()) {
            n += t.numel();
        }
        return n;
    }

    // ------------------------------------------------------------------ modes and gradients

    /** Sets training mode here and in every submodule (dropout is active only in training). */
    public Module train(boolean on) {
        visit("", (prefix, m) -> {
            if (on) {
                m.stateChanges++; // training may change any parameter: an eval-mode cache built before is stale after it
            }
            m.training = on;
        });
        return this;
    }

    public final Module train() {
        return train(true);
    }

    /** Evaluation mode: {@code train(false)}. */
    public final Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    /**
     * A number that changes whenever this module's parameters may have changed: on every switch to training mode
     * ({@link #train(boolean) train(true)}: training writes parameters), {@link #loadStateDict}, {@link #to(Device)} and
     * {@link #markStateChanged()}, here or in any
     * submodule. Inference caches derived from the parameters (e.g. an item-side product precomputed for
     * reranking) keep the version they were built at and are rebuilt when it differs.
     *
     * <p>Code that writes parameters by hand while in eval mode (not through training or
     * {@code loadStateDict}) must call {@link #markStateChanged()} afterwards.
     */
    public final long stateVersion() {
        long v = stateChanges; // a plain walk, no names: a rerank asks this on every call
        for (Module c : children.values()) {
            v += c.stateVersion();
        }
        return v;
    }

    /** Says that parameters were written outside training and {@link #loadStateDict}: see {@link #stateVersion()}. */
    public final void markStateChanged() {
        stateChanges++;
    }

    /** Clears the accumulated gradients (dense and row-sparse) of every parameter. */
    public final void zeroGrad() {
        for (Tensor t : namedParameters().values()) {
            t.zeroGrad();
        }
    }

    // ------------------------------------------------------------------ state dict

    /**
     * Every parameter and buffer by dotted name, in registration order (a shared parameter under each
     * of its names, as PyTorch). The tensors are detached views of the live memory, not copies: save them
     * (e.g. to safetensors) before training on, or copy them.
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        visit("", (prefix, m) -> {
            m.parameters.forEach((k, p) -> out.put(prefix + k, p.value().detach()));
            m.buffers.forEach((k, b) -> out.put(prefix + k, b.detach()));
        });
        return out;
    }

    /** Keys that did not match in a non-strict {@link #loadStateDict(Map, boolean)}. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    }

    /** {@link #loadStateDict(Map, boolean)} with {@code strict = true}. */
    public final LoadResult loadStateDict(Map<String, Tensor> state) {
        return loadStateDict(state, true);
    }

    /**
     * Copies values into this module's parameters and buffers, converting the dtype where it differs.
     * Every entry is checked before anything is written, so a load that throws has changed nothing.
     *
     * @param strict if true, a key of this module absent from {@code state}, or a key of {@code state}
     *               this module does not have, is an error listing them all; if false they are returned
     * @throws IllegalArgumentException naming the key and both shapes when a shape differs
     */
    public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Objects.requireNonNull(state, "state");
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<Map.Entry<Tensor, Tensor>> copies = new ArrayList<>();
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
                continue;
            }
            Tensor dst = e.getValue();
            Checks.alive("loadStateDict '" + e.getKey() + "'", src);
            if (!src.sameShape(dst)) {
                throw new IllegalArgumentException("loadStateDict: '" + e.getKey() + "' has shape " + Shape.format(src.shape())
                        + " in the state but " + Shape.format(dst.shape()) + " in " + getClass().getSimpleName()
                        + " (was the model built with other settings?)");
            }
            if (src.dtype().isFloating() != dst.dtype().isFloating()) {
                throw new IllegalArgumentException("loadStateDict: '" + e.getKey() + "' is " + src.dtype() + " in the state but "
                        + dst.dtype() + " in the model");
            }
            copies.add(Map.entry(src, dst));
        }
        List<String> unexpected = new ArrayList<>(new TreeSet<>(state.keySet()));
        unexpected.removeAll(own.keySet());
        if (strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            throw new IllegalArgumentException("loadStateDict into " + getClass().getSimpleName() + ": "
                    + (missing.isEmpty() ? "" : "missing keys " + missing + (unexpected.isEmpty() ? "" : "; "))
                    + (unexpected.isEmpty() ? "" : "unexpected keys " + unexpected)
                    + " (pass strict = false to load the keys that match)");
        }
        try (var ignored = Autograd.noGrad()) {
            for (var c : copies) {
                Tensor src = c.getKey();
                Tensor dst = c.getValue();
                if (src.segment() == dst.segment() && src.offset() == dst.offset()) {
                    continue;
                }
                if (src.device().equals(dst.device())) {
                    Backends.on("loadStateDict", src, dst).copy(src, dst); // converts the dtype too
                } else {
                    // a host checkpoint into a model on a device (or back): convert the dtype where the data is,
                    // then one transfer
                    Backends.copy(io.panrec.ops.Shapes.cast(src.detach(), dst.dtype()), dst);
                }
            }
        }
        visit("", (prefix, m) -> m.stateChanges++);
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    // ------------------------------------------------------------------ devices

    /**
     * Moves every parameter of this module and its submodules to {@code device} (PyTorch's {@code module.to}),
     * so that its forward passes run there: each parameter gets a copy of its values in {@code device}'s memory,
     * in its own scope, keeping {@code requiresGrad}, sparse-gradient mode and name; a parameter shared by
     * several modules stays shared. Parameters already there are left alone. Gradients are dropped.
     *
     * <p>Create the optimizer after moving the model (it keeps references to the parameter tensors, as in
     * PyTorch). Buffers are not moved: they hold ids and tables that Java code reads. The old host memory is
     * freed with its scope (by the garbage collector for the default global scope).
     *
     * @return this module
     */
    public Module to(Device device) {
        Objects.requireNonNull(device, "device");
        IdentityHashMap<Tensor, Tensor> moved = new IdentityHashMap<>();
        try (var ignored = Autograd.noGrad()) {
            visit("", (prefix, m) -> {
                for (Parameter p : m.parameters.values()) {
                    p.moveTo(device, moved);
                }
                m.stateChanges++; // caches derived from the parameters lie in the old memory
            });
        }
        return this;
    }

    /** The device of the parameters: {@link Device#CPU} without any, an error when they are on several. */
    public Device device() {
        Device d = null;
        String first = null;
        for (var e : namedParameters().entrySet()) {
            Device here = e.getValue().device();
            if (d == null) {
                d = here;
                first = e.getKey();
            } else if (!d.equals(here)) {
                throw new IllegalStateException(getClass().getSimpleName() + ": parameter '" + first + "' is on " + d + " but '"
                        + e.getKey() + "' is on " + here + "; move the whole model with to(device)");
            }
        }
        return d == null ? Device.CPU : d;
    }

    // ------------------------------------------------------------------ description

    /** The module tree with parameter shapes, one line per module, for logs. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        describe(sb, "", getClass().getSimpleName());
        return sb.toString();
    }

    private void describe(StringBuilder sb, String indent, String name) {
        sb.append(indent).append(name);
        if (!name.equals(getClass().getSimpleName())) {
            sb.append(": ").append(getClass().getSimpleName());
        }
        if (!parameters.isEmpty()) {
            sb.append(' ');
            List<String> ps = new ArrayList<>();
            parameters.forEach((k, p) -> ps.add(k + Shape.format(p.shape()) + (p.isTrainable() ? "" : " frozen")));
            sb.append(ps);
        }
        sb.append('\n');
        children.forEach((k, m) -> m.describe(sb, indent + "  ", k));
    }
}
