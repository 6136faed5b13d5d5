package io.panrec.models.onnx;

import io.panrec.backend.ConvSpec;
import io.panrec.nn.Activation;
import io.panrec.nn.Conv2d;
import io.panrec.nn.Embedding;
import io.panrec.nn.EmbeddingBag;
import io.panrec.nn.Linear;
import io.panrec.ops.Pooling;
import io.panrec.tensor.DType;
import io.panrec.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an ONNX model (a {@code ModelProto} of IR version {@value #IR_VERSION}, default-domain opset
 * {@value #OPSET}) node by node and encodes it with {@link ProtoWriter}: graph inputs and outputs with
 * symbolic or fixed dimensions, weights as initializers, and emitters for panrec's {@code nn} modules
 * ({@link #embedding}, {@link #linear}, {@link #mlp}, {@link #activation}, {@link #embeddingBag},
 * {@link #conv2d}, {@link #maxPool2d}) and composite ops ({@link #maskedPool} with {@link #bagIds} for
 * padded bags, {@link #l2Normalize}, {@link #rowDot}) so that each exportable model ({@link OnnxExportable})
 * only wires its modules together, as its {@code forward} does. Each emitter mirrors the arithmetic of
 * panrec's op, in the same order, so that an exported graph reproduces panrec's numbers up to float rounding.
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
    public static final int BOOL = 9;

    private final String name;
    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final List<ProtoWriter> inputs = new ArrayList<>();
    private final List<ProtoWriter> outputs = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final java.util.Set<String> names = new java.util.HashSet<>();
    /** Which object (a tensor or a module) each initializer was written from: a second use shares it. */
    private final Map<String, Object> sources = new HashMap<>();
    private int counter;
    private int constants;

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

    /**
     * Adds a tensor (F32 or I64) as an initializer named {@code initName}; returns the name. The same
     * tensor added again under the same name is written once (a table that two parts of a model read,
     * such as DeepFM's shared embeddings); another tensor under a used name is an error.
     */
    public String initializer(String initName, Tensor t) {
        if (sources.get(initName) == t) {
            return initName;
        }
        Tensor c = t.contiguous();
        long[] dims = java.util.Arrays.stream(c.shape()).asLongStream().toArray();
        String name = switch (c.dtype()) {
            case F32 -> initializer(initName, c.toFloatArray(), dims);
            case I64 -> initializer(initName, c.toLongArray(), dims);
            default -> throw new IllegalArgumentException("ONNX export: initializer '" + initName + "' has dtype " + c.dtype()
                    + "; only F32 and I64 tensors are exported");
        };
        sources.put(initName, t);
        return name;
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
     * {@link Embedding#forward}: Gather of the rows of its table ({@link #table}), any shape of indices
     * ({@code [B]} -> {@code [B, d]}, {@code [B, F]} -> {@code [B, F, d]}).
     */
    public String embedding(String prefix, Embedding e, String indices) {
        return gather(table(prefix, e), indices, 0);
    }

    /**
     * The table of an {@link Embedding} as the initializer {@code prefix.weight}, written once however
     * often it is read. A padding row is exported as zeros, which is what panrec's forward returns for it.
     */
    public String table(String prefix, Embedding e) {
        String name = prefix + ".weight";
        if (sources.get(name) == e) {
            return name;
        }
        Tensor table = e.weight();
        if (e.paddingIndex() >= 0) {
            float[] w = table.contiguous().toFloatArray();
            java.util.Arrays.fill(w, e.paddingIndex() * e.dim(), (e.paddingIndex() + 1) * e.dim(), 0f);
            table = Tensor.of(w, e.num(), e.dim());
        }
        initializer(name, table);
        sources.put(name, e);
        return name;
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

    /** Reshape to {@code shape} (-1 for the inferred dimension, 0 to keep the input's). */
    public String reshape(String x, long... shape) {
        return node("Reshape", List.of(x, longs(shape)));
    }

    /** Identity, its output called {@code out}: gives a graph output its name when the last op is shared code. */
    public String identity(String x, String out) {
        return namedNode("Identity", out, List.of(x));
    }

    // ------------------------------------------------------------------ elementwise and reductions (numpy broadcasting)

    public String add(String a, String b) {
        return node("Add", List.of(a, b));
    }

    public String sub(String a, String b) {
        return node("Sub", List.of(a, b));
    }

    public String div(String a, String b) {
        return node("Div", List.of(a, b));
    }

    public String max(String a, String b) {
        return node("Max", List.of(a, b));
    }

    public String min(String a, String b) {
        return node("Min", List.of(a, b));
    }

    public String abs(String x) {
        return node("Abs", List.of(x));
    }

    public String sqrt(String x) {
        return node("Sqrt", List.of(x));
    }

    /** {@code x ^ exponent} (the exponent a float scalar). */
    public String pow(String x, float exponent) {
        return node("Pow", List.of(x, constant(exponent)));
    }

    public String matmul(String a, String b) {
        return node("MatMul", List.of(a, b));
    }

    /** Where({@code condition}, a, b): a where true, b where false. */
    public String where(String condition, String a, String b) {
        return node("Where", List.of(condition, a, b));
    }

    /** Cast to a TensorProto data type ({@link #FLOAT}, {@link #INT64}, {@link #BOOL}). */
    public String cast(String x, int to) {
        return node("Cast", List.of(x), Attribute.of("to", (long) to));
    }

    /** Gather along {@code axis}; a scalar index drops that axis. */
    public String gather(String data, String indices, long axis) {
        return node("Gather", List.of(data, indices), Attribute.of("axis", axis));
    }

    public String unsqueeze(String x, long... axes) {
        return node("Unsqueeze", List.of(x, longs(axes)));
    }

    /** ReduceSum over {@code axes} (opset 13 and later take them as an input). */
    public String reduceSum(String x, boolean keepDims, long... axes) {
        return node("ReduceSum", List.of(x, longs(axes)), Attribute.of("keepdims", keepDims ? 1L : 0L));
    }

    /** ReduceMax over {@code axes} (an attribute until opset 18). */
    public String reduceMax(String x, boolean keepDims, long... axes) {
        return node("ReduceMax", List.of(x), Attribute.ints("axes", axes), Attribute.of("keepdims", keepDims ? 1L : 0L));
    }

    /** A float scalar initializer. */
    public String constant(float value) {
        return initializer(constantName(), new float[] {value});
    }

    /**
     * An int64 initializer: a vector of {@code values}. (Not an overload of {@link #constant(float)}:
     * Java would turn a single long into that float.)
     */
    public String longs(long... values) {
        return initializer(constantName(), values, values.length);
    }

    /** An int64 scalar (rank 0) initializer, e.g. a Gather index that drops its axis. */
    public String scalar(long value) {
        return initializer(constantName(), new long[] {value});
    }

    private String constantName() {
        return "const_" + constants++;
    }

    // ------------------------------------------------------------------ composite layers

    /** The sum over the last axis of {@code a * b}: {@code io.panrec.ops.Linalg#rowDot}, {@code [B, d] -> [B]}. */
    public String rowDot(String a, String b) {
        return reduceSum(mul(a, b), false, -1);
    }

    /**
     * {@code x / sqrt(sum_axis1(x^2) + eps)}, as {@code Reductions.normalize(x, 1, eps)} computes it
     * (the epsilon inside the root), {@code [B, d]}.
     */
    public String l2Normalize(String x, float eps) {
        return div(x, sqrt(add(reduceSum(mul(x, x), true, 1), constant(eps))));
    }

    /**
     * The validity mask of right-padded bags: {@code ids [B, T]} (only its shape is read) and
     * {@code lengths int64 [B]} -> {@code bool [B, T]}, true at position {@code t < lengths[b]}.
     */
    public String sequenceMask(String ids, String lengths) {
        String t = gather(node("Shape", List.of(ids)), scalar(1), 0);
        String positions = node("Range", List.of(scalar(0), t, scalar(1)));            // [T]
        return node("Less", List.of(positions, unsqueeze(lengths, 1)));              // [B, T]
    }

    /** Bag ids safe to look up ({@code int64 [B, T]}) and their validity mask ({@code bool [B, T]}). */
    public record BagIds(String ids, String mask) {
    }

    /**
     * Right-padded bag ids made safe to look up: {@code ids int64 [B, T]} and {@code lengths int64 [B]}
     * (each in [0, T]) -> the ids with every padding position replaced by 0, plus {@code offset} (a
     * field's first row in a shared table; 0 for ids that are already rows), and the validity mask
     * ({@link #sequenceMask}). Whatever the caller pads with is never read.
     */
    public BagIds bagIds(String ids, String lengths, long offset) {
        String mask = sequenceMask(ids, lengths);
        String safe = where(mask, ids, scalar(0));
        return new BagIds(offset == 0 ? safe : add(safe, scalar(offset)), mask);
    }

    /**
     * An embedding bag over right-padded ids, as {@code io.panrec.nn.EmbeddingBag#forward(ids, lengths)}:
     * {@code ids int64 [B, T]}, {@code lengths int64 [B]} -> {@code [B, d]}: {@link #bagIds}, a Gather of
     * {@code table}'s rows and {@link #maskedPool}.
     */
    public String bag(String table, String ids, String lengths, long offset, Pooling.Mode mode, float p) {
        BagIds safe = bagIds(ids, lengths, offset);
        return maskedPool(gather(table, safe.ids(), 0), safe.mask(), lengths, mode, p);
    }

    /** {@link #bag} over an {@link EmbeddingBag}'s table ({@code prefix.weight}), with its pooling and exponent {@code p}. */
    public String embeddingBag(String prefix, EmbeddingBag e, float p, String ids, String lengths) {
        return bag(initializer(prefix + ".weight", e.weight()), ids, lengths, 0, e.mode(), p);
    }

    /**
     * {@link Pooling#maskedPool}: rows {@code [B, T, d]} pooled over T where {@code mask bool [B, T]} is
     * true (the first {@code lengths [B]} positions) -> {@code [B, d]}, with the same arithmetic: SUM the
     * masked sum; MEAN that sum times {@code 1 / max(length, 1)}; MAX the maximum of {@code rows - 1e30}
     * at the padding, zeroed for an empty bag; LP {@code (sum |x|^p + 1e-12)^(1/p)}, zeroed for an empty bag.
     */
    public String maskedPool(String rows, String mask, String lengths, Pooling.Mode mode, float p) {
        String m = unsqueeze(cast(mask, FLOAT), 2);                                  // [B, T, 1]
        String len = unsqueeze(cast(lengths, FLOAT), 1);                             // [B, 1]
        return switch (mode) {
            case SUM -> reduceSum(mul(rows, m), false, 1);
            case MEAN -> mul(reduceSum(mul(rows, m), false, 1), div(constant(1f), max(len, constant(1f))));
            case MAX -> mul(reduceMax(add(rows, mul(sub(m, constant(1f)), constant(1e30f))), false, 1), min(len, constant(1f)));
            case LP -> mul(pow(add(reduceSum(mul(pow(abs(rows), p), m), false, 1), constant(1e-12f)), 1f / p), min(len, constant(1f)));
        };
    }

    /** {@link Conv2d#forward} ({@code [N, C, H, W]}) as Conv with its strides, padding, dilation and groups. */
    public String conv2d(String prefix, Conv2d c, String x) {
        ConvSpec s = c.spec();
        int[] k = c.weight().shape();
        List<String> in = new ArrayList<>(List.of(x, initializer(prefix + ".weight", c.weight())));
        if (c.bias() != null) {
            in.add(initializer(prefix + ".bias", c.bias()));
        }
        return node("Conv", in, Attribute.ints("kernel_shape", k[2], k[3]), Attribute.ints("strides", s.strideH(), s.strideW()),
                Attribute.ints("pads", s.padH(), s.padW(), s.padH(), s.padW()), Attribute.ints("dilations", s.dilationH(), s.dilationW()),
                Attribute.of("group", (long) s.groups()));
    }

    /** {@code io.panrec.nn.MaxPool2d}: square window, stride and padding over the last two axes. */
    public String maxPool2d(String x, int kernel, int stride, int padding) {
        return node("MaxPool", List.of(x), Attribute.ints("kernel_shape", kernel, kernel), Attribute.ints("strides", stride, stride),
                Attribute.ints("pads", padding, padding, padding, padding));
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
            throw new IllegalStateException("ONNX graph '" + name + "': the value name '" + valueName + "' is used twice (an input "
                    + "named after a feature field clashes with another input or weight: rename the field)");
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
