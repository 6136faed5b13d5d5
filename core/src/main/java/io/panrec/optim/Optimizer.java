package io.panrec.optim;

import io.panrec.autograd.RowSparseGrad;
import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Base of the element-wise optimizers: owns the parameters, their per-parameter state (moments) and
 * the update loop; a subclass supplies the per-element rule as two kernels over primitive arrays.
 *
 * <p><b>Parameters</b> are leaf tensors with {@code requiresGrad(true)}, F32 or F64, contiguous, in host or
 * device memory. {@link #step()} updates each parameter that has a gradient:
 * <ul>
 *   <li>a dense gradient ({@link Tensor#grad()}) updates every element;</li>
 *   <li>a row-sparse gradient ({@link Tensor#sparseGrad()}, from embedding lookups of a table with
 *       {@code sparseGradients(true)}) is coalesced and updates <em>only the touched rows</em>. The
 *       state of untouched rows is left as it is ("lazy" updates, as PyTorch's {@code SparseAdam}):
 *       their moments do not decay, weight decay does not reach them, and their values stay
 *       bit-identical. This is what makes a step over a million-row table cost as much as the rows
 *       of the batch.</li>
 *   <li>both at once (a table used by a lookup and densely, e.g. tied weights) are summed into one
 *       dense gradient for that step.</li>
 * </ul>
 *
 * <p><b>State</b> (moments, accumulators) is allocated once per parameter, on its first update, in
 * the parameter's own scope, and reused by every later step: scopes free memory only when they close,
 * so per-step allocations in a long-lived scope would grow without bound. Temporary memory of a step
 * (coalesced sparse gradients) lives in a scope opened and closed inside {@link #step()}.
 *
 * <p><b>Performance</b>: the update runs straight over the tensors' memory, a chunk of elements at a
 * time copied into primitive arrays, where plain loops let the JIT use SIMD instructions; no per-element
 * {@code Tensor.get/set} and no backend call.
 *
 * <p><b>Devices</b>: a parameter in a device's memory (after {@code Module.to(device)}) is updated there by
 * {@link #deviceKernel}, the same rule written with the device backend's element-wise kernels
 * ({@link DeviceMath}), so its values never come back to the host. Its gradient is dense (autograd gives
 * tables on a device dense gradients), and its state lives on the device beside it.
 *
 * <p><b>Checkpoints</b>: {@link #stateDict()} and {@link #loadStateDict(Map)} save and restore the
 * moments, the step counters and the learning rate, keyed by parameter position (the parameters must
 * be given in the same order when resuming, as with PyTorch).
 *
 * <p>An optimizer is not thread-safe; steps of one optimizer must not run concurrently.
 */
public abstract class Optimizer {
    /** Elements per chunk: four or five arrays of this size fit the L1 cache together. */
    private static final int CHUNK = 1024;

    private final String kind;
    private final List<Tensor> params;
    private final Slot[] slots;
    private double lr;
    private long iterations;

    // Scratch arrays reused by every chunk of every step (heap memory, freed by the GC).
    private final float[] pf = new float[CHUNK];
    private final float[] gf = new float[CHUNK];
    private float[][] sf;
    private double[] pd;
    private double[] gd;
    private double[][] sd;

    /** Per-parameter bookkeeping. */
    private static final class Slot {
        final int index;
        final Tensor param;
        Tensor[] state;        // null until the first update (or a loaded state dict)
        long steps;            // updates this parameter received (bias corrections count these)

        Slot(int index, Tensor param) {
            this.index = index;
            this.param = param;
        }
    }

    /**
     * @param kind   the optimizer's name, for messages
     * @param params the parameters, in a stable order (it keys the state dict)
     * @param lr     the initial learning rate, finite and {@code >= 0}
     */
    protected Optimizer(String kind, List<Tensor> params, double lr) {
        this.kind = kind;
        Objects.requireNonNull(params, kind + ": params");
        if (params.isEmpty()) {
            throw new IllegalArgumentException(kind + ": the parameter list is empty (a model without parameters, or "
                    + "parameters() called on the wrong module?)");
        }
        IdentityHashMap<Tensor, Integer> seen = new IdentityHashMap<>();
        List<Tensor> copy = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p == null) {
                throw new NullPointerException(kind + ": parameter " + i + " is null");
            }
            Integer before = seen.put(p, i);
            if (before != null) {
                throw new IllegalArgumentException(kind + ": parameter " + i + " " + p.describe()
                        + " is the same tensor as parameter " + before + "; pass each parameter once");
            }
            checkParam(i, p);
            copy.add(p);
        }
        this.params = Collections.unmodifiableList(copy);
        this.slots = new Slot[copy.size()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(i, copy.get(i));
        }
        setLr(lr);
    }

    private void checkParam(int i, Tensor p) {
        String what = kind + ": parameter " + i + " " + p.describe();
        if (!p.isAlive()) {
            throw new IllegalStateException(what + " belongs to the closed scope '" + p.scope().path() + "'");
        }
        if (!p.device().isHost() && !supportsDevice()) {
            throw new UnsupportedOperationException(what + " is on " + p.device() + " but " + kind + " has no update rule "
                    + "for device memory; use SGD, Adam, AdamW or Adagrad, or keep the model on the CPU");
        }
        if (p.dtype() != DType.F32 && p.dtype() != DType.F64) {
            throw new IllegalArgumentException(what + " is not floating point; only F32 and F64 tensors can be trained");
        }
        if (!p.isLeaf()) {
            throw new IllegalArgumentException(what + " is the result of an op, not a leaf; optimize the tensors the "
                    + "model was built from (detach() it, or pass the original)");
        }
        if (!p.requiresGrad()) {
            throw new IllegalArgumentException(what + " does not require a gradient; call requiresGrad(true) on it");
        }
        if (!p.isContiguous()) {
            throw new IllegalArgumentException(what + " is not contiguous; optimize the tensor that owns the memory, not a view");
        }
    }

    // ------------------------------------------------------------------ what subclasses provide

    /** Names of the per-parameter state tensors, each of the parameter's shape (PyTorch's names). */
    protected abstract String[] stateNames();

    /** Initial value of state tensor {@code k}; 0 unless overridden (Adagrad's initial accumulator). */
    protected double initialState(int k) {
        return 0;
    }

    /**
     * Called before a parameter's elements are updated, with the number of updates it has received
     * counting this one (1 on the first): the place to compute bias corrections.
     */
    protected abstract void prepare(long step);

    /**
     * The update rule for {@code len} elements: parameters {@code p}, gradient {@code g} (a scratch copy
     * the kernel may overwrite) and state arrays {@code s[k]}, updated in place.
     */
    protected abstract void kernel(float[] p, float[] g, float[][] s, int len);

    /** The same rule in double precision, for F64 parameters. */
    protected abstract void kernel(double[] p, double[] g, double[][] s, int len);

    /**
     * L2 weight decay coupled into the gradient, {@code g += wd p} over the first {@code len} entries (SGD,
     * Adagrad and Adam without decoupling): the kernels' shared first step, in one place for each precision
     * and for the device.
     */
    protected static void addWeightDecay(float[] g, float[] p, float wd, int len) {
        if (wd != 0) {
            for (int i = 0; i < len; i++) {
                g[i] += wd * p[i];
            }
        }
    }

    /** {@link #addWeightDecay(float[], float[], float, int)} for F64 parameters. */
    protected static void addWeightDecay(double[] g, double[] p, double wd, int len) {
        if (wd != 0) {
            for (int i = 0; i < len; i++) {
                g[i] += wd * p[i];
            }
        }
    }

    /** {@code g + wd p} on the device (g itself when wd is 0): g is the parameter's own gradient, never written. */
    protected static Tensor withWeightDecay(DeviceMath m, Tensor g, Tensor p, double wd) {
        return wd == 0 ? g : m.add(g, m.mul(p, wd));
    }

    /**
     * Whether {@link #deviceKernel} is implemented: optimizers without it refuse parameters in device memory
     * when they are created, rather than in the middle of a step. A constant (called from the constructor).
     */
    protected boolean supportsDevice() {
        return false;
    }

    /**
     * The same rule for a parameter {@code p} in a device's memory, with its dense gradient {@code g} (read
     * only: it is the parameter's own {@code .grad}) and its state {@code s}, all on that device: written with
     * {@code m}'s element-wise kernels in the order of the host kernel's expression, updating p and s in place
     * ({@link DeviceMath#into}). {@link #prepare} has run for this parameter. Temporaries go to the step's
     * scope.
     *
     * @throws UnsupportedOperationException from optimizers without a device rule (the default)
     */
    protected void deviceKernel(DeviceMath m, Tensor p, Tensor g, Tensor[] s) {
        // unreachable when supportsDevice() is false: the constructor refuses device parameters then
        throw new UnsupportedOperationException(kind + " has no update rule for parameters in device memory ("
                + p.describe() + " on " + p.device() + "); use SGD, Adam, AdamW or Adagrad, or keep the model on the CPU");
    }

    // ------------------------------------------------------------------ public API

    /** The parameters, in the order given. */
    public List<Tensor> params() {
        return params;
    }

    public double lr() {
        return lr;
    }

    /** Sets the learning rate used by the following steps (schedules call this). */
    public void setLr(double newLr) {
        if (!(newLr >= 0) || Double.isInfinite(newLr)) {
            throw new IllegalArgumentException(kind + ": learning rate must be finite and >= 0, got " + newLr);
        }
        this.lr = newLr;
    }

    /** Number of completed {@link #step()} calls. */
    public long iterations() {
        return iterations;
    }

    /** Number of updates parameter {@code index} has received (steps in which it had a gradient). */
    public long steps(int index) {
        return slots[Objects.checkIndex(index, slots.length)].steps;
    }

    /**
     * Updates every parameter that has a gradient, once. Parameters without a gradient (null dense
     * gradient and no sparse rows) are skipped and their step counter does not advance. All gradients
     * are checked (shapes, dtypes, scopes, sparse row ranges) before the first parameter changes, so a
     * step that throws has updated nothing.
     */
    public void step() {
        Scope temp = null;
        try {
            // First check every parameter and coalesce the sparse gradients, then update: a bad
            // gradient of the last parameter must not leave the first ones stepped.
            Object[] work = new Object[slots.length];
            for (Slot s : slots) {
                Tensor p = s.param;
                p.scope().checkAlive(kind + ".step: parameter " + s.index + " " + p.describe());
                Tensor dense = p.grad();
                RowSparseGrad sparse = p.sparseGrad();
                boolean hasSparse = sparse != null && !sparse.isEmpty();
                if (dense != null) {
                    checkGrad(s, dense);
                }
                if (hasSparse && !p.device().isHost()) {
                    throw new UnsupportedOperationException(kind + ".step: parameter " + s.index + " " + p.describe()
                            + " on " + p.device() + " has a row-sparse gradient; device updates take dense gradients "
                            + "(autograd gives tables on a device dense ones: clear it with zeroGrad())");
                }
                if (hasSparse) {
                    checkSparseShape(s, sparse);
                    if (temp == null) {
                        temp = Scope.open(kind + "-step");
                    }
                    RowSparseGrad.Coalesced c = sparse.coalesce();
                    if (c.values().dtype() != p.dtype()) {
                        throw new IllegalArgumentException(kind + ".step: the row-sparse gradient of parameter " + s.index
                                + " " + p.describe() + " holds " + c.values().dtype() + " values");
                    }
                    checkRows(s, c.rows());
                    work[s.index] = c;
                } else {
                    work[s.index] = dense;
                }
                if (work[s.index] != null) {
                    ensureState(s); // allocation may fail too: before anything is updated
                }
            }
            for (Slot s : slots) {
                Object w = work[s.index];
                if (w == null) {
                    continue;
                }
                Tensor p = s.param;
                s.steps++;
                prepare(s.steps);
                if (!p.device().isHost()) {
                    try (Scope one = Scope.open(kind + "-device-update")) { // this parameter's temporaries
                        deviceKernel(new DeviceMath(p), p, (Tensor) w, s.state);
                    }
                    continue;
                }
                // the segments are fetched once per parameter, not once per row
                MemorySegment ps = p.dataSegment();
                MemorySegment[] ss = new MemorySegment[s.state.length];
                for (int j = 0; j < ss.length; j++) {
                    ss[j] = s.state[j].dataSegment();
                }
                if (w instanceof Tensor dense) {
                    updateRange(p.dtype(), ps, ss, dense.dataSegment(), 0, 0, p.numel());
                    continue;
                }
                RowSparseGrad.Coalesced c = (RowSparseGrad.Coalesced) w;
                long[] rows = c.rows();
                int cols = p.shape(1);
                Tensor dense = p.grad();
                if (dense != null) {
                    // Tied weights: the step's gradient is the sum of both; add the rows into a copy.
                    Tensor sum = Tensor.zeros(temp, p.dtype(), p.shape());
                    long bytes = p.numel() * p.dtype().byteSize();
                    MemorySegment.copy(dense.dataSegment(), 0, sum.dataSegment(), 0, bytes);
                    addRows(sum.dataSegment(), c.values().dataSegment(), rows, cols, p.dtype());
                    updateRange(p.dtype(), ps, ss, sum.dataSegment(), 0, 0, p.numel());
                } else if (p.dtype() == DType.F32 && cols <= CHUNK) {
                    updateRows(ps, ss, c.values().dataSegment(), rows, cols);
                } else {
                    MemorySegment values = c.values().dataSegment();
                    for (int r = 0; r < rows.length; r++) {
                        updateRange(p.dtype(), ps, ss, values, (long) r * cols, rows[r] * cols, cols);
                    }
                }
            }
            iterations++;
        } finally {
            if (temp != null) {
                temp.close();
            }
        }
    }

    /**
     * Clears every parameter's gradient for the next backward pass: a dense gradient is zeroed in place
     * (its memory is reused, so nothing is allocated per step), a sparse one forgets its rows.
     *
     * <p>As with PyTorch's {@code zero_grad(set_to_none=False)}, a parameter whose dense gradient was
     * zeroed and not used by the next backward pass still takes a step with a zero gradient (momentum
     * moves it). Sparse tables are skipped when no row was looked up.
     */
    public void zeroGrad() {
        for (Slot s : slots) {
            Tensor p = s.param;
            Tensor g = p.grad();
            if (g != null) {
                if (!g.isAlive()) {
                    p.setGrad(null);
                } else if (g.device().isHost() && g.isContiguous()) {
                    g.dataSegment().asSlice(0, g.numel() * g.dtype().byteSize()).fill((byte) 0);
                } else {
                    g.fill(0);
                }
            }
            RowSparseGrad sg = p.sparseGrad();
            if (sg != null) {
                sg.clear();
            }
        }
    }

    // ------------------------------------------------------------------ checkpoints

    /**
     * The optimizer's state for a checkpoint: {@code "lr"} (F64 scalar), {@code "iterations"} (I64
     * scalar), and for every parameter {@code i} that has state, {@code "param.i.step"} (I64 scalar) and
     * {@code "param.i.<name>"} for each of {@link #stateNames()} (the live state tensors themselves, not
     * copies: save them before the next step; state in a device's memory is copied to the host, so that the map
     * can always be saved). The scalars are allocated in the current scope. The map
     * can be written with {@code io.panrec.io.SafeTensors.write}.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("lr", scalarTensor(DType.F64, lr));
        out.put("iterations", scalarTensor(DType.I64, iterations));
        String[] names = stateNames();
        for (Slot s : slots) {
            if (s.state == null) {
                continue;
            }
            out.put("param." + s.index + ".step", scalarTensor(DType.I64, s.steps));
            for (int k = 0; k < names.length; k++) {
                Tensor t = s.state[k];
                out.put("param." + s.index + "." + names[k], t.device().isHost() ? t : t.to(io.panrec.tensor.Device.CPU));
            }
        }
        return out;
    }

    /**
     * Restores a state saved by {@link #stateDict()} of an optimizer of the same kind over parameters of
     * the same shapes, in the same order. Everything is checked before anything is changed: an unknown
     * key, a missing moment, a shape that differs from its parameter's, or a negative counter throws
     * and leaves this optimizer as it was. Moments are copied (converted between F32 and F64 if needed);
     * parameters without entries keep no state and start from scratch.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Objects.requireNonNull(state, "state");
        String[] names = stateNames();
        Map<String, Integer> nameIndex = new LinkedHashMap<>();
        for (int k = 0; k < names.length; k++) {
            nameIndex.put(names[k], k);
        }
        Tensor[][] moments = new Tensor[slots.length][];
        long[] steps = new long[slots.length];
        Arrays.fill(steps, -1);
        Double newLr = null;
        Long newIterations = null;
        TreeSet<String> unknown = new TreeSet<>();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String key = e.getKey();
            Tensor t = e.getValue();
            if (t == null) {
                throw new IllegalArgumentException(kind + ".loadStateDict: entry '" + key + "' is null");
            }
            t.scope().checkAlive(kind + ".loadStateDict: entry '" + key + "'");
            if (key.equals("lr")) {
                newLr = scalar(key, t);
                continue;
            }
            if (key.equals("iterations")) {
                newIterations = counter(key, t);
                continue;
            }
            String[] parts = key.split("\\.", 3);
            if (parts.length != 3 || !parts[0].equals("param")) {
                unknown.add(key);
                continue;
            }
            int i;
            try {
                i = Integer.parseInt(parts[1]);
            } catch (NumberFormatException ex) {
                unknown.add(key);
                continue;
            }
            if (i < 0 || i >= slots.length) {
                throw new IllegalArgumentException(kind + ".loadStateDict: entry '" + key + "' is for parameter " + i
                        + " but this optimizer has " + slots.length + " parameters (different model?)");
            }
            if (parts[2].equals("step")) {
                steps[i] = counter(key, t);
                continue;
            }
            Integer k = nameIndex.get(parts[2]);
            if (k == null) {
                unknown.add(key);
                continue;
            }
            Tensor p = slots[i].param;
            if (!t.sameShape(p) || !t.dtype().isFloating()) {
                throw new IllegalArgumentException(kind + ".loadStateDict: entry '" + key + "' is " + t.describe()
                        + " but parameter " + i + " is " + p.describe());
            }
            if (moments[i] == null) {
                moments[i] = new Tensor[names.length];
            }
            moments[i][k] = t;
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(kind + ".loadStateDict: unknown entries " + unknown + " (a state of another "
                    + "optimizer kind? " + kind + " keeps " + Arrays.toString(names) + " per parameter)");
        }
        for (int i = 0; i < slots.length; i++) {
            // a parameter has state iff it has a step counter (stateless SGD keeps nothing else)
            if (moments[i] != null && steps[i] < 0) {
                throw new IllegalArgumentException(kind + ".loadStateDict: parameter " + i + " has moments but no 'param."
                        + i + ".step'");
            }
            if (steps[i] >= 0) {
                for (int k = 0; k < names.length; k++) {
                    if (moments[i] == null || moments[i][k] == null) {
                        throw new IllegalArgumentException(kind + ".loadStateDict: 'param." + i + "." + names[k] + "' is missing");
                    }
                }
            }
        }
        // All checked: apply.
        if (newLr != null) {
            setLr(newLr);
        }
        if (newIterations != null) {
            iterations = newIterations;
        }
        for (int i = 0; i < slots.length; i++) {
            Slot s = slots[i];
            if (steps[i] < 0) {
                s.state = null;
                s.steps = 0;
                continue;
            }
            ensureState(s);
            for (int k = 0; k < names.length; k++) {
                copyConverting(moments[i][k], s.state[k]);
            }
            s.steps = steps[i];
        }
    }

    private static Tensor scalarTensor(DType dtype, double value) {
        Tensor t = Tensor.zeros(dtype);
        t.set(value);
        return t;
    }

    private double scalar(String key, Tensor t) {
        if (t.numel() != 1 || !t.device().isHost()) {
            throw new IllegalArgumentException(kind + ".loadStateDict: entry '" + key + "' must be a scalar, got " + t.describe());
        }
        return t.dtype().get(t.segment(), t.offset());
    }

    private long counter(String key, Tensor t) {
        if (t.numel() != 1 || !t.device().isHost() || t.dtype().isFloating()) {
            throw new IllegalArgumentException(kind + ".loadStateDict: entry '" + key + "' must be an integer scalar, got "
                    + t.describe());
        }
        long v = t.dtype().getLong(t.segment(), t.offset());
        if (v < 0) {
            throw new IllegalArgumentException(kind + ".loadStateDict: entry '" + key + "' is negative (" + v + ")");
        }
        return v;
    }

    /** Element-wise copy of a (possibly strided, possibly other-dtype) tensor into a contiguous one. */
    private static void copyConverting(Tensor src, Tensor dst) {
        if (!src.device().isHost() || !dst.device().isHost()) {
            // convert where the source is, then copy (a transfer when the devices differ)
            io.panrec.backend.Backends.copy(io.panrec.ops.Shapes.cast(src.detach(), dst.dtype()), dst);
            return;
        }
        if (src.dtype() == dst.dtype() && src.isContiguous()) {
            long bytes = src.numel() * src.dtype().byteSize();
            MemorySegment.copy(src.dataSegment(), 0, dst.dataSegment(), 0, bytes);
            return;
        }
        double[] values = src.toDoubleArray();
        MemorySegment d = dst.dataSegment();
        for (int j = 0; j < values.length; j++) {
            dst.dtype().set(d, j, values[j]);
        }
    }

    // ------------------------------------------------------------------ internals

    private void ensureState(Slot s) {
        if (s.state != null) {
            return;
        }
        String[] names = stateNames();
        Tensor[] state = new Tensor[names.length];
        Tensor p = s.param;
        for (int k = 0; k < names.length; k++) {
            state[k] = Tensor.zeros(p.scope(), p.device(), p.dtype(), p.shape());
            double init = initialState(k);
            if (init != 0) {
                if (p.device().isHost()) {
                    fill(state[k], init);
                } else {
                    state[k].fill(init);
                }
            }
        }
        s.state = state;
    }

    private static void fill(Tensor t, double value) {
        MemorySegment seg = t.dataSegment();
        long n = t.numel();
        if (t.dtype() == DType.F32) {
            float[] chunk = new float[(int) Math.min(n, CHUNK)];
            Arrays.fill(chunk, (float) value);
            for (long i = 0; i < n; i += chunk.length) {
                int len = (int) Math.min(chunk.length, n - i);
                MemorySegment.copy(chunk, 0, seg, ValueLayout.JAVA_FLOAT, i * Float.BYTES, len);
            }
        } else {
            double[] chunk = new double[(int) Math.min(n, CHUNK)];
            Arrays.fill(chunk, value);
            for (long i = 0; i < n; i += chunk.length) {
                int len = (int) Math.min(chunk.length, n - i);
                MemorySegment.copy(chunk, 0, seg, ValueLayout.JAVA_DOUBLE, i * Double.BYTES, len);
            }
        }
    }

    private void checkGrad(Slot s, Tensor g) {
        Tensor p = s.param;
        if (!g.isAlive()) {
            throw new IllegalStateException(kind + ".step: the gradient of parameter " + s.index + " " + p.describe()
                    + " belongs to the closed scope '" + g.scope().path() + "'");
        }
        if (!g.sameShape(p) || g.dtype() != p.dtype()) {
            throw new IllegalArgumentException(kind + ".step: the gradient " + g.describe() + " of parameter " + s.index
                    + " does not match the parameter " + p.describe());
        }
        if (!g.device().equals(p.device())) {
            throw new IllegalArgumentException(kind + ".step: the gradient " + g.describe() + " of parameter " + s.index + " "
                    + p.describe() + " is on " + g.device() + " but the parameter is on " + p.device()
                    + "; set a gradient on the parameter's device (.to(device))");
        }
        if (!g.isContiguous()) {
            throw new IllegalArgumentException(kind + ".step: the gradient " + g.describe() + " of parameter " + s.index
                    + " must be contiguous (as autograd makes them); set a contiguous copy with setGrad");
        }
    }

    private void checkSparseShape(Slot s, RowSparseGrad g) {
        Tensor p = s.param;
        if (p.rank() != 2 || g.rows() != p.shape(0) || g.cols() != p.shape(1)) {
            throw new IllegalArgumentException(kind + ".step: the row-sparse gradient [" + g.rows() + ", " + g.cols()
                    + "] of parameter " + s.index + " does not match the parameter " + p.describe());
        }
    }

    private void checkRows(Slot s, long[] rows) {
        // coalesce() sorts the rows, so checking both ends checks them all
        if (rows.length > 0 && (rows[0] < 0 || rows[rows.length - 1] >= s.param.shape(0))) {
            long bad = rows[0] < 0 ? rows[0] : rows[rows.length - 1];
            throw new IndexOutOfBoundsException(kind + ".step: the sparse gradient of parameter " + s.index + " "
                    + s.param.describe() + " names row " + bad + ", outside [0, " + s.param.shape(0) + ")");
        }
    }

    /** dense[rows[r], :] += values[r, :]. */
    private static void addRows(MemorySegment dense, MemorySegment values, long[] rows, int cols, DType dtype) {
        if (dtype == DType.F32) {
            for (int r = 0; r < rows.length; r++) {
                long d = rows[r] * cols;
                long v = (long) r * cols;
                for (int j = 0; j < cols; j++) {
                    float x = dense.getAtIndex(ValueLayout.JAVA_FLOAT, d + j) + values.getAtIndex(ValueLayout.JAVA_FLOAT, v + j);
                    dense.setAtIndex(ValueLayout.JAVA_FLOAT, d + j, x);
                }
            }
        } else {
            for (int r = 0; r < rows.length; r++) {
                long d = rows[r] * cols;
                long v = (long) r * cols;
                for (int j = 0; j < cols; j++) {
                    double x = dense.getAtIndex(ValueLayout.JAVA_DOUBLE, d + j) + values.getAtIndex(ValueLayout.JAVA_DOUBLE, v + j);
                    dense.setAtIndex(ValueLayout.JAVA_DOUBLE, d + j, x);
                }
            }
        }
    }

    /**
     * Applies the kernel to {@code len} elements of a parameter (data {@code ps}, state {@code ss})
     * starting at element {@code at}, with the gradient read from {@code grad} starting at element
     * {@code gradAt}.
     */
    /**
     * The update of the touched rows of an F32 parameter, as many rows at a time as fit in the work arrays:
     * the rows of the parameter and its state are gathered side by side, the kernel runs once over them
     * (a loop long enough to vectorize, instead of one call per row of 8 or 32 values), and they are
     * written back. The gradient's rows are already contiguous in {@code values}. Rows are distinct
     * (coalesced), so the result is the same as updating row by row.
     */
    private void updateRows(MemorySegment ps, MemorySegment[] ss, MemorySegment values, long[] rows, int cols) {
        int k = ss.length;
        if (sf == null) {
            sf = new float[k][CHUNK];
        }
        ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
        int perGroup = CHUNK / cols;
        for (int from = 0; from < rows.length; from += perGroup) {
            int count = Math.min(perGroup, rows.length - from);
            int n = count * cols;
            // rows are sorted, so runs of consecutive rows (common when most items are touched) move as
            // one block: far fewer small copies, which dominate the step of a model with narrow embeddings
            for (int r = 0; r < count; ) {
                int run = run(rows, from + r, count - r);
                long pb = rows[from + r] * cols * Float.BYTES;
                MemorySegment.copy(ps, f, pb, pf, r * cols, run * cols);
                for (int j = 0; j < k; j++) {
                    MemorySegment.copy(ss[j], f, pb, sf[j], r * cols, run * cols);
                }
                r += run;
            }
            MemorySegment.copy(values, f, (long) from * cols * Float.BYTES, gf, 0, n);
            kernel(pf, gf, sf, n);
            for (int r = 0; r < count; ) {
                int run = run(rows, from + r, count - r);
                long pb = rows[from + r] * cols * Float.BYTES;
                MemorySegment.copy(pf, r * cols, ps, f, pb, run * cols);
                for (int j = 0; j < k; j++) {
                    MemorySegment.copy(sf[j], r * cols, ss[j], f, pb, run * cols);
                }
                r += run;
            }
        }
    }

    /** How many of the (at most {@code max}) rows from {@code at} on are consecutive: rows[at], rows[at] + 1, ... */
    private static int run(long[] rows, int at, int max) {
        int len = 1;
        while (len < max && rows[at + len] == rows[at] + len) {
            len++;
        }
        return len;
    }

    private void updateRange(DType dtype, MemorySegment ps, MemorySegment[] ss, MemorySegment grad, long gradAt, long at,
                             long len) {
        int k = ss.length;
        if (dtype == DType.F32) {
            if (sf == null) {
                sf = new float[k][CHUNK];
            }
            ValueLayout.OfFloat f = ValueLayout.JAVA_FLOAT;
            for (long done = 0; done < len; done += CHUNK) {
                int n = (int) Math.min(CHUNK, len - done);
                long pb = (at + done) * Float.BYTES;
                MemorySegment.copy(ps, f, pb, pf, 0, n);
                MemorySegment.copy(grad, f, (gradAt + done) * Float.BYTES, gf, 0, n);
                for (int j = 0; j < k; j++) {
                    MemorySegment.copy(ss[j], f, pb, sf[j], 0, n);
                }
                kernel(pf, gf, sf, n);
                MemorySegment.copy(pf, 0, ps, f, pb, n);
                for (int j = 0; j < k; j++) {
                    MemorySegment.copy(sf[j], 0, ss[j], f, pb, n);
                }
            }
        } else {
            if (pd == null) {
                pd = new double[CHUNK];
                gd = new double[CHUNK];
                sd = new double[k][CHUNK];
            }
            ValueLayout.OfDouble d = ValueLayout.JAVA_DOUBLE;
            for (long done = 0; done < len; done += CHUNK) {
                int n = (int) Math.min(CHUNK, len - done);
                long pb = (at + done) * Double.BYTES;
                MemorySegment.copy(ps, d, pb, pd, 0, n);
                MemorySegment.copy(grad, d, (gradAt + done) * Double.BYTES, gd, 0, n);
                for (int j = 0; j < k; j++) {
                    MemorySegment.copy(ss[j], d, pb, sd[j], 0, n);
                }
                kernel(pd, gd, sd, n);
                MemorySegment.copy(pd, 0, ps, d, pb, n);
                for (int j = 0; j < k; j++) {
                    MemorySegment.copy(sd[j], 0, ss[j], d, pb, n);
                }
            }
        }
    }

    /** Checks a hyperparameter: finite and within [lo, hi] (hiOpen: strictly below hi). */
    static double check(String kind, String name, double value, double lo, double hi, boolean hiOpen) {
        boolean ok = !Double.isNaN(value) && value >= lo && (hiOpen ? value < hi : value <= hi) && !Double.isInfinite(value);
        if (!ok) {
            throw new IllegalArgumentException(kind + ": " + name + " must be in [" + lo + ", " + hi + (hiOpen ? ")" : "]")
                    + ", got " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return kind + "(lr=" + lr + ", " + slots.length + " parameters, " + iterations + " steps)";
    }
}
