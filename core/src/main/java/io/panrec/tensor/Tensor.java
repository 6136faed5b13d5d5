package io.panrec.tensor;

import io.panrec.autograd.Autograd;
import io.panrec.autograd.Node;
import io.panrec.autograd.RowSparseGrad;
import io.panrec.ops.Elementwise;
import io.panrec.ops.Linalg;
import io.panrec.ops.Reductions;
import io.panrec.ops.Shapes;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * An n-dimensional array in off-heap memory: a {@link MemorySegment} with a shape, strides and offset
 * (both in elements), a {@link DType} and a {@link Device}. Views ({@link #reshape}, {@link #transpose},
 * {@link #slice}, {@link #expand}) share memory with their base. Memory belongs to a {@link Scope}:
 * factories allocate in {@link Scope#current()} unless given one.
 *
 * <p>Tensors with {@link #requiresGrad()} record the operations applied to them; {@link #backward()}
 * computes gradients by reverse-mode differentiation (see {@link Autograd}).
 *
 * <p>A tensor is not thread-safe for writing; reading one from many threads is fine.
 */
public final class Tensor {
    private final MemorySegment segment;
    private final Scope scope;
    private final Device device;
    private final DType dtype;
    private final int[] shape;
    private final long[] strides;
    private final long offset;

    // autograd state
    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    private RowSparseGrad sparseGrad;
    private boolean sparseGradients;
    private String name;

    private Tensor(MemorySegment segment, Scope scope, Device device, DType dtype, int[] shape, long[] strides, long offset) {
        this.segment = segment;
        this.scope = scope;
        this.device = device;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ------------------------------------------------------------------ factories

    /** A zero-filled tensor in the current scope. */
    public static Tensor zeros(DType dtype, int... shape) {
        return zeros(Scope.current(), dtype, shape);
    }

    public static Tensor zeros(int... shape) {
        return zeros(DType.F32, shape);
    }

    /** A zero-filled tensor owned by {@code scope}. */
    public static Tensor zeros(Scope scope, DType dtype, int... shape) {
        Objects.requireNonNull(dtype, "dtype");
        int[] s = Shape.check(shape);
        long n = Shape.numel(s);
        MemorySegment seg = scope.allocate(Math.multiplyExact(n, (long) dtype.byteSize()));
        return new Tensor(seg, scope, Device.CPU, dtype, s, Shape.contiguousStrides(s), 0);
    }

    /**
     * A tensor of undefined contents in the current scope, for outputs that are written completely before
     * they are read (every op output a kernel overwrites): skips the zero-fill of {@link #zeros}. See
     * {@link Scope#allocateUninitialized}.
     */
    public static Tensor empty(DType dtype, int... shape) {
        return empty(Scope.current(), dtype, shape);
    }

    /** A tensor of undefined contents owned by {@code scope}; see {@link #empty(DType, int...)}. */
    public static Tensor empty(Scope scope, DType dtype, int... shape) {
        Objects.requireNonNull(dtype, "dtype");
        int[] s = Shape.check(shape);
        long n = Shape.numel(s);
        MemorySegment seg = scope.allocateUninitialized(Math.multiplyExact(n, (long) dtype.byteSize()));
        return new Tensor(seg, scope, Device.CPU, dtype, s, Shape.contiguousStrides(s), 0);
    }

    /** A zero-filled tensor with the same shape, dtype and device as {@code like}, in the current scope. */
    public static Tensor zerosLike(Tensor like) {
        return zeros(like.device, like.dtype, like.shape);
    }

    /** A tensor of ones with the shape, dtype and device of {@code like}, in the current scope. */
    public static Tensor onesLike(Tensor like) {
        return zeros(like.device, like.dtype, like.shape).fill(1);
    }

    /**
     * A zero-filled tensor on {@code device}, in the current scope: host memory as {@link #zeros(DType, int...)},
     * device memory from the backend of the device ({@link io.panrec.backend.Backend#zeros}).
     */
    public static Tensor zeros(Device device, DType dtype, int... shape) {
        if (device.isHost()) {
            return zeros(Scope.current(), dtype, shape);
        }
        return io.panrec.backend.Backends.forDevice(device).zeros(Scope.current(), device, dtype, shape);
    }

    /** A zero-filled tensor on {@code device} owned by {@code scope}. */
    public static Tensor zeros(Scope scope, Device device, DType dtype, int... shape) {
        if (device.isHost()) {
            return zeros(scope, dtype, shape);
        }
        return io.panrec.backend.Backends.forDevice(device).zeros(scope, device, dtype, shape);
    }

    /**
     * A tensor of undefined contents on {@code device}, in the current scope, for op outputs a kernel writes
     * completely: {@link #empty(DType, int...)} on the host, the device backend's memory elsewhere.
     */
    public static Tensor empty(Device device, DType dtype, int... shape) {
        if (device.isHost()) {
            return empty(Scope.current(), dtype, shape);
        }
        return io.panrec.backend.Backends.forDevice(device).empty(Scope.current(), device, dtype, shape);
    }

    public static Tensor full(float value, int... shape) {
        Tensor t = zeros(DType.F32, shape);
        t.fill(value);
        return t;
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor scalar(float value) {
        return of(new float[] {value});
    }

    /** A tensor holding a copy of {@code data}; with no shape given it is 1-D. */
    public static Tensor of(float[] data, int... shape) {
        int[] s = shape.length == 0 ? new int[] {data.length} : shape;
        checkLength(data.length, s);
        Tensor t = empty(DType.F32, s); // overwritten by the copy
        MemorySegment.copy(data, 0, t.segment, ValueLayout.JAVA_FLOAT, 0, data.length);
        return t;
    }

    public static Tensor ofDoubles(double[] data, int... shape) {
        int[] s = shape.length == 0 ? new int[] {data.length} : shape;
        checkLength(data.length, s);
        Tensor t = empty(DType.F64, s); // overwritten by the copy
        MemorySegment.copy(data, 0, t.segment, ValueLayout.JAVA_DOUBLE, 0, data.length);
        return t;
    }

    public static Tensor ofInts(int[] data, int... shape) {
        int[] s = shape.length == 0 ? new int[] {data.length} : shape;
        checkLength(data.length, s);
        Tensor t = empty(DType.I32, s); // overwritten by the copy
        MemorySegment.copy(data, 0, t.segment, ValueLayout.JAVA_INT, 0, data.length);
        return t;
    }

    public static Tensor ofLongs(long[] data, int... shape) {
        int[] s = shape.length == 0 ? new int[] {data.length} : shape;
        checkLength(data.length, s);
        Tensor t = empty(DType.I64, s); // overwritten by the copy
        MemorySegment.copy(data, 0, t.segment, ValueLayout.JAVA_LONG, 0, data.length);
        return t;
    }

    /** Uniform in [lo, hi), reproducible from the random source. */
    public static Tensor uniform(SplittableRandom random, float lo, float hi, int... shape) {
        Tensor t = zeros(DType.F32, shape);
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            t.segment.setAtIndex(ValueLayout.JAVA_FLOAT, i, lo + (hi - lo) * (float) random.nextDouble());
        }
        return t;
    }

    /** Normal with the given mean and standard deviation (Box-Muller), reproducible from the source. */
    public static Tensor normal(SplittableRandom random, float mean, float std, int... shape) {
        Tensor t = zeros(DType.F32, shape);
        long n = t.numel();
        for (long i = 0; i < n; i += 2) {
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            double r = Math.sqrt(-2.0 * Math.log(u1));
            t.segment.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (mean + std * r * Math.cos(2 * Math.PI * u2)));
            if (i + 1 < n) {
                t.segment.setAtIndex(ValueLayout.JAVA_FLOAT, i + 1, (float) (mean + std * r * Math.sin(2 * Math.PI * u2)));
            }
        }
        return t;
    }

    /**
     * A contiguous tensor over existing memory, owned by {@code scope} (e.g. a memory-mapped safetensors
     * file). The segment must be alive as long as the scope and large enough for the shape.
     */
    public static Tensor wrap(MemorySegment segment, Scope scope, DType dtype, int... shape) {
        int[] s = Shape.check(shape);
        long need = Shape.numel(s) * dtype.byteSize();
        if (segment.byteSize() < need) {
            throw new IllegalArgumentException("wrap: segment of " + segment.byteSize() + " bytes is too small for "
                    + dtype + Shape.format(s) + " (" + need + " bytes)");
        }
        if (segment.address() % dtype.byteSize() != 0) {
            throw new IllegalArgumentException("wrap: segment address is not aligned to " + dtype.byteSize() + " bytes");
        }
        return new Tensor(segment, scope, Device.CPU, dtype, s, Shape.contiguousStrides(s), 0);
    }

    /**
     * A tensor over device memory (a device pointer in {@code segment}), for backends that own devices.
     * The segment is never dereferenced from Java.
     */
    public static Tensor onDevice(MemorySegment segment, Scope scope, Device device, DType dtype, int... shape) {
        int[] s = Shape.check(shape);
        return new Tensor(segment, scope, device, dtype, s, Shape.contiguousStrides(s), 0);
    }

    private static void checkLength(int length, int[] shape) {
        if (Shape.numel(Shape.check(shape)) != length) {
            throw new IllegalArgumentException("data of length " + length + " does not fit shape "
                    + Shape.format(shape) + " (" + Shape.numel(shape) + " elements)");
        }
    }

    // ------------------------------------------------------------------ views (no autograd: see Shapes)

    /**
     * A view of the same memory with another shape, strides and offset. Used by {@link Shapes}; user
     * code calls the differentiable views ({@link #reshape}, {@link #transpose}, ...).
     */
    public Tensor view(int[] newShape, long[] newStrides, long newOffset) {
        if (newShape.length != newStrides.length) {
            throw new IllegalArgumentException("view: shape " + Shape.format(newShape) + " and strides "
                    + Arrays.toString(newStrides) + " differ in rank");
        }
        // Bounds: the largest element offset reached must lie inside the storage.
        long max = newOffset;
        long min = newOffset;
        for (int i = 0; i < newShape.length; i++) {
            if (newShape[i] == 0) {
                max = min = newOffset;
                break;
            }
            long span = (long) (newShape[i] - 1) * newStrides[i];
            if (span > 0) {
                max += span;
            } else {
                min += span;
            }
        }
        long capacity = segment.byteSize() / dtype.byteSize();
        if (min < 0 || (Shape.numel(newShape) > 0 && max >= capacity)) {
            throw new IllegalArgumentException("view " + Shape.format(newShape) + " strides " + Arrays.toString(newStrides)
                    + " offset " + newOffset + " reaches outside the storage of " + capacity + " elements");
        }
        return new Tensor(segment, scope, device, dtype, newShape.clone(), newStrides.clone(), newOffset);
    }

    // ------------------------------------------------------------------ accessors

    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int shape(int dim) {
        return shape[Shape.axis("shape", dim, shape.length)];
    }

    public int rank() {
        return shape.length;
    }

    public long numel() {
        return Shape.numel(shape);
    }

    /** Strides in elements. */
    public long[] strides() {
        return strides.clone();
    }

    public long stride(int dim) {
        return strides[Shape.axis("stride", dim, shape.length)];
    }

    /** Offset of the first element in the storage, in elements. */
    public long offset() {
        return offset;
    }

    public Device device() {
        return device;
    }

    public Scope scope() {
        return scope;
    }

    /**
     * The whole storage segment (index it with {@link #offset()} and {@link #strides()}), after checking
     * that the owning scope is still open.
     */
    public MemorySegment segment() {
        // the description is built only for the error: every kernel call asks for segments, and formatting
        // the shape each time cost more than the small products of inference (issue 8's scoring profile)
        if (!scope.isUsableHere()) {
            scope.checkUsableHere("tensor " + describe());
        }
        return segment;
    }

    /** The storage from this view's first element on; for passing to native code. */
    public MemorySegment dataSegment() {
        return segment().asSlice(offset * dtype.byteSize());
    }

    public boolean isAlive() {
        return scope.isAlive();
    }

    /** True if the elements are laid out row-major without gaps (size-1 dimensions may have any stride). */
    public boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 1) {
                continue;
            }
            if (strides[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    /** "f32[2, 3] cpu", for messages. */
    public String describe() {
        return dtype.name().toLowerCase(java.util.Locale.ROOT) + Shape.format(shape)
                + (device.isHost() ? "" : " " + device) + (name != null ? " '" + name + "'" : "");
    }

    public String name() {
        return name;
    }

    public Tensor name(String newName) {
        this.name = newName;
        return this;
    }

    // ------------------------------------------------------------------ element access

    private long elementIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has rank " + index.length
                    + " but the tensor " + describe() + " has rank " + shape.length);
        }
        long e = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is out of bounds for " + describe());
            }
            e += index[i] * strides[i];
        }
        return e;
    }

    private void checkHost(String what) {
        if (!device.isHost()) {
            throw new IllegalStateException(what + " on " + describe() + ": copy it to the host first with to(Device.CPU)");
        }
    }

    /** Element at a multi-index, as a double. */
    public double get(int... index) {
        checkHost("get");
        return dtype.get(segment(), elementIndex(index));
    }

    /** Writes one element (not recorded by autograd). */
    public void set(double value, int... index) {
        checkHost("set");
        dtype.set(segment(), elementIndex(index), value);
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new IllegalStateException("item() needs a tensor with one element, got " + describe());
        }
        checkHost("item");
        return (float) dtype.get(segment(), offset);
    }

    /** Fills every element (not recorded by autograd), on the tensor's device. */
    public Tensor fill(double value) {
        io.panrec.backend.Backends.on("fill", this).fill(this, value);
        return this;
    }

    /** Elements in row-major logical order, as floats. */
    public float[] toFloatArray() {
        if (dtype == DType.F32 && device.isHost() && isContiguous() && numel() <= Integer.MAX_VALUE) {
            // one bulk copy: a scorer's output is read this way on every call
            float[] f = new float[(int) numel()];
            MemorySegment.copy(segment(), ValueLayout.JAVA_FLOAT, offset * Float.BYTES, f, 0, f.length);
            return f;
        }
        double[] d = toDoubleArray();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    /** Elements in row-major logical order, as doubles. */
    public double[] toDoubleArray() {
        checkHost("toDoubleArray");
        long n = numel();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalStateException(describe() + " has too many elements for a Java array");
        }
        double[] out = new double[(int) n];
        MemorySegment seg = segment();
        if (isContiguous() && dtype == DType.F32) {
            for (int i = 0; i < n; i++) {
                out[i] = seg.getAtIndex(ValueLayout.JAVA_FLOAT, offset + i);
            }
            return out;
        }
        int[] idx = new int[shape.length];
        for (int i = 0; i < n; i++) {
            long e = offset;
            for (int d = 0; d < shape.length; d++) {
                e += idx[d] * strides[d];
            }
            out[i] = dtype.get(seg, e);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }

    public int[] toIntArray() {
        double[] d = toDoubleArray();
        int[] out = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (int) d[i];
        }
        return out;
    }

    /** Elements as longs; integer tensors are read exactly (ids above 2^53 survive), floats truncated. */
    public long[] toLongArray() {
        if (dtype.isFloating()) {
            double[] d = toDoubleArray();
            long[] out = new long[d.length];
            for (int i = 0; i < d.length; i++) {
                out[i] = (long) d[i];
            }
            return out;
        }
        checkHost("toLongArray");
        long n = numel();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalStateException(describe() + " has too many elements for a Java array");
        }
        long[] out = new long[(int) n];
        MemorySegment seg = segment();
        if (dtype == DType.I64 && isContiguous()) { // one bulk copy: index checks read every batch of ids
            MemorySegment.copy(seg, ValueLayout.JAVA_LONG, offset * 8, out, 0, out.length);
            return out;
        }
        int[] idx = new int[shape.length];
        for (int i = 0; i < n; i++) {
            long e = offset;
            for (int d = 0; d < shape.length; d++) {
                e += idx[d] * strides[d];
            }
            out[i] = dtype.getLong(seg, e);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ differentiable shape ops

    public Tensor reshape(int... newShape) {
        return Shapes.reshape(this, newShape);
    }

    public Tensor transpose(int dim0, int dim1) {
        return Shapes.transpose(this, dim0, dim1);
    }

    /** Transpose of the last two dimensions. */
    public Tensor t() {
        return Shapes.transpose(this, -2, -1);
    }

    public Tensor permute(int... dims) {
        return Shapes.permute(this, dims);
    }

    public Tensor slice(int dim, int start, int end) {
        return Shapes.slice(this, dim, start, end);
    }

    public Tensor expand(int... newShape) {
        return Shapes.expand(this, newShape);
    }

    public Tensor unsqueeze(int dim) {
        return Shapes.unsqueeze(this, dim);
    }

    public Tensor squeeze(int dim) {
        return Shapes.squeeze(this, dim);
    }

    public Tensor contiguous() {
        return Shapes.contiguous(this);
    }

    /** A copy in new memory (current scope), recorded by autograd. */
    public Tensor copy() {
        return Shapes.copy(this);
    }

    /** Same memory, cut off from the autograd graph. */
    public Tensor detach() {
        return new Tensor(segment, scope, device, dtype, shape, strides, offset);
    }

    /** Converts to another dtype (a copy; not differentiable). */
    public Tensor to(DType target) {
        return Shapes.cast(this, target);
    }

    /**
     * This tensor on {@code target}: itself when it is there already (no copy), else a contiguous copy in the
     * current scope, made by the backend of the device side ({@link io.panrec.backend.Backend#transfer}).
     * Differentiable: the gradient flows back to this tensor's device. The only way data moves between host
     * and device memory; ops never do it by themselves.
     */
    public Tensor to(Device target) {
        return Shapes.toDevice(this, target);
    }

    // ------------------------------------------------------------------ common ops, for readability

    public Tensor add(Tensor other) {
        return Elementwise.add(this, other);
    }

    public Tensor sub(Tensor other) {
        return Elementwise.sub(this, other);
    }

    public Tensor mul(Tensor other) {
        return Elementwise.mul(this, other);
    }

    public Tensor div(Tensor other) {
        return Elementwise.div(this, other);
    }

    public Tensor add(float c) {
        return Elementwise.add(this, c);
    }

    public Tensor mul(float c) {
        return Elementwise.mul(this, c);
    }

    public Tensor neg() {
        return Elementwise.neg(this);
    }

    public Tensor matmul(Tensor other) {
        return Linalg.matmul(this, other);
    }

    public Tensor relu() {
        return Elementwise.relu(this);
    }

    public Tensor sigmoid() {
        return Elementwise.sigmoid(this);
    }

    public Tensor tanh() {
        return Elementwise.tanh(this);
    }

    public Tensor exp() {
        return Elementwise.exp(this);
    }

    public Tensor log() {
        return Elementwise.log(this);
    }

    public Tensor sqrt() {
        return Elementwise.sqrt(this);
    }

    public Tensor pow(float exponent) {
        return Elementwise.pow(this, exponent);
    }

    /** Sum of all elements (a scalar of shape []). */
    public Tensor sum() {
        return Reductions.sum(this);
    }

    public Tensor sum(int axis, boolean keepDim) {
        return Reductions.sum(this, new int[] {axis}, keepDim);
    }

    public Tensor mean() {
        return Reductions.mean(this);
    }

    public Tensor mean(int axis, boolean keepDim) {
        return Reductions.mean(this, new int[] {axis}, keepDim);
    }

    // ------------------------------------------------------------------ autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as one whose gradient is wanted. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor " + describe() + ": use detach()");
        }
        this.requiresGrad = value;
        return this;
    }

    /** The accumulated dense gradient of a leaf, or null. */
    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor g) {
        this.grad = g;
    }

    /** Row-sparse gradient accumulated by lookups, when {@link #sparseGradients(boolean)} is on; else null. */
    public RowSparseGrad sparseGrad() {
        return sparseGrad;
    }

    public void setSparseGrad(RowSparseGrad g) {
        this.sparseGrad = g;
    }

    /** Whether row lookups (embeddings) accumulate a row-sparse gradient instead of a dense one. */
    public boolean sparseGradients() {
        return sparseGradients;
    }

    public Tensor sparseGradients(boolean value) {
        this.sparseGradients = value;
        return this;
    }

    /** Forgets the accumulated gradient (dense and sparse). */
    public void zeroGrad() {
        if (grad != null) {
            grad.fill(0);
        }
        if (sparseGrad != null) {
            sparseGrad.clear();
        }
    }

    public Node gradFn() {
        return gradFn;
    }

    /** Set by ops when they record this tensor as their output; not for user code. */
    public void setGradFn(Node node) {
        this.gradFn = node;
        this.requiresGrad = node != null;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Back-propagates from a scalar. */
    public void backward() {
        Autograd.backward(this, null);
    }

    /** Back-propagates with the given gradient of this tensor. */
    public void backward(Tensor gradient) {
        Autograd.backward(this, gradient);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(describe());
        if (scope.isAlive() && device.isHost() && numel() <= 16) {
            sb.append(", ").append(Arrays.toString(toFloatArray()));
        } else if (!scope.isAlive()) {
            sb.append(", freed");
        }
        if (gradFn != null) {
            sb.append(", grad_fn=").append(gradFn.op());
        } else if (requiresGrad) {
            sb.append(", requires_grad");
        }
        return sb.append(')').toString();
    }
}
