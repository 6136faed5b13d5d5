#!/usr/bin/env python3
"""PyTorch on the GPU, on the shapes of panrec's cuda benchmarks, and the ratios against a JMH run.

Times, with torch on the same GPU, what io.panrec.bench.cuda.CudaSgemmBenchmark and CudaConvPoolBenchmark
time with panrec's cuda backend:

  sgemm        MxKxN = 4096^3, 1024^3, 256^3 and the inference shapes 1x64x64, 1000x128x64
  conv/pool    ConvNCF's L1 [256,1,64,64] and L3 [256,32,16,16], 2x2 kernels of stride 2, 32 output channels:
               conv2d forward, backward-data, backward-weights; 2x2 stride-2 max and average pooling and
               their backward passes

Like the JMH benchmarks, each measurement queues a batch of calls, waits for the GPU (torch.cuda.synchronize)
and divides, so both report microseconds per completed call. FP32 without TF32 unless --tf32 (panrec's
default; give the JVM -Dpanrec.cuda.tf32=true to compare with TF32 on both sides).

  python3 bench/scripts/torch_gpu_bench.py                       # torch times only
  java -jar bench/target/benchmarks.jar 'Cuda.*Benchmark' -rf json -rff cuda.json
  python3 bench/scripts/torch_gpu_bench.py --jmh cuda.json       # plus panrec's times and the ratios
"""
import argparse
import json
import sys
import time

import torch
import torch.nn.functional as F

SGEMM = ["4096x4096x4096", "1024x1024x1024", "256x256x256", "1x64x64", "1000x128x64"]
LAYERS = {"L1": (1, 64), "L3": (32, 16)}  # input channels, height = width
BATCH = 256


def per_call_micros(fn, reps, min_seconds):
    """Warm up, then time batches of `reps` calls until `min_seconds` have passed; the median per call."""
    for _ in range(3):
        for _ in range(reps):
            fn()
        torch.cuda.synchronize()
    samples = []
    start = time.perf_counter()
    while time.perf_counter() - start < min_seconds or len(samples) < 5:
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        torch.cuda.synchronize()
        samples.append((time.perf_counter() - t0) / reps * 1e6)
    samples.sort()
    return samples[len(samples) // 2]


def sgemm_cases():
    for shape in SGEMM:
        m, k, n = (int(v) for v in shape.split("x"))
        a = torch.rand(m, k, device="cuda") * 2 - 1
        b = torch.rand(k, n, device="cuda") * 2 - 1
        c = torch.empty(m, n, device="cuda")
        yield ("CudaSgemmBenchmark.sgemm", shape), (lambda a=a, b=b, c=c: torch.mm(a, b, out=c)), 2.0 * m * k * n, 20


def conv_pool_cases():
    for layer, (cin, hw) in LAYERS.items():
        x = torch.rand(BATCH, cin, hw, hw, device="cuda") * 2 - 1
        w = torch.rand(32, cin, 2, 2, device="cuda") - 0.5
        bias = torch.rand(32, device="cuda") * 2 - 1
        g = torch.rand(BATCH, 32, hw // 2, hw // 2, device="cuda") * 2 - 1
        gp = torch.rand(BATCH, cin, hw // 2, hw // 2, device="cuda") * 2 - 1
        _, idx = torch.ops.aten.max_pool2d_with_indices(x, [2, 2], [2, 2])
        flops = 2.0 * BATCH * 32 * (hw // 2) ** 2 * cin * 4
        name = "CudaConvPoolBenchmark."
        yield (name + "conv2dForward", layer), (lambda x=x, w=w, bias=bias: F.conv2d(x, w, bias, stride=2)), flops, 10
        yield (name + "conv2dBackwardData", layer), (
            lambda x=x, w=w, g=g: torch.nn.grad.conv2d_input(x.shape, w, g, stride=2)), flops, 10
        yield (name + "conv2dBackwardWeights", layer), (
            lambda x=x, w=w, g=g: (torch.nn.grad.conv2d_weight(x, w.shape, g, stride=2), g.sum((0, 2, 3)))), flops, 10
        yield (name + "maxPool", layer), (lambda x=x: F.max_pool2d(x, 2, 2)), 0, 10
        yield (name + "maxPoolBackward", layer), (lambda x=x, gp=gp, idx=idx: torch.ops.aten.max_pool2d_with_indices_backward(
            gp, x, [2, 2], [2, 2], [0, 0], [1, 1], False, idx)), 0, 10
        yield (name + "avgPool", layer), (lambda x=x: F.avg_pool2d(x, 2, 2)), 0, 10
        yield (name + "avgPoolBackward", layer), (lambda x=x, gp=gp: torch.ops.aten.avg_pool2d_backward(
            gp, x, [2, 2], [2, 2], [0, 0], False, True, None)), 0, 10


def jmh_scores(path):
    """{(Class.method, param): microseconds per op} from a JMH JSON result file."""
    scores = {}
    with open(path) as f:
        for r in json.load(f):
            cls_method = ".".join(r["benchmark"].split(".")[-2:])
            params = r.get("params", {})
            param = params.get("shape") or params.get("layer")
            unit = r["primaryMetric"]["scoreUnit"]
            score = r["primaryMetric"]["score"]
            if unit == "ms/op":
                score *= 1000
            elif unit != "us/op":
                raise SystemExit(f"unexpected JMH unit {unit} in {path}")
            scores[(cls_method, param)] = score
    return scores


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jmh", help="JMH JSON results of the Cuda*Benchmark run, to print panrec's times and the ratios")
    p.add_argument("--tf32", action="store_true", help="allow TF32 in matmul and cuDNN (panrec: -Dpanrec.cuda.tf32=true)")
    p.add_argument("--seconds", type=float, default=1.0, help="time spent measuring each case (default 1)")
    p.add_argument("--json", help="also write the records as JSON lines to this file")
    args = p.parse_args()
    if not torch.cuda.is_available():
        sys.exit("no CUDA device visible to PyTorch")
    torch.backends.cuda.matmul.allow_tf32 = args.tf32
    torch.backends.cudnn.allow_tf32 = args.tf32
    torch.backends.cudnn.benchmark = False  # panrec uses cuDNN's heuristics, not a timed search
    theirs = jmh_scores(args.jmh) if args.jmh else {}
    print(f"# {torch.cuda.get_device_name()} — torch {torch.__version__}, CUDA {torch.version.cuda}, "
          f"cuDNN {torch.backends.cudnn.version()}, TF32 {'on' if args.tf32 else 'off'}")
    header = f"{'benchmark':<42} {'param':<16} {'torch us':>10} {'GFLOP/s':>9}"
    if theirs:
        header += f" {'panrec us':>10} {'panrec/torch':>12}"
    print(header)
    records = []
    for (name, param), fn, flops, reps in list(sgemm_cases()) + list(conv_pool_cases()):
        with torch.no_grad():
            us = per_call_micros(fn, reps, args.seconds)
        gflops = flops / us / 1e3 if flops else 0.0
        line = f"{name:<42} {param:<16} {us:>10.1f} {gflops:>9.1f}"
        rec = {"op": name, "param": param, "path": "torch", "micros_per_call": us, "gflops": gflops}
        if (name, param) in theirs:
            mine = theirs[(name, param)]
            line += f" {mine:>10.1f} {mine / us:>11.2f}x"
            rec["panrec_micros_per_call"] = mine
            rec["ratio_panrec_over_torch"] = mine / us
        print(line)
        records.append(rec)
    if args.json:
        with open(args.json, "w") as f:
            for r in records:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
