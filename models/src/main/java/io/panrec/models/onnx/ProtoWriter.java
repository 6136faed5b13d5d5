package io.panrec.models.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The protocol buffers wire format, encoding side, as far as ONNX needs it: varints (wire type 0),
 * length-delimited fields (wire type 2: strings, bytes, nested messages) and 32-bit floats (wire type 5).
 * Hand-written instead of generated from {@code onnx.proto}, so that panrec needs no protobuf runtime
 * and no code generator; the format is specified at protobuf.dev/programming-guides/encoding.
 *
 * <p>A message is built in one writer; a nested message is a writer of its own whose bytes are added
 * to the parent with {@link #message}. Fields are written in the order they are added, which the format
 * allows (readers accept any order).
 */
final class ProtoWriter {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** An int32, int64 or enum field (negative values take ten bytes, as the format says). */
    ProtoWriter varint(int field, long value) {
        tag(field, VARINT);
        rawVarint(value);
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoWriter message(int field, ProtoWriter nested) {
        return bytes(field, nested.toByteArray());
    }

    ProtoWriter float32(int field, float value) {
        tag(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int k = 0; k < 4; k++) {
            out.write(bits >>> (8 * k));
        }
        return this;
    }

    /** A repeated int64 field, one tagged element each (unpacked: what ONNX's own writers emit for dims). */
    ProtoWriter varints(int field, long[] values) {
        for (long v : values) {
            varint(field, v);
        }
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        if (field < 1) {
            throw new IllegalArgumentException("protobuf field numbers start at 1, got " + field);
        }
        rawVarint(((long) field << 3) | wireType);
    }

    private void rawVarint(long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
