package io.panrec.optim;

import io.panrec.backend.BinaryOp;
import io.panrec.tensor.Tensor;

import java.util.List;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) with bias correction and
 * weight decay added to the gradient as an L2 penalty, as PyTorch's {@code torch.optim.Adam}:
 * <pre>
 *   g = grad + weightDecay * p
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g * g
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * where t counts the updates this parameter received. For a row-sparse gradient only the touched rows'
 * moments and values change, as PyTorch's {@code SparseAdam}: moments of untouched rows do not decay,
 * and t still advances once per step in which the table had any row (see {@link Optimizer}).
 * {@link AdamW} decouples the weight decay instead.
 */
public class Adam extends Optimizer {
    private static final String[] STATE = {"exp_avg", "exp_avg_sq"};

    /** Hyperparameters; PyTorch's defaults from {@link #defaults()} or {@link #of(double)}. */
    public record Config(double lr, double beta1, double beta2, double eps, double weightDecay) {
        public Config {
            Optimizer.check("Adam", "lr", lr, 0, Double.MAX_VALUE, false);
            Optimizer.check("Adam", "beta1", beta1, 0, 1, true);
            Optimizer.check("Adam", "beta2", beta2, 0, 1, true);
            Optimizer.check("Adam", "eps", eps, 0, Double.MAX_VALUE, false);
            Optimizer.check("Adam", "weightDecay", weightDecay, 0, Double.MAX_VALUE, false);
        }

        /** lr 1e-3, betas (0.9, 0.999), eps 1e-8, no weight decay. */
        public static Config defaults() {
            return new Config(1e-3, 0.9, 0.999, 1e-8, 0);
        }

        public static Config of(double lr) {
            return defaults().withLr(lr);
        }

        public Config withLr(double value) {
            return new Config(value, beta1, beta2, eps, weightDecay);
        }

        public Config withBetas(double b1, double b2) {
            return new Config(lr, b1, b2, eps, weightDecay);
        }

        public Config withEps(double value) {
            return new Config(lr, beta1, beta2, value, weightDecay);
        }

        public Config withWeightDecay(double value) {
            return new Config(lr, beta1, beta2, eps, value);
        }
    }

    private final Config config;
    private final boolean decoupled;
    // set by prepare() for the parameter being updated
    private double stepSize;
    private double bc2Sqrt;

    public Adam(List<Tensor> params, double lr) {
        this(params, Config.of(lr));
    }

    public Adam(List<Tensor> params, Config config) {
        this("Adam", params, config, false);
    }

    Adam(String kind, List<Tensor> params, Config config, boolean decoupled) {
        super(kind, params, config.lr());
        this.config = config;
        this.decoupled = decoupled;
    }

    public Config config() {
        return config;
    }

    @Override
    protected String[] stateNames() {
        return STATE;
    }

    @Override
    protected void prepare(long step) {
        double bc1 = 1 - Math.pow(config.beta1(), step);
        double bc2 = 1 - Math.pow(config.beta2(), step);
        stepSize = lr() / bc1;
        bc2Sqrt = Math.sqrt(bc2);
    }

    @Override
    protected void kernel(float[] p, float[] g, float[][] s, int len) {
        float b1 = (float) config.beta1();
        float b2 = (float) config.beta2();
        float c1 = (float) (1 - config.beta1());
        float c2 = (float) (1 - config.beta2());
        float eps = (float) config.eps();
        float step = (float) stepSize;
        float bc2s = (float) bc2Sqrt;
        float wd = (float) config.weightDecay();
        float[] m = s[0];
        float[] v = s[1];
        if (wd != 0) {
            if (decoupled) {
                float keep = (float) (1 - lr() * config.weightDecay());
                for (int i = 0; i < len; i++) {
                    p[i] *= keep;
                }
            } else {
                addWeightDecay(g, p, wd, len);
            }
        }
        for (int i = 0; i < len; i++) {
            float gi = g[i];
            float mi = b1 * m[i] + c1 * gi;
            float vi = b2 * v[i] + c2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] -= step * mi / ((float) Math.sqrt(vi) / bc2s + eps);
        }
    }

    @Override
    protected boolean supportsDevice() {
        return true;
    }

    @Override
    protected void deviceKernel(DeviceMath m, Tensor p, Tensor g, Tensor[] s) {
        double wd = config.weightDecay();
        Tensor grad = g;
        if (wd != 0) {
            if (decoupled) {
                m.into(BinaryOp.MUL, p, m.scalar(1 - lr() * wd), p);
            } else {
                grad = withWeightDecay(m, g, p, wd);
            }
        }
        Tensor mo = s[0];
        Tensor v = s[1];
        m.into(BinaryOp.ADD, m.mul(mo, config.beta1()), m.mul(grad, 1 - config.beta1()), mo);
        m.into(BinaryOp.ADD, m.mul(v, config.beta2()), m.mul(m.mul(grad, 1 - config.beta2()), grad), v);
        Tensor denom = m.add(m.div(m.sqrt(v), bc2Sqrt), config.eps());
        m.into(BinaryOp.SUB, p, m.div(m.mul(mo, stepSize), denom), p);
    }

    @Override
    protected void kernel(double[] p, double[] g, double[][] s, int len) {
        double b1 = config.beta1();
        double b2 = config.beta2();
        double c1 = 1 - b1;
        double c2 = 1 - b2;
        double eps = config.eps();
        double step = stepSize;
        double bc2s = bc2Sqrt;
        double wd = config.weightDecay();
        double[] m = s[0];
        double[] v = s[1];
        if (wd != 0) {
            if (decoupled) {
                double keep = 1 - lr() * wd;
                for (int i = 0; i < len; i++) {
                    p[i] *= keep;
                }
            } else {
                addWeightDecay(g, p, wd, len);
            }
        }
        for (int i = 0; i < len; i++) {
            double gi = g[i];
            double mi = b1 * m[i] + c1 * gi;
            double vi = b2 * v[i] + c2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] -= step * mi / (Math.sqrt(vi) / bc2s + eps);
        }
    }
}
