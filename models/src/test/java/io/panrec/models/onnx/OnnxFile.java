package io.panrec.models.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An ONNX model as the export tests read it with {@link ProtoReader} (never with ONNX Runtime, a
 * bench-only dependency), and a small interpreter of the ops panrec exports, written from the operator
 * specifications (numpy broadcasting, opset 17 signatures), so that a wrongly wired graph gives other
 * numbers than the model's {@code predict}. Float ops round to float after each op, as a float32 runtime
 * does; Gemm and MatMul accumulate in double.
 */
final class OnnxFile {
    long irVersion;
    long opset;
    /** "name:elemType:dim,dim" of each graph input and output. */
    final List<String> inputs = new ArrayList<>();
    final List<String> outputs = new ArrayList<>();
    final Map<String, float[]> initializers = new LinkedHashMap<>();
    final Map<String, long[]> longInitializers = new LinkedHashMap<>();
    final Map<String, long[]> dims = new HashMap<>();
    final List<Node> nodes = new ArrayList<>();
    final Map<String, String> metadata = new HashMap<>();
    final List<String> outputNames = new ArrayList<>();

    /** An attribute: an int, a float or a list of ints (whichever the type says). */
    record Attr(long i, float f, long[] ints) {
    }

    record Node(String op, List<String> in, String out, Map<String, Attr> attrs) {
        long i(String name, long otherwise) {
            Attr a = attrs.get(name);
            return a == null ? otherwise : a.i;
        }

        long[] ints(String name) {
            Attr a = attrs.get(name);
            return a == null ? null : a.ints;
        }
    }

    /** A tensor value: float data or int64 data (BOOL as 0/1 longs) and its shape. */
    record T(int type, int[] shape, float[] f, long[] l) {
        static T floats(float[] v, int... shape) {
            assertEquals(count(shape), v.length, "values for " + Arrays.toString(shape));
            return new T(OnnxGraph.FLOAT, shape, v, null);
        }

        static T longs(long[] v, int... shape) {
            assertEquals(count(shape), v.length, "values for " + Arrays.toString(shape));
            return new T(OnnxGraph.INT64, shape, null, v);
        }

        int size() {
            return count(shape);
        }

        boolean isFloat() {
            return type == OnnxGraph.FLOAT;
        }

        double get(int k) {
            return isFloat() ? f[k] : l[k];
        }

        static int count(int[] shape) {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }
    }

    static OnnxFile read(byte[] bytes) {
        OnnxFile p = new OnnxFile();
        for (ProtoReader.Field f : ProtoReader.fields(bytes)) {
            switch (f.number()) {
                case 1 -> p.irVersion = f.value();
                case 7 -> p.graph(f.message());
                case 8 -> f.message().stream().filter(x -> x.number() == 2).forEach(x -> p.opset = x.value());
                case 14 -> {
                    List<ProtoReader.Field> kv = f.message();
                    p.metadata.put(kv.get(0).string(), kv.get(1).string());
                }
                default -> { }
            }
        }
        return p;
    }

    private void graph(List<ProtoReader.Field> g) {
        for (ProtoReader.Field f : g) {
            switch (f.number()) {
                case 1 -> node(f.message());
                case 5 -> tensor(f.message());
                case 11 -> inputs.add(valueInfo(f.message()));
                case 12 -> {
                    outputs.add(valueInfo(f.message()));
                    outputNames.add(f.message().get(0).string());
                }
                default -> { }
            }
        }
    }

    private void node(List<ProtoReader.Field> n) {
        List<String> in = new ArrayList<>();
        String out = null;
        String op = null;
        Map<String, Attr> attrs = new HashMap<>();
        for (ProtoReader.Field f : n) {
            switch (f.number()) {
                case 1 -> in.add(f.string());
                case 2 -> out = f.string();
                case 4 -> op = f.string();
                case 5 -> {
                    String an = null;
                    long i = 0;
                    float fl = 0;
                    List<Long> ints = new ArrayList<>();
                    for (ProtoReader.Field a : f.message()) {
                        switch (a.number()) {
                            case 1 -> an = a.string();
                            case 2 -> fl = a.float32();
                            case 3 -> i = a.value();
                            case 8 -> ints.add(a.value());
                            default -> { }
                        }
                    }
                    attrs.put(an, new Attr(i, fl, ints.stream().mapToLong(Long::longValue).toArray()));
                }
                default -> { }
            }
        }
        nodes.add(new Node(op, in, out, attrs));
    }

    private void tensor(List<ProtoReader.Field> t) {
        List<Long> d = new ArrayList<>();
        String name = null;
        long type = 0;
        byte[] raw = null;
        for (ProtoReader.Field f : t) {
            switch (f.number()) {
                case 1 -> d.add(f.value());
                case 2 -> type = f.value();
                case 8 -> name = f.string();
                case 9 -> raw = f.bytes();
                default -> { }
            }
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        dims.put(name, d.stream().mapToLong(Long::longValue).toArray());
        if (type == OnnxGraph.FLOAT) {
            float[] v = new float[raw.length / 4];
            b.asFloatBuffer().get(v);
            initializers.put(name, v);
        } else {
            assertEquals(OnnxGraph.INT64, type, name);
            long[] v = new long[raw.length / 8];
            b.asLongBuffer().get(v);
            longInitializers.put(name, v);
        }
    }

    private static String valueInfo(List<ProtoReader.Field> v) {
        String name = v.get(0).string();
        List<ProtoReader.Field> tensorType = v.get(1).message().get(0).message();
        long elem = tensorType.get(0).value();
        List<String> ds = new ArrayList<>();
        for (ProtoReader.Field dim : tensorType.get(1).message()) {
            ProtoReader.Field x = dim.message().get(0);
            ds.add(x.number() == 2 ? x.string() : Long.toString(x.value()));
        }
        return name + ":" + elem + ":" + String.join(",", ds);
    }

    /** The op types of the nodes, in order. */
    List<String> ops() {
        return nodes.stream().map(Node::op).toList();
    }

    /** Runs the graph on {@code feeds} (every graph input); returns every graph output by name. */
    Map<String, T> run(Map<String, T> feeds) {
        Map<String, T> values = new HashMap<>();
        initializers.forEach((k, v) -> values.put(k, new T(OnnxGraph.FLOAT, ints(dims.get(k)), v, null)));
        longInitializers.forEach((k, v) -> values.put(k, new T(OnnxGraph.INT64, ints(dims.get(k)), null, v)));
        for (String in : inputs) {
            String name = in.substring(0, in.indexOf(':'));
            T t = feeds.get(name);
            assertTrue(t != null, "no feed for input " + name);
            assertEquals(Integer.parseInt(in.split(":")[1]), t.type, "type of input " + name);
            values.put(name, t);
        }
        for (Node n : nodes) {
            List<T> in = n.in.stream().map(x -> {
                T t = values.get(x);
                assertTrue(t != null, n.op + " reads '" + x + "', which nothing produced before it");
                return t;
            }).toList();
            values.put(n.out, apply(n, in));
        }
        Map<String, T> out = new LinkedHashMap<>();
        for (String o : outputNames) {
            out.put(o, values.get(o));
        }
        return out;
    }

    private static int[] ints(long[] d) {
        return Arrays.stream(d).mapToInt(x -> (int) x).toArray();
    }

    // ------------------------------------------------------------------ the ops

    private static T apply(Node n, List<T> in) {
        return switch (n.op) {
            case "Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Less", "Greater" -> binary(n.op, in.get(0), in.get(1));
            case "Relu", "Sigmoid", "Tanh", "Abs", "Sqrt", "Identity", "LeakyRelu" -> unary(n, in.get(0));
            case "Where" -> where(in.get(0), in.get(1), in.get(2));
            case "Cast" -> cast(in.get(0), (int) n.i("to", -1));
            case "Gather" -> gather(in.get(0), in.get(1), (int) n.i("axis", 0));
            case "Unsqueeze" -> unsqueeze(in.get(0), in.get(1).l);
            case "Concat" -> concat(in, (int) n.i("axis", 0));
            case "Reshape" -> reshape(in.get(0), in.get(1).l);
            case "ReduceSum" -> reduce(in.get(0), in.get(1).l, n.i("keepdims", 1) == 1, false);
            case "ReduceMax" -> reduce(in.get(0), n.ints("axes"), n.i("keepdims", 1) == 1, true);
            case "Gemm" -> gemm(n, in);
            case "MatMul" -> matmul(in.get(0), in.get(1));
            case "Shape" -> T.longs(Arrays.stream(in.get(0).shape).asLongStream().toArray(), in.get(0).shape.length);
            case "Range" -> range(in.get(0), in.get(1), in.get(2));
            case "Conv" -> conv(n, in);
            case "MaxPool" -> maxPool(n, in.get(0));
            default -> throw new AssertionError("the test interpreter has no op " + n.op);
        };
    }

    private static int[] broadcast(int[]... shapes) {
        int rank = Arrays.stream(shapes).mapToInt(s -> s.length).max().orElse(0);
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        for (int[] s : shapes) {
            for (int k = 0; k < s.length; k++) {
                int o = rank - s.length + k;
                if (s[k] != 1) {
                    assertTrue(out[o] == 1 || out[o] == s[k], "shapes do not broadcast: " + Arrays.deepToString(shapes));
                    out[o] = s[k];
                }
            }
        }
        return out;
    }

    /** The flat index in a tensor of {@code shape} that broadcasts to {@code out}'s element {@code flat}. */
    private static int source(int[] shape, int[] out, int flat) {
        int idx = 0;
        int stride = 1;
        for (int k = out.length - 1, s = shape.length - 1; k >= 0; k--, s--) {
            int coord = flat % out[k];
            flat /= out[k];
            if (s >= 0) {
                if (shape[s] != 1) {
                    idx += coord * stride;
                }
                stride *= shape[s];
            }
        }
        return idx;
    }

    private static T binary(String op, T a, T b) {
        assertEquals(a.type, b.type, op + " mixes element types");
        int[] shape = broadcast(a.shape, b.shape);
        int n = T.count(shape);
        boolean compare = op.equals("Less") || op.equals("Greater");
        if (a.isFloat() && !compare) {
            float[] out = new float[n];
            for (int k = 0; k < n; k++) {
                float x = a.f[source(a.shape, shape, k)];
                float y = b.f[source(b.shape, shape, k)];
                out[k] = switch (op) {
                    case "Add" -> x + y;
                    case "Sub" -> x - y;
                    case "Mul" -> x * y;
                    case "Div" -> x / y;
                    case "Max" -> Math.max(x, y);
                    case "Min" -> Math.min(x, y);
                    case "Pow" -> (float) Math.pow(x, y);
                    default -> throw new AssertionError(op);
                };
            }
            return new T(OnnxGraph.FLOAT, shape, out, null);
        }
        long[] out = new long[n];
        for (int k = 0; k < n; k++) {
            double x = a.get(source(a.shape, shape, k));
            double y = b.get(source(b.shape, shape, k));
            long xl = a.isFloat() ? 0 : a.l[source(a.shape, shape, k)];
            long yl = b.isFloat() ? 0 : b.l[source(b.shape, shape, k)];
            out[k] = switch (op) {
                case "Less" -> x < y ? 1 : 0;
                case "Greater" -> x > y ? 1 : 0;
                case "Add" -> xl + yl;
                case "Sub" -> xl - yl;
                case "Mul" -> xl * yl;
                case "Max" -> Math.max(xl, yl);
                case "Min" -> Math.min(xl, yl);
                default -> throw new AssertionError(op + " on int64");
            };
        }
        return new T(compare ? OnnxGraph.BOOL : OnnxGraph.INT64, shape, null, out);
    }

    private static T unary(Node n, T a) {
        if (n.op.equals("Identity")) {
            return a;
        }
        assertTrue(a.isFloat(), n.op + " of a non-float tensor");
        float[] out = new float[a.size()];
        for (int k = 0; k < out.length; k++) {
            float x = a.f[k];
            out[k] = switch (n.op) {
                case "Relu" -> Math.max(0, x);
                case "Sigmoid" -> (float) (1 / (1 + Math.exp(-x)));
                case "Tanh" -> (float) Math.tanh(x);
                case "Abs" -> Math.abs(x);
                case "Sqrt" -> (float) Math.sqrt(x);
                case "LeakyRelu" -> x >= 0 ? x : x * n.attrs.get("alpha").f;
                default -> throw new AssertionError(n.op);
            };
        }
        return new T(OnnxGraph.FLOAT, a.shape, out, null);
    }

    private static T where(T c, T a, T b) {
        assertEquals(OnnxGraph.BOOL, c.type, "Where's condition must be bool");
        assertEquals(a.type, b.type, "Where mixes element types");
        int[] shape = broadcast(c.shape, a.shape, b.shape);
        int n = T.count(shape);
        float[] f = a.isFloat() ? new float[n] : null;
        long[] l = a.isFloat() ? null : new long[n];
        for (int k = 0; k < n; k++) {
            T from = c.l[source(c.shape, shape, k)] != 0 ? a : b;
            int s = source(from.shape, shape, k);
            if (f != null) {
                f[k] = from.f[s];
            } else {
                l[k] = from.l[s];
            }
        }
        return new T(a.type, shape, f, l);
    }

    private static T cast(T x, int to) {
        int n = x.size();
        if (to == OnnxGraph.FLOAT) {
            float[] out = new float[n];
            for (int k = 0; k < n; k++) {
                out[k] = (float) x.get(k);
            }
            return new T(to, x.shape, out, null);
        }
        long[] out = new long[n];
        for (int k = 0; k < n; k++) {
            out[k] = to == OnnxGraph.BOOL ? (x.get(k) != 0 ? 1 : 0) : (long) x.get(k);
        }
        return new T(to, x.shape, null, out);
    }

    private static T gather(T data, T indices, int axis) {
        assertEquals(OnnxGraph.INT64, indices.type, "Gather indices must be int64");
        int r = data.shape.length;
        axis = axis < 0 ? axis + r : axis;
        int outer = 1;
        for (int k = 0; k < axis; k++) {
            outer *= data.shape[k];
        }
        int inner = 1;
        for (int k = axis + 1; k < r; k++) {
            inner *= data.shape[k];
        }
        int dim = data.shape[axis];
        int ni = indices.size();
        int[] shape = new int[r - 1 + indices.shape.length];
        System.arraycopy(data.shape, 0, shape, 0, axis);
        System.arraycopy(indices.shape, 0, shape, axis, indices.shape.length);
        System.arraycopy(data.shape, axis + 1, shape, axis + indices.shape.length, r - axis - 1);
        int n = outer * ni * inner;
        float[] f = data.isFloat() ? new float[n] : null;
        long[] l = data.isFloat() ? null : new long[n];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < ni; i++) {
                long idx = indices.l[i];
                assertTrue(idx >= -dim && idx < dim, "Gather index " + idx + " outside [-" + dim + ", " + dim + ")");
                int j = (int) (idx < 0 ? idx + dim : idx);
                int from = (o * dim + j) * inner;
                int to = (o * ni + i) * inner;
                if (f != null) {
                    System.arraycopy(data.f, from, f, to, inner);
                } else {
                    System.arraycopy(data.l, from, l, to, inner);
                }
            }
        }
        return new T(data.type, shape, f, l);
    }

    private static T unsqueeze(T x, long[] axes) {
        int rank = x.shape.length + axes.length;
        boolean[] added = new boolean[rank];
        for (long a : axes) {
            added[(int) (a < 0 ? a + rank : a)] = true;
        }
        int[] shape = new int[rank];
        for (int k = 0, s = 0; k < rank; k++) {
            shape[k] = added[k] ? 1 : x.shape[s++];
        }
        return new T(x.type, shape, x.f, x.l);
    }

    private static T reshape(T x, long[] spec) {
        int[] shape = new int[spec.length];
        int infer = -1;
        int known = 1;
        for (int k = 0; k < spec.length; k++) {
            if (spec[k] == -1) {
                infer = k;
                continue;
            }
            shape[k] = spec[k] == 0 ? x.shape[k] : (int) spec[k];
            known *= shape[k];
        }
        if (infer >= 0) {
            shape[infer] = x.size() / known;
        }
        assertEquals(x.size(), T.count(shape), "Reshape " + Arrays.toString(x.shape) + " to " + Arrays.toString(spec));
        return new T(x.type, shape, x.f, x.l);
    }

    private static T concat(List<T> in, int axis) {
        int r = in.getFirst().shape.length;
        axis = axis < 0 ? axis + r : axis;
        int[] shape = in.getFirst().shape.clone();
        shape[axis] = 0;
        for (T t : in) {
            assertEquals(r, t.shape.length, "Concat ranks");
            for (int k = 0; k < r; k++) {
                assertTrue(k == axis || t.shape[k] == shape[k], "Concat shapes " + Arrays.toString(t.shape));
            }
            shape[axis] += t.shape[axis];
        }
        int outer = 1;
        for (int k = 0; k < axis; k++) {
            outer *= shape[k];
        }
        int inner = 1;
        for (int k = axis + 1; k < r; k++) {
            inner *= shape[k];
        }
        float[] out = new float[T.count(shape)];
        int at = 0;
        for (int o = 0; o < outer; o++) {
            for (T t : in) {
                assertTrue(t.isFloat(), "Concat of floats only here");
                int len = t.shape[axis] * inner;
                System.arraycopy(t.f, o * len, out, at, len);
                at += len;
            }
        }
        return new T(OnnxGraph.FLOAT, shape, out, null);
    }

    private static T reduce(T x, long[] axesSpec, boolean keep, boolean max) {
        assertTrue(x.isFloat(), "reductions of floats only here");
        int r = x.shape.length;
        boolean[] reduced = new boolean[r];
        for (long a : axesSpec) {
            reduced[(int) (a < 0 ? a + r : a)] = true;
        }
        int[] kept = new int[r];
        for (int k = 0; k < r; k++) {
            kept[k] = reduced[k] ? 1 : x.shape[k];
        }
        float[] out = new float[T.count(kept)];
        Arrays.fill(out, max ? Float.NEGATIVE_INFINITY : 0f);
        // every element adds into its kept coordinates, in row-major order (the order a runtime sums in)
        for (int k = 0; k < x.size(); k++) {
            int rem = k;
            int idx = 0;
            int stride = 1;
            for (int d = r - 1; d >= 0; d--) {
                int coord = rem % x.shape[d];
                rem /= x.shape[d];
                if (!reduced[d]) {
                    idx += coord * stride;
                }
                stride *= kept[d];
            }
            out[idx] = max ? Math.max(out[idx], x.f[k]) : out[idx] + x.f[k];
        }
        int[] shape = keep ? kept : Arrays.stream(java.util.stream.IntStream.range(0, r).filter(d -> !reduced[d]).toArray())
                .map(d -> x.shape[d]).toArray();
        return new T(OnnxGraph.FLOAT, shape, out, null);
    }

    private static T gemm(Node n, List<T> in) {
        assertEquals(1L, n.i("transB", 0), "Gemm as panrec writes it: transB = 1");
        assertEquals(0L, n.i("transA", 0));
        assertTrue(!n.attrs.containsKey("alpha") && !n.attrs.containsKey("beta"), "Gemm without alpha and beta");
        T x = in.get(0);
        T w = in.get(1);
        assertEquals(2, x.shape.length, "Gemm's A is a matrix");
        assertEquals(x.shape[1], w.shape[1], "Gemm inner dimension");
        int rows = x.shape[0];
        int cols = w.shape[0];
        int inner = x.shape[1];
        T bias = in.size() > 2 ? in.get(2) : null;
        float[] out = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int k = 0; k < inner; k++) {
                    s += (double) x.f[i * inner + k] * w.f[j * inner + k];
                }
                if (bias != null) {
                    s += bias.f[source(bias.shape, new int[] {rows, cols}, i * cols + j)];
                }
                out[i * cols + j] = (float) s;
            }
        }
        return T.floats(out, rows, cols);
    }

    private static T matmul(T a, T b) {
        assertTrue(a.shape.length == 2 && b.shape.length == 2, "MatMul of matrices only here");
        assertEquals(a.shape[1], b.shape[0], "MatMul inner dimension");
        int rows = a.shape[0];
        int cols = b.shape[1];
        int inner = a.shape[1];
        float[] out = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int k = 0; k < inner; k++) {
                    s += (double) a.f[i * inner + k] * b.f[k * cols + j];
                }
                out[i * cols + j] = (float) s;
            }
        }
        return T.floats(out, rows, cols);
    }

    private static T range(T start, T limit, T delta) {
        assertTrue(start.shape.length == 0 && limit.shape.length == 0 && delta.shape.length == 0, "Range takes scalars");
        int n = (int) Math.max(0, Math.ceil((limit.l[0] - start.l[0]) / (double) delta.l[0]));
        long[] out = new long[n];
        for (int k = 0; k < n; k++) {
            out[k] = start.l[0] + k * delta.l[0];
        }
        return T.longs(out, n);
    }

    private static T conv(Node n, List<T> in) {
        T x = in.get(0);
        T w = in.get(1);
        T b = in.size() > 2 ? in.get(2) : null;
        long[] k = n.ints("kernel_shape");
        long[] s = n.ints("strides");
        long[] p = n.ints("pads");
        long[] d = n.ints("dilations");
        assertEquals(1L, n.i("group", 1), "Conv with one group only here");
        assertEquals(w.shape[2], k[0]);
        assertEquals(w.shape[3], k[1]);
        assertTrue(p[0] == p[2] && p[1] == p[3], "symmetric pads");
        int batch = x.shape[0];
        int c = x.shape[1];
        int h = x.shape[2];
        int wd = x.shape[3];
        int o = w.shape[0];
        assertEquals(c, w.shape[1], "Conv input channels");
        int oh = (int) ((h + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0] + 1);
        int ow = (int) ((wd + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1] + 1);
        float[] out = new float[batch * o * oh * ow];
        for (int nb = 0; nb < batch; nb++) {
            for (int oc = 0; oc < o; oc++) {
                for (int y = 0; y < oh; y++) {
                    for (int z = 0; z < ow; z++) {
                        double sum = b == null ? 0 : b.f[oc];
                        for (int ic = 0; ic < c; ic++) {
                            for (int ky = 0; ky < k[0]; ky++) {
                                for (int kz = 0; kz < k[1]; kz++) {
                                    long iy = y * s[0] - p[0] + ky * d[0];
                                    long iz = z * s[1] - p[1] + kz * d[1];
                                    if (iy >= 0 && iy < h && iz >= 0 && iz < wd) {
                                        sum += (double) x.f[((nb * c + ic) * h + (int) iy) * wd + (int) iz]
                                                * w.f[((oc * c + ic) * (int) k[0] + ky) * (int) k[1] + kz];
                                    }
                                }
                            }
                        }
                        out[((nb * o + oc) * oh + y) * ow + z] = (float) sum;
                    }
                }
            }
        }
        return T.floats(out, batch, o, oh, ow);
    }

    private static T maxPool(Node n, T x) {
        long[] k = n.ints("kernel_shape");
        long[] s = n.ints("strides");
        long[] p = n.ints("pads");
        assertEquals(0L, n.i("ceil_mode", 0));
        int batch = x.shape[0];
        int c = x.shape[1];
        int h = x.shape[2];
        int wd = x.shape[3];
        int oh = (int) ((h + p[0] + p[2] - k[0]) / s[0] + 1);
        int ow = (int) ((wd + p[1] + p[3] - k[1]) / s[1] + 1);
        float[] out = new float[batch * c * oh * ow];
        for (int nc = 0; nc < batch * c; nc++) {
            for (int y = 0; y < oh; y++) {
                for (int z = 0; z < ow; z++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < k[0]; ky++) {
                        for (int kz = 0; kz < k[1]; kz++) {
                            long iy = y * s[0] - p[0] + ky;
                            long iz = z * s[1] - p[1] + kz;
                            if (iy >= 0 && iy < h && iz >= 0 && iz < wd) {
                                m = Math.max(m, x.f[(nc * h + (int) iy) * wd + (int) iz]);
                            }
                        }
                    }
                    out[(nc * oh + y) * ow + z] = m;
                }
            }
        }
        return T.floats(out, batch, c, oh, ow);
    }
}
