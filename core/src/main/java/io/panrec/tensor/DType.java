package io.panrec.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Element types of tensors. {@code F32} is the working type of every model; {@code F64} exists so that
 * the reference backend can run gradient checks in double precision; {@code I32}/{@code I64} hold ids.
 */
public enum DType {
    F32(4, true),
    F64(8, true),
    I32(4, false),
    I64(8, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    public int byteSize() {
        return byteSize;
    }

    public boolean isFloating() {
        return floating;
    }

    /** Reads element {@code index} (in elements, not bytes) as a double, whatever the type. */
    public double get(MemorySegment segment, long index) {
        return switch (this) {
            case F32 -> segment.getAtIndex(ValueLayout.JAVA_FLOAT, index);
            case F64 -> segment.getAtIndex(ValueLayout.JAVA_DOUBLE, index);
            case I32 -> segment.getAtIndex(ValueLayout.JAVA_INT, index);
            case I64 -> segment.getAtIndex(ValueLayout.JAVA_LONG, index);
        };
    }

    /** Writes element {@code index}, rounding to this type. */
    public void set(MemorySegment segment, long index, double value) {
        switch (this) {
            case F32 -> segment.setAtIndex(ValueLayout.JAVA_FLOAT, index, (float) value);
            case F64 -> segment.setAtIndex(ValueLayout.JAVA_DOUBLE, index, value);
            case I32 -> segment.setAtIndex(ValueLayout.JAVA_INT, index, (int) value);
            case I64 -> segment.setAtIndex(ValueLayout.JAVA_LONG, index, (long) value);
        }
    }

    /** Reads element {@code index} of an id tensor as a long. */
    public long getLong(MemorySegment segment, long index) {
        return switch (this) {
            case I32 -> segment.getAtIndex(ValueLayout.JAVA_INT, index);
            case I64 -> segment.getAtIndex(ValueLayout.JAVA_LONG, index);
            case F32, F64 -> throw new IllegalArgumentException("getLong on a " + this + " tensor: ids must be I32 or I64");
        };
    }

    /** The safetensors name of this type. */
    public String safetensorsName() {
        return name();
    }
}
