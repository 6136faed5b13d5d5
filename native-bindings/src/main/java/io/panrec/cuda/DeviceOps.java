package io.panrec.cuda;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * What {@link CudaKernels} needs from a device: temporary memory, a copy back to the host, and kernel
 * launches, all in one stream's order. {@link CudaDevice} implements it with the CUDA runtime; the tests
 * implement it on the host with the same kernel source compiled by a C++ compiler, so that the index
 * arithmetic of every kernel is checked against the reference backend without a GPU.
 */
interface DeviceOps {

    /** The CUDA device index, for messages. */
    int device();

    /** Temporary device memory, usable by work queued after this call; free with {@link #freeTemp}. */
    long allocTemp(long bytes);

    /** Frees temporary memory once the work queued before this call no longer needs it. */
    void freeTemp(long address);

    /** Sets {@code bytes} bytes at {@code address} to zero, in stream order. */
    void memsetZero(long address, long bytes);

    /** Copies {@code bytes} from device address {@code src} into host memory and waits until they are there. */
    void toHost(long src, MemorySegment dst, long bytes);

    /** Queues {@code kernel} over {@code work} items (every kernel is a grid-stride loop over its items). */
    void launch(Kernel kernel, long work, Object... args);

    /**
     * A kernel of {@link CudaKernels#SOURCE}: its name and the layouts of its parameters, in order. Arguments
     * are {@link Integer}, {@link Long} (also device addresses for pointer parameters), {@link Double}, or a
     * {@link MemorySegment} holding a struct passed by value.
     */
    record Kernel(String name, List<MemoryLayout> params) {
        Kernel(String name, MemoryLayout... params) {
            this(name, List.of(params));
        }

        /** Writes {@code arg} as parameter {@code i} into {@code slot} (sized for its layout). */
        void write(int i, Object arg, MemorySegment slot) {
            MemoryLayout l = params.get(i);
            switch (l) {
                case ValueLayout.OfInt x -> slot.set(x, 0, (Integer) arg);
                case ValueLayout.OfLong x -> slot.set(x, 0, (Long) arg);
                case ValueLayout.OfDouble x -> slot.set(x, 0, (Double) arg);
                case ValueLayout.OfFloat x -> slot.set(x, 0, (Float) arg);
                case AddressLayout x -> slot.set(x, 0, MemorySegment.ofAddress((Long) arg));
                case GroupLayout g -> MemorySegment.copy((MemorySegment) arg, 0, slot, 0, g.byteSize());
                default -> throw new IllegalArgumentException("kernel " + name + ": unsupported parameter layout " + l);
            }
        }

        /** Checks the argument count and types before anything is written. */
        void checkArgs(Object[] args) {
            if (args.length != params.size()) {
                throw new IllegalArgumentException("kernel " + name + " takes " + params.size() + " arguments, got " + args.length);
            }
            for (int i = 0; i < args.length; i++) {
                MemoryLayout l = params.get(i);
                boolean ok = switch (l) {
                    case ValueLayout.OfInt x -> args[i] instanceof Integer;
                    case ValueLayout.OfLong x -> args[i] instanceof Long;
                    case ValueLayout.OfDouble x -> args[i] instanceof Double;
                    case ValueLayout.OfFloat x -> args[i] instanceof Float;
                    case AddressLayout x -> args[i] instanceof Long;
                    case GroupLayout g -> args[i] instanceof MemorySegment s && s.byteSize() >= g.byteSize();
                    default -> false;
                };
                if (!ok) {
                    throw new IllegalArgumentException("kernel " + name + ": argument " + i + " (" + args[i] + ") does not fit "
                            + l);
                }
            }
        }
    }
}
