package io.panrec.optim;

import io.panrec.backend.BinaryOp;
import io.panrec.tensor.Tensor;

import java.util.List;

/**
 * Adagrad (Duchi, Hazan and Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic
 * Optimization", JMLR 2011), as PyTorch's {@code torch.optim.Adagrad}:
 * <pre>
 *   g   = grad + weightDecay * p
 *   clr = lr / (1 + (t - 1) * lrDecay)
 *   sum = sum + g * g                   (sum starts at initialAccumulator)
 *   p   = p - clr * g / (sqrt(sum) + eps)
 * </pre>
 * A favourite for sparse embeddings: with a row-sparse gradient (and no weight decay) the update of
 * the touched rows equals the dense update exactly, and untouched rows would not move anyway.
 */
public class Adagrad extends Optimizer {
    private static final String[] STATE = {"sum"};

    /** Hyperparameters; PyTorch's defaults from {@link #of(double)}. */
    public record Config(double lr, double lrDecay, double weightDecay, double initialAccumulator, double eps) {
        public Config {
            Optimizer.check("Adagrad", "lr", lr, 0, Double.MAX_VALUE, false);
            Optimizer.check("Adagrad", "lrDecay", lrDecay, 0, Double.MAX_VALUE, false);
            Optimizer.check("Adagrad", "weightDecay", weightDecay, 0, Double.MAX_VALUE, false);
            Optimizer.check("Adagrad", "initialAccumulator", initialAccumulator, 0, Double.MAX_VALUE, false);
            Optimizer.check("Adagrad", "eps", eps, 0, Double.MAX_VALUE, false);
        }

        /** No lr decay, no weight decay, accumulator starting at 0, eps 1e-10. */
        public static Config of(double lr) {
            return new Config(lr, 0, 0, 0, 1e-10);
        }

        public Config withLrDecay(double value) {
            return new Config(lr, value, weightDecay, initialAccumulator, eps);
        }

        public Config withWeightDecay(double value) {
            return new Config(lr, lrDecay, value, initialAccumulator, eps);
        }

        public Config withInitialAccumulator(double value) {
            return new Config(lr, lrDecay, weightDecay, value, eps);
        }

        public Config withEps(double value) {
            return new Config(lr, lrDecay, weightDecay, initialAccumulator, value);
        }
    }

    private final Config config;
    private double clr;

    public Adagrad(List<Tensor> params, double lr) {
        this(params, Config.of(lr));
    }

    public Adagrad(List<Tensor> params, Config config) {
        super("Adagrad", params, config.lr());
        this.config = config;
    }

    public Config config() {
        return config;
    }

    @Override
    protected String[] stateNames() {
        return STATE;
    }

    @Override
    protected double initialState(int k) {
        return config.initialAccumulator();
    }

    @Override
    protected void prepare(long step) {
        clr = lr() / (1 + (step - 1) * config.lrDecay());
    }

    @Override
    protected void kernel(float[] p, float[] g, float[][] s, int len) {
        float wd = (float) config.weightDecay();
        float eps = (float) config.eps();
        float c = (float) clr;
        float[] sum = s[0];
        addWeightDecay(g, p, wd, len);
        for (int i = 0; i < len; i++) {
            float gi = g[i];
            float si = sum[i] + gi * gi;
            sum[i] = si;
            p[i] -= c * gi / ((float) Math.sqrt(si) + eps);
        }
    }

    @Override
    protected boolean supportsDevice() {
        return true;
    }

    @Override
    protected void deviceKernel(DeviceMath m, Tensor p, Tensor g, Tensor[] s) {
        double wd = config.weightDecay();
        Tensor grad = withWeightDecay(m, g, p, wd);
        Tensor sum = s[0];
        m.into(BinaryOp.ADD, sum, m.mul(grad, grad), sum);
        m.into(BinaryOp.SUB, p, m.div(m.mul(grad, clr), m.add(m.sqrt(sum), config.eps())), p);
    }

    @Override
    protected void kernel(double[] p, double[] g, double[][] s, int len) {
        double wd = config.weightDecay();
        double eps = config.eps();
        double c = clr;
        double[] sum = s[0];
        addWeightDecay(g, p, wd, len);
        for (int i = 0; i < len; i++) {
            double gi = g[i];
            double si = sum[i] + gi * gi;
            sum[i] = si;
            p[i] -= c * gi / (Math.sqrt(si) + eps);
        }
    }
}
