package io.panrec.optim;

import io.panrec.backend.BinaryOp;
import io.panrec.tensor.Tensor;

import java.util.List;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay, with the
 * update of PyTorch's {@code torch.optim.SGD} (dampening 0):
 * <pre>
 *   g   = grad + weightDecay * p
 *   buf = momentum * buf + g            (buf starts at 0, so the first step has buf = g)
 *   g   = nesterov ? g + momentum * buf : buf
 *   p   = p - lr * g
 * </pre>
 * Without momentum there is no state. With a row-sparse gradient only the touched rows are updated
 * (see {@link Optimizer}): without momentum and weight decay that equals the dense step exactly; with
 * them it is the usual lazy variant (untouched rows keep their momentum buffer and are not decayed).
 */
public class SGD extends Optimizer {
    private static final String[] MOMENTUM = {"momentum_buffer"};
    private static final String[] NONE = {};

    /** Hyperparameters; {@link #of(double)} gives plain SGD, the withers add the rest. */
    public record Config(double lr, double momentum, boolean nesterov, double weightDecay) {
        public Config {
            Optimizer.check("SGD", "lr", lr, 0, Double.MAX_VALUE, false);
            Optimizer.check("SGD", "momentum", momentum, 0, 1, false);
            Optimizer.check("SGD", "weightDecay", weightDecay, 0, Double.MAX_VALUE, false);
            if (nesterov && momentum == 0) {
                throw new IllegalArgumentException("SGD: nesterov needs a momentum > 0");
            }
        }

        public static Config of(double lr) {
            return new Config(lr, 0, false, 0);
        }

        public Config withMomentum(double value) {
            return new Config(lr, value, nesterov, weightDecay);
        }

        public Config withNesterov(boolean value) {
            return new Config(lr, momentum, value, weightDecay);
        }

        public Config withWeightDecay(double value) {
            return new Config(lr, momentum, nesterov, value);
        }
    }

    private final Config config;

    public SGD(List<Tensor> params, double lr) {
        this(params, Config.of(lr));
    }

    public SGD(List<Tensor> params, Config config) {
        super("SGD", params, config.lr());
        this.config = config;
    }

    public Config config() {
        return config;
    }

    @Override
    protected String[] stateNames() {
        return config.momentum() != 0 ? MOMENTUM : NONE;
    }

    @Override
    protected void prepare(long step) {
        // SGD has no step-dependent factors
    }

    @Override
    protected void kernel(float[] p, float[] g, float[][] s, int len) {
        float lr = (float) lr();
        float wd = (float) config.weightDecay();
        float mu = (float) config.momentum();
        addWeightDecay(g, p, wd, len);
        if (mu != 0) {
            float[] buf = s[0];
            if (config.nesterov()) {
                for (int i = 0; i < len; i++) {
                    float b = mu * buf[i] + g[i];
                    buf[i] = b;
                    g[i] = g[i] + mu * b;
                }
            } else {
                for (int i = 0; i < len; i++) {
                    float b = mu * buf[i] + g[i];
                    buf[i] = b;
                    g[i] = b;
                }
            }
        }
        for (int i = 0; i < len; i++) {
            p[i] -= lr * g[i];
        }
    }

    @Override
    protected boolean supportsDevice() {
        return true;
    }

    @Override
    protected void deviceKernel(DeviceMath m, Tensor p, Tensor g, Tensor[] s) {
        double wd = config.weightDecay();
        double mu = config.momentum();
        Tensor grad = withWeightDecay(m, g, p, wd);
        if (mu != 0) {
            Tensor buf = s[0];
            m.into(BinaryOp.ADD, m.mul(buf, mu), grad, buf);
            grad = config.nesterov() ? m.add(grad, m.mul(buf, mu)) : buf;
        }
        m.into(BinaryOp.SUB, p, m.mul(grad, lr()), p);
    }

    @Override
    protected void kernel(double[] p, double[] g, double[][] s, int len) {
        double lr = lr();
        double wd = config.weightDecay();
        double mu = config.momentum();
        addWeightDecay(g, p, wd, len);
        if (mu != 0) {
            double[] buf = s[0];
            if (config.nesterov()) {
                for (int i = 0; i < len; i++) {
                    double b = mu * buf[i] + g[i];
                    buf[i] = b;
                    g[i] = g[i] + mu * b;
                }
            } else {
                for (int i = 0; i < len; i++) {
                    double b = mu * buf[i] + g[i];
                    buf[i] = b;
                    g[i] = b;
                }
            }
        }
        for (int i = 0; i < len; i++) {
            p[i] -= lr * g[i];
        }
    }
}
