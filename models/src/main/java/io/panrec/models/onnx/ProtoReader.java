package io.panrec.models.onnx;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The protocol buffers wire format, decoding side: splits a message into its fields (number, wire type,
 * value) without a schema, which is all that checking an ONNX file's structure needs. Packed repeated
 * varints are decoded with {@link #packedVarints}. Malformed input (a truncated varint or field, an
 * unknown wire type) throws {@link IllegalArgumentException} naming the offset.
 */
public final class ProtoReader {
    /** One field of a message: its number, wire type, and either a varint/fixed value or a byte range. */
    public record Field(int number, int wireType, long value, byte[] bytes) {
        /** The field as a UTF-8 string (wire type 2). */
        public String string() {
            return new String(requireBytes(), StandardCharsets.UTF_8);
        }

        /** The field as a nested message (wire type 2). */
        public List<Field> message() {
            return ProtoReader.fields(requireBytes());
        }

        /** The field as a 32-bit float (wire type 5). */
        public float float32() {
            if (wireType != ProtoWriter.FIXED32) {
                throw new IllegalArgumentException("field " + number + " has wire type " + wireType + ", not a 32-bit float");
            }
            return Float.intBitsToFloat((int) value);
        }

        private byte[] requireBytes() {
            if (bytes == null) {
                throw new IllegalArgumentException("field " + number + " has wire type " + wireType + ", not length-delimited");
            }
            return bytes;
        }
    }

    private ProtoReader() {
    }

    /** Every field of the message in {@code data}, in file order. */
    public static List<Field> fields(byte[] data) {
        List<Field> fields = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < data.length) {
            int start = pos[0];
            long tag = varint(data, pos);
            int number = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            if (number < 1) {
                throw new IllegalArgumentException("field number " + number + " at offset " + start + " is not valid");
            }
            switch (wireType) {
                case ProtoWriter.VARINT -> fields.add(new Field(number, wireType, varint(data, pos), null));
                case ProtoWriter.FIXED64 -> fields.add(new Field(number, wireType, fixed(data, pos, 8), null));
                case ProtoWriter.FIXED32 -> fields.add(new Field(number, wireType, fixed(data, pos, 4), null));
                case ProtoWriter.LENGTH_DELIMITED -> {
                    long len = varint(data, pos);
                    if (len < 0 || len > data.length - pos[0]) {
                        throw new IllegalArgumentException("field " + number + " at offset " + start + " claims " + len
                                + " bytes but only " + (data.length - pos[0]) + " remain");
                    }
                    byte[] b = java.util.Arrays.copyOfRange(data, pos[0], pos[0] + (int) len);
                    pos[0] += (int) len;
                    fields.add(new Field(number, wireType, len, b));
                }
                default -> throw new IllegalArgumentException("unknown wire type " + wireType + " at offset " + start);
            }
        }
        return fields;
    }

    /** The values of a packed repeated varint field's bytes. */
    public static long[] packedVarints(byte[] data) {
        List<Long> values = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < data.length) {
            values.add(varint(data, pos));
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static long varint(byte[] data, int[] pos) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= data.length) {
                throw new IllegalArgumentException("truncated varint at offset " + pos[0]);
            }
            int b = data[pos[0]++] & 0xFF;
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("varint longer than 10 bytes before offset " + pos[0]);
    }

    private static long fixed(byte[] data, int[] pos, int size) {
        if (data.length - pos[0] < size) {
            throw new IllegalArgumentException("truncated " + (8 * size) + "-bit field at offset " + pos[0]);
        }
        long v = 0;
        for (int k = 0; k < size; k++) {
            v |= (long) (data[pos[0]++] & 0xFF) << (8 * k);
        }
        return v;
    }
}
