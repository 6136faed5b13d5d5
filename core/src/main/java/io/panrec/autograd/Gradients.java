package io.panrec.autograd;

import io.panrec.backend.Backends;
import io.panrec.backend.ConvSpec;
import io.panrec.backend.PoolSpec;
import io.panrec.backend.UnaryOp;
import io.panrec.ops.Elementwise;
import io.panrec.ops.Indexing;
import io.panrec.ops.Linalg;
import io.panrec.ops.Reductions;
import io.panrec.ops.Shapes;
import io.panrec.tensor.Tensor;

import java.util.EnumMap;
import java.util.Map;

/**
 * The gradient rule of every {@link Op}, in one table apart from the forward code (as tinygrad keeps
 * its rules). Rules run with recording off and may use any op. A missing rule fails loudly when the
 * class loads, and a test checks each rule against finite differences.
 */
public final class Gradients {
    private static final Map<Op, GradRule> RULES = new EnumMap<>(Op.class);

    private Gradients() {
    }

    public static GradRule rule(Op op) {
        GradRule r = RULES.get(op);
        if (r == null) {
            throw new IllegalStateException("no gradient rule for " + op);
        }
        return r;
    }

    private static void rule(Op op, GradRule rule) {
        if (RULES.put(op, rule) != null) {
            throw new IllegalStateException("two gradient rules for " + op);
        }
    }

    static {
        // ---------------- elementwise: the adjoint of broadcasting is summing back to each input's shape
        rule(Op.ADD, (n, g, s) -> {
            s.dense(0, Reductions.sumTo(g, n.input(0).shape()));
            s.dense(1, Reductions.sumTo(g, n.input(1).shape()));
        });
        rule(Op.SUB, (n, g, s) -> {
            s.dense(0, Reductions.sumTo(g, n.input(0).shape()));
            if (s.wants(1)) {
                s.dense(1, Reductions.sumTo(Elementwise.neg(g), n.input(1).shape()));
            }
        });
        rule(Op.MUL, (n, g, s) -> {
            if (s.wants(0)) {
                s.dense(0, Reductions.sumTo(Elementwise.mul(g, n.input(1)), n.input(0).shape()));
            }
            if (s.wants(1)) {
                s.dense(1, Reductions.sumTo(Elementwise.mul(g, n.input(0)), n.input(1).shape()));
            }
        });
        rule(Op.DIV, (n, g, s) -> {
            Tensor b = n.input(1);
            if (s.wants(0)) {
                s.dense(0, Reductions.sumTo(Elementwise.div(g, b), n.input(0).shape()));
            }
            if (s.wants(1)) {
                // d(a/b)/db = -(a/b)/b
                s.dense(1, Reductions.sumTo(Elementwise.neg(Elementwise.div(Elementwise.mul(g, n.output()), b)), b.shape()));
            }
        });
        GradRule select = (n, g, s) -> {
            // ties go to the first input: mask = (out == a)
            Tensor a = n.input(0);
            Tensor toA = Elementwise.eq(n.output(), Shapes.broadcastView("maximum", a, n.output().shape()));
            if (s.wants(0)) {
                s.dense(0, Reductions.sumTo(Elementwise.mul(g, toA), a.shape()));
            }
            if (s.wants(1)) {
                s.dense(1, Reductions.sumTo(Elementwise.mul(g, Elementwise.rsub(1f, toA)), n.input(1).shape()));
            }
        };
        rule(Op.MAXIMUM, select);
        rule(Op.MINIMUM, select);
        rule(Op.UNARY, (n, g, s) -> {
            UnaryOp f = n.attr(0);
            float alpha = n.attr(1);
            Tensor x = n.input(0);
            Tensor gi = Tensor.zeros(x.device(), x.dtype(), x.shape());
            Backends.on("unary backward", x, g).unaryBackward(f, alpha, x, n.output(), g, gi);
            s.dense(0, gi);
        });

        // ---------------- linear algebra
        rule(Op.MATMUL, (n, g, s) -> {
            Tensor a = n.input(0);
            Tensor b = n.input(1);
            if (s.wants(0)) {
                s.dense(0, Reductions.sumTo(Linalg.matmul(g, b.transpose(-2, -1)), a.shape()));
            }
            if (s.wants(1)) {
                s.dense(1, Reductions.sumTo(Linalg.matmul(a.transpose(-2, -1), g), b.shape()));
            }
        });

        // ---------------- reductions: attrs = (axes, keep-dim-shaped output)
        rule(Op.SUM, (n, g, s) -> s.dense(0, spread(n, g)));
        rule(Op.MEAN, (n, g, s) -> {
            int[] axes = n.attr(0);
            long count = 1;
            for (int a : axes) {
                count *= n.input(0).shape(a);
            }
            s.dense(0, Elementwise.mul(spread(n, g), 1f / Math.max(count, 1)));
        });
        GradRule extreme = (n, g, s) -> {
            Tensor x = n.input(0);
            Tensor kept = n.attr(1);
            int[] axes = n.attr(0);
            Tensor hit = Elementwise.eq(x, Shapes.broadcastView("max", kept, x.shape()));
            Tensor count = Reductions.sum(hit, axes, true);
            Tensor share = Elementwise.div(Shapes.reshape(g, kept.shape()), count);
            s.dense(0, Elementwise.mul(hit, share));
        };
        rule(Op.MAX, extreme);
        rule(Op.MIN, extreme);
        rule(Op.SOFTMAX, (n, g, s) -> s.dense(0, softmaxGrad(n, g, false)));
        rule(Op.LOG_SOFTMAX, (n, g, s) -> s.dense(0, softmaxGrad(n, g, true)));
        rule(Op.LAYER_NORM, (n, g, s) -> {
            Tensor x = n.input(0);
            Tensor gamma = n.input(1);
            Tensor beta = n.input(2);
            Tensor gx = Tensor.zeros(x.device(), x.dtype(), x.shape());
            Tensor gg = gamma != null && s.wants(1) ? Tensor.zeros(x.device(), x.dtype(), gamma.shape()) : null;
            Tensor gb = beta != null && s.wants(2) ? Tensor.zeros(x.device(), x.dtype(), beta.shape()) : null;
            Backends.on("layerNorm backward", x, g).layerNormBackward(x, gamma, n.attr(0), n.attr(1), Shapes.rawContiguous(g), gx, gg, gb);
            s.dense(0, gx);
            if (gg != null) {
                s.dense(1, gg);
            }
            if (gb != null) {
                s.dense(2, gb);
            }
        });

        // ---------------- shapes
        rule(Op.RESHAPE, (n, g, s) -> s.dense(0, Shapes.reshape(g, n.input(0).shape())));
        rule(Op.CONTIGUOUS, (n, g, s) -> s.dense(0, g));
        rule(Op.PERMUTE, (n, g, s) -> {
            int[] perm = n.attr(0);
            int[] inverse = new int[perm.length];
            for (int i = 0; i < perm.length; i++) {
                inverse[perm[i]] = i;
            }
            s.dense(0, Shapes.permute(g, inverse));
        });
        rule(Op.SLICE, (n, g, s) -> {
            int dim = n.attr(0);
            int start = n.attr(1);
            Tensor x = n.input(0);
            Tensor gi = Tensor.zeros(x.device(), x.dtype(), x.shape());
            Backends.on("slice backward", g, gi).copy(g, Shapes.slice(gi, dim, start, start + g.shape(dim)));
            s.dense(0, gi);
        });
        rule(Op.EXPAND, (n, g, s) -> s.dense(0, Reductions.sumTo(g, n.input(0).shape())));
        rule(Op.CAST, (n, g, s) -> s.dense(0, Shapes.cast(g, n.input(0).dtype())));
        // attrs = (the input's device)
        rule(Op.TO_DEVICE, (n, g, s) -> s.dense(0, Shapes.toDevice(g, n.attr(0))));
        rule(Op.CONCAT, (n, g, s) -> {
            int dim = n.attr(0);
            int at = 0;
            for (int i = 0; i < n.inputCount(); i++) {
                int len = n.input(i).shape(dim);
                if (s.wants(i)) {
                    s.dense(i, Shapes.slice(g, dim, at, at + len));
                }
                at += len;
            }
        });

        // ---------------- indexing: attrs = (flat contiguous indices)
        rule(Op.GATHER_ROWS, (n, g, s) -> {
            Tensor flat = n.attr(0);
            Tensor rows = Shapes.reshape(g, flat.shape(0), n.input(0).shape(1));
            s.sparseRows(0, flat, Shapes.rawContiguous(rows));
        });
        rule(Op.SCATTER_ADD_ROWS, (n, g, s) -> {
            s.dense(0, g);
            if (s.wants(1)) {
                s.dense(1, Indexing.gatherRows(g, n.attr(0)));
            }
        });

        // ---------------- convolution and pooling: attrs = (spec)
        rule(Op.CONV2D, (n, g, s) -> {
            ConvSpec spec = n.attr(0);
            Tensor x = n.input(0);
            Tensor w = n.input(1);
            Tensor b = n.input(2);
            // the kernels overwrite their outputs (Backend#conv2dBackwardData/Weights), so no zero-fill, and a
            // gradient that is already contiguous is not copied: at ConvNCF's sizes both cost as much as a kernel
            Tensor gc = g.isContiguous() ? g : Shapes.rawContiguous(g);
            if (s.wants(0)) {
                Tensor gx = Tensor.empty(x.device(), x.dtype(), x.shape()); // every backend writes all of it
                Backends.on("conv2d backward", gc, w).conv2dBackwardData(gc, w, gx, spec);
                s.dense(0, gx);
            }
            boolean wantB = b != null && s.wants(2);
            if (s.wants(1) || wantB) {
                Tensor gw = Tensor.empty(w.device(), w.dtype(), w.shape());
                Tensor gb = wantB ? Tensor.empty(b.device(), b.dtype(), b.shape()) : null;
                Backends.on("conv2d backward", x, gc).conv2dBackwardWeights(x, gc, gw, gb, spec);
                s.dense(1, gw);
                if (gb != null) {
                    s.dense(2, gb);
                }
            }
        });
        rule(Op.POOL2D, (n, g, s) -> {
            PoolSpec spec = n.attr(0);
            Tensor x = n.input(0);
            Tensor gx = Tensor.zeros(x.device(), x.dtype(), x.shape());
            Backends.on("pool2d backward", x, g).pool2dBackward(spec, x, n.output(), Shapes.rawContiguous(g), gx);
            s.dense(0, gx);
        });

        for (Op op : Op.values()) {
            if (!RULES.containsKey(op)) {
                throw new ExceptionInInitializerError("no gradient rule for " + op);
            }
        }
    }

    /** Broadcasts the gradient of a reduction back over the reduced axes. */
    private static Tensor spread(Node n, Tensor g) {
        Tensor kept = n.attr(1);
        Tensor x = n.input(0);
        return Shapes.broadcastView("sum", Shapes.reshape(g, kept.shape()), x.shape());
    }

    private static Tensor softmaxGrad(Node n, Tensor g, boolean log) {
        int axis = n.attr(0);
        Tensor x = n.input(0);
        Tensor gi = Tensor.zeros(x.device(), x.dtype(), x.shape());
        Backends.on("softmax backward", x, g).softmaxBackward(n.output(), g, axis, log, gi);
        return gi;
    }
}
