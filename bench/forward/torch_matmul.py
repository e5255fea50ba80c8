"""Matmul throughput of PyTorch (CPU, OpenBLAS) for the DotGeneral shapes of one forward pass of small-v3 and
xsmall, to compare with our BLAS path back to back (`go test ./debertav3 -bench MatmulRoofline` times the same
products). Run with Debian's python: /usr/bin/python3 (apt-get install python3-torch libopenblas0-pthread).

It first checks which BLAS torch has loaded: Debian's reference BLAS (no libopenblas0-pthread) is ~40x slower and
makes every ratio meaningless, so the script exits with status 2 in that case.
"""
import os
import sys
import time

import torch

torch.set_num_threads(2)

# shape: (layers, heads, head dim, FFN, relative rows U = 2·min(seq, buckets) − 1)
SHAPES = {"small-v3": (4, 4, 32, 512, 255), "xsmall": (12, 6, 64, 1536, 255)}
B, L = 8, 128


def loaded_blas():
    """The BLAS/LAPACK shared objects mapped into this process, resolved through symlinks."""
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if "blas" in path or "lapack" in path:
                libs.add(os.path.realpath(path))
    return sorted(libs)


def bench(fn, flops, n=10):
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def forward_matmuls(layers, heads, d, ffn, u):
    h = heads * d
    x, w, wf, wf2 = torch.randn(B * L, h), torch.randn(h, h), torch.randn(h, ffn), torch.randn(ffn, h)
    q, k = torch.randn(B, heads, L, d), torch.randn(B, heads, L, d)
    probs, kr = torch.randn(B, heads, L, L), torch.randn(heads, u, d)
    rows = [
        ("projections (q, k, v, out)", 4, lambda: x @ w, 2 * B * L * h * h),
        ("FFN in + out", 1, lambda: (x @ wf) @ wf2, 2 * 2 * B * L * h * ffn),
        ("c2c q·kᵀ", 1, lambda: q @ k.transpose(-1, -2), 2 * B * heads * L * L * d),
        ("probs·v", 1, lambda: probs @ k, 2 * B * heads * L * L * d),
        ("c2p/p2c q·K_rᵀ", 2, lambda: q @ kr.transpose(-1, -2), 2 * B * heads * L * u * d),
    ]
    total = 0.0
    with torch.no_grad():
        for name, times, fn, flops in rows:
            el = bench(fn, flops)
            total += times * el
            print(f"  torch {name:<28} {el * 1000:8.2f} ms  {flops / el / 1e9:6.1f} GFLOP/s")
    return layers * total


def main():
    torch.randn(64, 64) @ torch.randn(64, 64)
    libs = loaded_blas()
    print("torch", torch.__version__, "BLAS:", ", ".join(libs) or "(none found)")
    if not any("openblas" in lib for lib in libs):
        print("torch is not running on OpenBLAS (install libopenblas0-pthread): ratios would be meaningless", file=sys.stderr)
        sys.exit(2)
    for shape, dims in SHAPES.items():
        print(f"{shape}:")
        ms = 1000 * forward_matmuls(*dims)
        print(f"torch matmul-only time per {shape} forward: {ms:.1f} ms")


if __name__ == "__main__":
    main()
