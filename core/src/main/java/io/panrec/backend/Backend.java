package io.panrec.backend;

import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

/**
 * The kernels that every op is built from: a narrow SPI, one line of contract per method.
 *
 * <p>The ops layer ({@code io.panrec.ops}) validates shapes, dtypes, devices and index ranges and
 * allocates outputs before calling a kernel, so a kernel may assume well-formed arguments: outputs are
 * distinct from inputs unless stated, shapes agree as documented, and tensors are alive. Tensors may be
 * strided views unless a method says "contiguous". The {@code reference} backend defines what each
 * kernel computes; every other backend is tested against it.
 *
 * <p>Implementations must be thread-safe: many threads may call one backend at once with distinct
 * outputs.
 *
 * <p><b>Devices.</b> The ops send a call to the backend of its tensors' device ({@link Backends#on}): host
 * tensors to the current backend, tensors in a device's memory to the backend that {@link #runsOn} that
 * device. A device backend also allocates that memory ({@link #empty}, {@link #zeros}) and copies between
 * it and the host ({@link #transfer}); Java never reads or writes device memory itself.
 */
public interface Backend {

    /** The provider name, e.g. "reference", "vector", "onednn". */
    String name();

    /** The kind of device whose memory this backend's kernels read and write. */
    default Device.Kind deviceKind() {
        return Device.Kind.CPU;
    }

    /**
     * Whether this backend's kernels take tensors in {@code device}'s memory: the host for CPU backends;
     * a device backend says which device it owns (and may take host tensors too, running them on a CPU
     * backend). Called by {@link Backends#forDevice} to find the backend of a device.
     */
    default boolean runsOn(Device device) {
        return device.isHost();
    }

    /**
     * A contiguous tensor of undefined contents in {@code device}'s memory, owned by {@code scope} (freed
     * when it closes). CPU backends allocate host memory; a device backend overrides this for its device.
     *
     * @throws UnsupportedOperationException if this backend cannot allocate on {@code device}
     */
    default Tensor empty(Scope scope, Device device, DType dtype, int... shape) {
        if (!device.isHost()) {
            throw new UnsupportedOperationException("backend '" + name() + "' cannot allocate memory on " + device);
        }
        return Tensor.empty(scope, dtype, shape);
    }

    /** {@link #empty} filled with zeros. */
    default Tensor zeros(Scope scope, Device device, DType dtype, int... shape) {
        if (!device.isHost()) {
            Tensor t = empty(scope, device, dtype, shape);
            fill(t, 0);
            return t;
        }
        return Tensor.zeros(scope, dtype, shape);
    }

    /**
     * Copies between host memory and this backend's device: exactly one of {@code src} and {@code dst} is a
     * host tensor, the other is on a device this backend {@link #runsOn}; same shape and dtype, either may be
     * strided. Returns when the host side may be read or reused.
     *
     * @throws UnsupportedOperationException from backends without device memory
     */
    default void transfer(Tensor src, Tensor dst) {
        throw new UnsupportedOperationException("backend '" + name() + "' has no device memory to copy "
                + src.describe() + " (" + src.device() + ") to " + dst.device() + " with");
    }

    /**
     * {@code c[b] = alpha * a[b] @ b[b] + beta * c[b]} for rank-3 views a [B, M, K], b [B, K, N] and
     * c [B, M, N]. A batch stride of 0 broadcasts an operand; a transposed operand is a view with
     * swapped strides. With {@code beta == 0} c's old contents are ignored (even NaN).
     */
    void matmul(Tensor a, Tensor b, Tensor c, float alpha, float beta);

    /** {@code out = f(x)}, same shape. {@code out} may be {@code x} itself. */
    void unary(UnaryOp op, float alpha, Tensor x, Tensor out);

    /** {@code gradIn = gradOut * f'(x)}; {@code y = f(x)} is passed as well for the rules that read it. */
    void unaryBackward(UnaryOp op, float alpha, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn);

    /**
     * {@code out = a (op) b}; a and b already have out's shape (broadcast dimensions have stride 0). {@code out}
     * may be {@code a} or {@code b} itself (the same view: gradient accumulation and the optimizers' device
     * updates write in place), but must not overlap them otherwise.
     */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /**
     * Reduces x into out, which has x's rank with size 1 on every reduced axis (and x's size on the
     * others). An empty reduction gives 0 for SUM, NaN for MEAN, and -inf/+inf for MAX/MIN.
     */
    void reduce(ReduceOp op, Tensor x, Tensor out);

    /** (Log-)softmax of x along {@code axis}, into out of the same shape. */
    void softmax(Tensor x, int axis, boolean log, Tensor out);

    /** Gradient of (log-)softmax: from its output y and gradOut, into gradIn. */
    void softmaxBackward(Tensor y, Tensor gradOut, int axis, boolean log, Tensor gradIn);

    /** Element-wise copy between tensors of the same shape, converting dtype if they differ. */
    void copy(Tensor src, Tensor dst);

    /** Sets every element of dst to value. */
    void fill(Tensor dst, double value);

    /**
     * Row lookup: {@code out[i, :] = table[indices[i], :]} for table [V, D], indices [N] (I32 or I64,
     * all within [0, V)) and out [N, D].
     */
    void gatherRows(Tensor table, Tensor indices, Tensor out);

    /** {@code target[indices[i], :] += src[i, :]} for src [N, D], indices [N], target [V, D]; repeated indices add up. */
    void scatterAddRows(Tensor src, Tensor indices, Tensor target);

    /**
     * 2-D convolution (cross-correlation) of contiguous x [N, C, H, W] with w [O, C/groups, KH, KW], plus
     * bias [O] when not null, into contiguous out [N, O, OH, OW].
     */
    void conv2d(Tensor x, Tensor w, Tensor bias, Tensor out, ConvSpec spec);

    /** Gradient of conv2d with respect to its input, into contiguous gradIn [N, C, H, W] (overwritten). */
    void conv2dBackwardData(Tensor gradOut, Tensor w, Tensor gradIn, ConvSpec spec);

    /** Gradients of conv2d with respect to w and (when gradBias is not null) bias, overwritten. */
    void conv2dBackwardWeights(Tensor x, Tensor gradOut, Tensor gradW, Tensor gradBias, ConvSpec spec);

    /** Max or average pooling of contiguous x [N, C, H, W] into contiguous out [N, C, OH, OW]. */
    void pool2d(PoolSpec spec, Tensor x, Tensor out);

    /**
     * Gradient of pool2d into contiguous gradIn (overwritten). Max pooling sends each output's gradient
     * to the first maximum of its window in row-major order; x and out are the forward's tensors.
     */
    void pool2dBackward(PoolSpec spec, Tensor x, Tensor out, Tensor gradOut, Tensor gradIn);

    /**
     * Layer normalization over the last axis of contiguous x [R, D]:
     * {@code out = (x - mean) * rstd * gamma + beta}, also writing mean [R] and rstd [R] = 1/sqrt(var + eps)
     * (biased variance). gamma and beta [D] may be null (1 and 0).
     */
    void layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor out, Tensor mean, Tensor rstd);

    /**
     * Gradients of layerNorm: gradIn [R, D] always; gradGamma and gradBeta [D] when not null (overwritten).
     */
    void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gradOut,
                           Tensor gradIn, Tensor gradGamma, Tensor gradBeta);
}
