"""Matmul throughput of PyTorch (CPU, OpenBLAS) for the shapes of the small-v3 forward pass, to compare the two
backends back to back on the same machine (bench/forward/run.sh prints the pure-Go figures of the same shapes via
`go test ./debertav3 -bench MatmulRoofline`). Run with Debian's python: /usr/bin/python3 (apt-get install python3-torch).
"""
import time

import torch

torch.set_num_threads(2)
B, L, H, D, U, F = 8, 128, 4, 32, 255, 512
h = H * D


def bench(name, fn, flops, n=20):
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    el = (time.perf_counter() - start) / n
    print(f"torch {name:<28} {el * 1000:8.2f} ms  {flops / el / 1e9:6.2f} GFLOP/s")
    return el


x, w, wf, wf2 = torch.randn(B * L, h), torch.randn(h, h), torch.randn(h, F), torch.randn(F, h)
q, k = torch.randn(B, H, L, D), torch.randn(B, H, L, D)
probs, kr = torch.randn(B, H, L, L), torch.randn(H, U, D)
total = 0.0
with torch.no_grad():
    total += 4 * bench("projection [1024,128]x[128,128]", lambda: x @ w, 2 * B * L * h * h)
    total += bench("FFN in+out", lambda: (x @ wf) @ wf2, 2 * 2 * B * L * h * F)
    total += bench("c2c q·kᵀ", lambda: q @ k.transpose(-1, -2), 2 * B * H * L * L * D)
    total += bench("probs·v", lambda: probs @ k, 2 * B * H * L * L * D)
    total += 2 * bench("c2p/p2c q·Krᵀ (255 rows)", lambda: torch.einsum("bhqd,hud->bhqu", q, kr), 2 * B * H * L * U * D)
print(f"torch matmul-only time per small-v3 forward (4 layers): {4 * total * 1000:.1f} ms")
