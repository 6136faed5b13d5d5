package io.panrec.models.onnx;

import io.panrec.nn.Activation;
import io.panrec.nn.Embedding;
import io.panrec.nn.Linear;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an ONNX model (a {@code ModelProto} of IR version {@value #IR_VERSION}, default-domain opset
 * {@value #OPSET}) node by node and encodes it with {@link ProtoWriter}: graph inputs and outputs with
 * symbolic or fixed dimensions, weights as initializers, and emitters for panrec's {@code nn} modules
 * ({@link #embedding}, {@link #linear}, {@link #mlp}, {@link #activation}) so that each exportable
 * model ({@link OnnxExportable}) only wires its modules together, as its {@code forward} does.
 *
 * <p>Every method that adds a node returns the name of the value it produces. Field numbers follow
 * {@code onnx/onnx.proto} (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto, TypeProto, TensorShapeProto).
 */
public final class OnnxGraph {
    /** ONNX IR version 8 (ONNX 1.10 and later; every ONNX Runtime since 1.10 reads it). */
    public static final int IR_VERSION = 8;
    /** The default-domain operator set: Gather, Gemm, Concat, Reshape, Relu, ... as of opset 17. */
    public static final int OPSET = 17;
    /** The name of the symbolic batch dimension of inputs and outputs. */
    public static final String BATCH = "batch";

    /** TensorProto.DataType values used here. */
    public static final int FLOAT = 1;
    public static final int INT64 = 7;

    private final String name;
    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final List<ProtoWriter> inputs = new ArrayList<>();
    private final List<ProtoWriter> outputs = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final java.util.Set<String> names = new java.util.HashSet<>();
    private int counter;

    public OnnxGraph(String name) {
        this.name = name;
    }

    // ------------------------------------------------------------------ inputs, outputs, weights

    /**
     * Declares a graph input. Each dimension is a {@link Number} (fixed size) or a {@link String} (a
     * symbolic one such as {@link #BATCH}).
     */
    public String input(String valueName, int elemType, Object... dims) {
        claim(valueName);
        inputs.add(valueInfo(valueName, elemType, dims));
        return valueName;
    }

    /** Declares {@code valueName} (produced by a node) as a graph output of the given type and dimensions. */
    public String output(String valueName, int elemType, Object... dims) {
        outputs.add(valueInfo(valueName, elemType, dims));
        return valueName;
    }

    /** Adds a tensor (F32 or I64) as an initializer named {@code initName}; returns the name. */
    public String initializer(String initName, Tensor t) {
        Tensor c = t.contiguous();
        long[] dims = java.util.Arrays.stream(c.shape()).asLongStream().toArray();
        return switch (c.dtype()) {
            case F32 -> initializer(initName, c.toFloatArray(), dims);
            case I64 -> initializer(initName, c.toLongArray(), dims);
            default -> throw new IllegalArgumentException("ONNX export: initializer '" + initName + "' has dtype " + c.dtype()
                    + "; only F32 and I64 tensors are exported");
        };
    }

    public String initializer(String initName, float[] data, long... dims) {
        checkCount(initName, data.length, dims);
        ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return addInitializer(initName, FLOAT, b.array(), dims);
    }

    public String initializer(String initName, long[] data, long... dims) {
        checkCount(initName, data.length, dims);
        ByteBuffer b = ByteBuffer.allocate(8 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        return addInitializer(initName, INT64, b.array(), dims);
    }

    /** A string entry of the model's {@code metadata_props} (shown by Netron and ORT's model metadata). */
    public void metadata(String key, String value) {
        metadata.put(key, value);
    }

    // ------------------------------------------------------------------ nodes

    /** An attribute of a node: an int, a float or a list of ints. */
    public record Attribute(String name, int type, long i, float f, long[] ints) {
        public static Attribute of(String name, long value) {
            return new Attribute(name, 2, value, 0, null);
        }

        public static Attribute of(String name, float value) {
            return new Attribute(name, 1, 0, value, null);
        }

        public static Attribute ints(String name, long... values) {
            return new Attribute(name, 7, 0, 0, values.clone());
        }

        ProtoWriter encode() {
            ProtoWriter a = new ProtoWriter().string(1, name);
            switch (type) {
                case 1 -> a.float32(2, f);
                case 2 -> a.varint(3, i);
                case 7 -> a.varints(8, ints);
                default -> throw new IllegalStateException("attribute type " + type);
            }
            return a.varint(20, type);
        }
    }

    /** Adds a node of the default domain with one output, named after the op; returns that output. */
    public String node(String opType, List<String> in, Attribute... attributes) {
        return namedNode(opType, opType.toLowerCase(java.util.Locale.ROOT) + "_" + counter, in, attributes);
    }

    /** Adds a node whose single output is called {@code out} (e.g. a graph output's name). */
    public String namedNode(String opType, String out, List<String> in, Attribute... attributes) {
        claim(out);
        ProtoWriter n = new ProtoWriter();
        for (String i : in) {
            n.string(1, i);
        }
        n.string(2, out).string(3, opType + "_" + counter++).string(4, opType);
        for (Attribute a : attributes) {
            n.message(5, a.encode());
        }
        nodes.add(n);
        return out;
    }

    // ------------------------------------------------------------------ panrec modules

    /**
     * {@link Embedding#forward}: Gather of the rows of its table ({@code prefix.weight}). A padding row is
     * exported as zeros, which is what panrec's forward returns for it.
     */
    public String embedding(String prefix, Embedding e, String indices) {
        Tensor table = e.weight();
        if (e.paddingIndex() >= 0) {
            float[] w = table.contiguous().toFloatArray();
            java.util.Arrays.fill(w, e.paddingIndex() * e.dim(), (e.paddingIndex() + 1) * e.dim(), 0f);
            table = Tensor.of(w, e.num(), e.dim());
        }
        String w = initializer(prefix + ".weight", table);
        return node("Gather", List.of(w, indices), Attribute.of("axis", 0L));
    }

    /** {@link Linear#forward}, {@code x W^T + b}, as Gemm with {@code transB = 1} ({@code prefix.weight}, {@code prefix.bias}). */
    public String linear(String prefix, Linear l, String x) {
        String w = initializer(prefix + ".weight", l.weight());
        List<String> in = l.bias() == null ? List.of(x, w) : List.of(x, w, initializer(prefix + ".bias", l.bias()));
        return node("Gemm", in, Attribute.of("transB", 1L));
    }

    /** {@link io.panrec.nn.MLP#forward} in evaluation mode (dropout is the identity there): Gemm, activation, ... */
    public String mlp(String prefix, io.panrec.nn.MLP mlp, String x) {
        String y = x;
        int n = mlp.layers().size();
        for (int k = 0; k < n; k++) {
            y = linear(prefix + ".layers." + k, mlp.layers().get(k), y);
            if (k < n - 1 || mlp.activateLast()) {
                y = activation(mlp.activation(), y);
            }
        }
        return y;
    }

    /** {@link Activation#apply}. */
    public String activation(Activation a, String x) {
        return switch (a) {
            case IDENTITY -> x;
            case RELU -> node("Relu", List.of(x));
            case LEAKY_RELU -> node("LeakyRelu", List.of(x), Attribute.of("alpha", Activation.LEAKY_RELU_SLOPE));
            case SIGMOID -> node("Sigmoid", List.of(x));
            case TANH -> node("Tanh", List.of(x));
            case GELU -> throw new UnsupportedOperationException("ONNX export: GELU has no operator in opset " + OPSET
                    + " (Gelu arrived in opset 20); models with GELU layers cannot be exported yet");
        };
    }

    public String concat(long axis, String... xs) {
        return node("Concat", List.of(xs), Attribute.of("axis", axis));
    }

    public String mul(String a, String b) {
        return node("Mul", List.of(a, b));
    }

    /** Reshape to {@code shape} (-1 for the inferred dimension), the result called {@code out}. */
    public String reshape(String x, String out, long... shape) {
        String s = initializer(out + ".shape", shape, shape.length);
        return namedNode("Reshape", out, List.of(x, s));
    }

    // ------------------------------------------------------------------ encoding

    /** The serialized ModelProto. */
    public byte[] toByteArray(String producerVersion) {
        if (outputs.isEmpty()) {
            throw new IllegalStateException("ONNX graph '" + name + "' has no output");
        }
        ProtoWriter g = new ProtoWriter();
        nodes.forEach(n -> g.message(1, n));
        g.string(2, name);
        initializers.forEach(t -> g.message(5, t));
        inputs.forEach(i -> g.message(11, i));
        outputs.forEach(o -> g.message(12, o));
        ProtoWriter m = new ProtoWriter()
                .varint(1, IR_VERSION)
                .string(2, "panrec")
                .string(3, producerVersion)
                .message(7, g)
                .message(8, new ProtoWriter().string(1, "").varint(2, OPSET));
        metadata.forEach((k, v) -> m.message(14, new ProtoWriter().string(1, k).string(2, v)));
        return m.toByteArray();
    }

    private String addInitializer(String initName, int dataType, byte[] raw, long[] dims) {
        claim(initName);
        initializers.add(new ProtoWriter().varints(1, dims).varint(2, dataType).string(8, initName).bytes(9, raw));
        return initName;
    }

    private static ProtoWriter valueInfo(String valueName, int elemType, Object... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (Object d : dims) {
            ProtoWriter dim = new ProtoWriter();
            switch (d) {
                case Number n -> dim.varint(1, n.longValue());
                case String s -> dim.string(2, s);
                default -> throw new IllegalArgumentException("a dimension is a number or a symbolic name, got " + d);
            }
            shape.message(1, dim);
        }
        ProtoWriter tensorType = new ProtoWriter().varint(1, elemType).message(2, shape);
        return new ProtoWriter().string(1, valueName).message(2, new ProtoWriter().message(1, tensorType));
    }

    private void claim(String valueName) {
        if (!names.add(valueName)) {
            throw new IllegalStateException("ONNX graph '" + name + "': the value name '" + valueName + "' is used twice");
        }
    }

    private static void checkCount(String initName, int count, long[] dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != count) {
            throw new IllegalArgumentException("initializer '" + initName + "': " + count + " values for dims "
                    + java.util.Arrays.toString(dims));
        }
    }

    /** For the DType of a panrec tensor, its TensorProto data type (F32 and I64 only). */
    public static int elemType(DType t) {
        return switch (t) {
            case F32 -> FLOAT;
            case I64 -> INT64;
            default -> throw new IllegalArgumentException("ONNX export handles F32 and I64 tensors, not " + t);
        };
    }
}
