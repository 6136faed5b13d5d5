package io.panrec.ops;

import io.panrec.backend.Backend;
import io.panrec.autograd.Autograd;
import io.panrec.autograd.Op;
import io.panrec.backend.Backends;
import io.panrec.backend.ConvSpec;
import io.panrec.tensor.Tensor;

/** 1-D and 2-D convolution (cross-correlation, as in PyTorch) with stride, padding, dilation and groups. */
public final class Convolution {
    private Convolution() {
    }

    /**
     * x [N, C, H, W], w [O, C/groups, KH, KW], bias [O] or null -> [N, O, OH, OW] with
     * OH = floor((H + 2 padH - dilationH (KH - 1) - 1) / strideH) + 1.
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, ConvSpec spec) {
        Checks.floating("conv2d", x, w, bias);
        Checks.rank("conv2d", "input", x, 4);
        Checks.rank("conv2d", "weight", w, 4);
        int n = x.shape(0);
        int c = x.shape(1);
        int o = w.shape(0);
        int g = spec.groups();
        if (c % g != 0 || o % g != 0 || w.shape(1) != c / g) {
            throw new IllegalArgumentException("conv2d: input " + x.describe() + " and weight " + w.describe()
                    + " do not fit " + g + " group(s): need C % groups == 0, O % groups == 0 and weight [O, C/groups, KH, KW]");
        }
        if (bias != null) {
            Checks.shape("conv2d", "bias", bias, o);
        }
        int oh = ConvSpec.outputSize(x.shape(2), w.shape(2), spec.strideH(), spec.padH(), spec.dilationH());
        int ow = ConvSpec.outputSize(x.shape(3), w.shape(3), spec.strideW(), spec.padW(), spec.dilationW());
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("conv2d: input " + x.describe() + " is too small for kernel " + w.shape(2)
                    + "x" + w.shape(3) + " with " + spec + " (output would be " + oh + "x" + ow + ")");
        }
        Tensor xc = Shapes.contiguous(x);
        Tensor wc = Shapes.contiguous(w);
        Tensor bc = bias == null ? null : Shapes.contiguous(bias);
        Backend backend = Backends.on("conv2d", x, w, bias);
        Tensor out = Tensor.empty(x.device(), x.dtype(), n, o, oh, ow); // every backend writes all of it (Backend#conv2d)
        backend.conv2d(xc, wc, bc, out, spec);
        return Autograd.record(Op.CONV2D, out, new Tensor[] {xc, wc, bc}, spec);
    }

    /** x [N, C, L], w [O, C/groups, K], bias [O] or null -> [N, O, OL]. */
    public static Tensor conv1d(Tensor x, Tensor w, Tensor bias, int stride, int padding, int dilation, int groups) {
        Checks.rank("conv1d", "input", x, 3);
        Checks.rank("conv1d", "weight", w, 3);
        ConvSpec spec = new ConvSpec(1, stride, 0, padding, 1, dilation, groups);
        Tensor y = conv2d(Shapes.unsqueeze(x, 2), Shapes.unsqueeze(w, 2), bias, spec);
        return Shapes.squeeze(y, 2);
    }
}
