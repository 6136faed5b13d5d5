package io.panrec.testing;

import io.panrec.backend.Availability;
import io.panrec.backend.Backend;
import io.panrec.backend.BackendProvider;
import io.panrec.backend.Backends;
import io.panrec.backend.BinaryOp;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.PoolSpec;
import io.panrec.backend.ReduceOp;
import io.panrec.backend.UnaryOp;
import io.panrec.tensor.DType;
import io.panrec.tensor.Device;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Shape;
import io.panrec.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A device backend without a device, to test the ops layer's device paths on any machine: its tensors are
 * flagged {@link #DEVICE} (so {@code Tensor.get}, {@code toFloatArray} and every host kernel refuse them, as
 * they refuse real GPU memory) but live in host memory, and each kernel views that memory as host tensors
 * and runs the reference backend on it. What it checks is what a GPU backend relies on:
 * <ul>
 *   <li>every kernel call gets only tensors on its device (a host tensor passed to a device kernel would be
 *       a crash on a GPU; here it is an {@link IllegalArgumentException});</li>
 *   <li>outputs the ops allocate come from it ({@link #empty} fills them with NaN, as fresh device memory is
 *       garbage, so an output a kernel does not write shows up);</li>
 *   <li>data crosses between host and device only through {@link #transfer} (counted);</li>
 *   <li>a kernel it lacks ({@link #lack}) surfaces as its {@link UnsupportedOperationException}, not as a
 *       silent run on the host.</li>
 * </ul>
 * The device is {@code cuda:7}, a CUDA index that the real cuda backend (created for cuda:0 unless told
 * otherwise) never runs on, so that the dispatch is exactly that of a GPU tensor. {@link #install()}
 * registers it once per JVM, ranked below every real backend so it is never a default.
 */
public final class EmulatedDevice implements Backend {
    public static final String NAME = "emulated-device";
    public static final Device DEVICE = Device.cuda(7);

    private final Backend ref = Backends.named("reference");
    private final AtomicLong kernels = new AtomicLong();
    private final AtomicLong transfers = new AtomicLong();
    private final Set<String> lacking = ConcurrentHashMap.newKeySet();

    private EmulatedDevice() {
    }

    /** Registers the provider (once per JVM) and returns the backend. */
    public static synchronized EmulatedDevice install() {
        if (Backends.providers().stream().noneMatch(p -> p.name().equals(NAME))) {
            Backends.register(new BackendProvider() {
                @Override
                public String name() {
                    return NAME;
                }

                @Override
                public int rank() {
                    return -1000;
                }

                @Override
                public String description() {
                    return "test backend: host memory flagged " + DEVICE + ", reference kernels";
                }

                @Override
                public Availability availability() {
                    return Availability.yes();
                }

                @Override
                public Backend create() {
                    return new EmulatedDevice();
                }
            });
        }
        return (EmulatedDevice) Backends.named(NAME);
    }

    /** Kernel calls so far (transfers and allocations not counted). */
    public long kernelCalls() {
        return kernels.get();
    }

    /** Host-device copies so far. */
    public long transfers() {
        return transfers.get();
    }

    /** Makes the kernel {@code op} (a method name of the SPI) unsupported until closed. */
    public Backends.Using lack(String op) {
        lacking.add(op);
        return () -> lacking.remove(op);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Device.Kind deviceKind() {
        return DEVICE.kind();
    }

    @Override
    public boolean runsOn(Device device) {
        return device.equals(DEVICE);
    }

    // ------------------------------------------------------------------ memory

    @Override
    public Tensor empty(Scope scope, Device device, DType dtype, int... shape) {
        MemorySegment seg = allocate(scope, device, dtype, shape);
        seg.fill((byte) 0xFF); // NaN as F32/F64: fresh device memory is garbage
        return Tensor.onDevice(seg, scope, DEVICE, dtype, shape);
    }

    @Override
    public Tensor zeros(Scope scope, Device device, DType dtype, int... shape) {
        return Tensor.onDevice(allocate(scope, device, dtype, shape), scope, DEVICE, dtype, shape);
    }

    private static MemorySegment allocate(Scope scope, Device device, DType dtype, int[] shape) {
        if (!device.equals(DEVICE)) {
            throw new IllegalArgumentException(NAME + ": cannot allocate on " + device);
        }
        return scope.allocate(Math.multiplyExact(Shape.numel(Shape.check(shape)), (long) dtype.byteSize()));
    }

    @Override
    public void transfer(Tensor src, Tensor dst) {
        transfers.incrementAndGet();
        if (src.device().isHost() && dst.device().equals(DEVICE)) {
            ref.copy(src, host("transfer", dst));
        } else if (src.device().equals(DEVICE) && dst.device().isHost()) {
            ref.copy(host("transfer", src), dst);
        } else {
            throw new IllegalArgumentException(NAME + " transfer: needs one host and one " + DEVICE + " tensor, got "
                    + src.describe() + " -> " + dst.describe() + " on " + dst.device());
        }
    }

    /** The same memory and view as a host tensor, after checking that t is on this device. */
    private static Tensor host(String op, Tensor t) {
        if (t == null) {
            return null;
        }
        if (!t.device().equals(DEVICE)) {
            throw new IllegalArgumentException(NAME + " " + op + ": " + t.describe() + " is on " + t.device() + ", not " + DEVICE
                    + ": the ops layer passed host memory to a device kernel");
        }
        MemorySegment seg = t.segment(); // checks that its scope is open
        int capacity = Math.toIntExact(seg.byteSize() / t.dtype().byteSize());
        return Tensor.wrap(seg, t.scope(), t.dtype(), capacity).view(t.shape(), t.strides(), t.offset());
    }

    private void enter(String op) {
        if (lacking.contains(op)) {
            throw new UnsupportedOperationException(NAME + " has no " + op + " kernel");
        }
        kernels.incrementAndGet();
    }

    // ------------------------------------------------------------------ kernels: the reference's, on host views

    @Override
    public void matmul(Tensor a, Tensor b, Tensor c, float alpha, float beta) {
        enter("matmul");
        ref.matmul(host("matmul", a), host("matmul", b), host("matmul", c), alpha, beta);
    }

    @Override
    public void unary(UnaryOp op, float alpha, Tensor x, Tensor out) {
        enter("unary");
        ref.unary(op, alpha, host("unary", x), host("unary", out));
    }

    @Override
    public void unaryBackward(UnaryOp op, float alpha, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) {
        enter("unaryBackward");
        String o = "unaryBackward";
        ref.unaryBackward(op, alpha, host(o, x), host(o, y), host(o, gradOut), host(o, gradIn));
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        enter("binary");
        ref.binary(op, host("binary", a), host("binary", b), host("binary", out));
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, Tensor out) {
        enter("reduce");
        ref.reduce(op, host("reduce", x), host("reduce", out));
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor out) {
        enter("softmax");
        ref.softmax(host("softmax", x), axis, log, host("softmax", out));
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradOut, int axis, boolean log, Tensor gradIn) {
        enter("softmaxBackward");
        String o = "softmaxBackward";
        ref.softmaxBackward(host(o, y), host(o, gradOut), axis, log, host(o, gradIn));
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        enter("copy");
        ref.copy(host("copy", src), host("copy", dst));
    }

    @Override
    public void fill(Tensor dst, double value) {
        enter("fill");
        ref.fill(host("fill", dst), value);
    }

    @Override
    public void gatherRows(Tensor table, Tensor indices, Tensor out) {
        enter("gatherRows");
        ref.gatherRows(host("gatherRows", table), host("gatherRows", indices), host("gatherRows", out));
    }

    @Override
    public void scatterAddRows(Tensor src, Tensor indices, Tensor target) {
        enter("scatterAddRows");
        String o = "scatterAddRows";
        ref.scatterAddRows(host(o, src), host(o, indices), host(o, target));
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, Tensor out, ConvSpec spec) {
        enter("conv2d");
        ref.conv2d(host("conv2d", x), host("conv2d", w), host("conv2d", bias), host("conv2d", out), spec);
    }

    @Override
    public void conv2dBackwardData(Tensor gradOut, Tensor w, Tensor gradIn, ConvSpec spec) {
        enter("conv2dBackwardData");
        String o = "conv2dBackwardData";
        ref.conv2dBackwardData(host(o, gradOut), host(o, w), host(o, gradIn), spec);
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gradOut, Tensor gradW, Tensor gradBias, ConvSpec spec) {
        enter("conv2dBackwardWeights");
        String o = "conv2dBackwardWeights";
        ref.conv2dBackwardWeights(host(o, x), host(o, gradOut), host(o, gradW), host(o, gradBias), spec);
    }

    @Override
    public void pool2d(PoolSpec spec, Tensor x, Tensor out) {
        enter("pool2d");
        ref.pool2d(spec, host("pool2d", x), host("pool2d", out));
    }

    @Override
    public void pool2dBackward(PoolSpec spec, Tensor x, Tensor out, Tensor gradOut, Tensor gradIn) {
        enter("pool2dBackward");
        String o = "pool2dBackward";
        ref.pool2dBackward(spec, host(o, x), host(o, out), host(o, gradOut), host(o, gradIn));
    }

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor out, Tensor mean, Tensor rstd) {
        enter("layerNorm");
        String o = "layerNorm";
        ref.layerNorm(host(o, x), host(o, gamma), host(o, beta), eps, host(o, out), host(o, mean), host(o, rstd));
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gradOut, Tensor gradIn,
                                  Tensor gradGamma, Tensor gradBeta) {
        enter("layerNormBackward");
        String o = "layerNormBackward";
        ref.layerNormBackward(host(o, x), host(o, gamma), host(o, mean), host(o, rstd), host(o, gradOut), host(o, gradIn),
                host(o, gradGamma), host(o, gradBeta));
    }

    @Override
    public String toString() {
        return NAME + " (" + DEVICE + " flagged host memory, reference kernels)";
    }
}
