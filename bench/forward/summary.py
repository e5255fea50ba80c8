"""Prints the ratios of a bench/forward/run.sh run (its JSON files in the folder given) to PyTorch measured back to
back (bench/torch/deberta_torch.py), to the recorded PyTorch baseline (bench/baselines/torch_cpu.json), and to the
pre-training rate before the fast CPU kernels. Ratios are throughput ratios: PyTorch's time / ours (> 1: faster)."""
import json
import statistics
import sys
from pathlib import Path

# `deberta pretrain` of the built-in model's architecture on the real corpus, 2-core VM, pure-Go kernels
# (docs/PERFORMANCE.md, 2026-11-25): 390-480 tokens/s alone.
PRETRAIN_BEFORE = (390 + 480) / 2

out = Path(sys.argv[1])
base = json.load(open(Path(__file__).parent.parent / "baselines" / "torch_cpu.json"))["results"]
torch_key = {"small-v3": "small-v3", "xsmall": "xsmall-shape"}
for mode, shape, field in [("forward", "small-v3", "forward_ms_median"), ("forward", "xsmall", "forward_ms_median"),
                           ("train", "small-v3", "train_step_ms_median")]:
    r = json.load(open(out / f"{mode}-{shape}.json"))
    go_ms = r["ms_per_batch"]
    live = out / f"torch-{mode}-{shape}.json"
    live_text = "pytorch back to back: not run"
    if live.exists():
        live_ms = json.load(open(live))["ms_per_batch"]
        live_text = f"pytorch back to back {live_ms:7.1f} ms  ratio {live_ms / go_ms:.2f}x"
    torch_ms = base[torch_key[shape]][field]
    print(f"{mode:8} {shape:9} go {go_ms:8.1f} ms  {live_text}  recorded {torch_ms:7.1f} ms  ratio {torch_ms / go_ms:.2f}x"
          f"  (blas {r.get('blas') or '-'}, {r.get('cpu_kernels')})")
for shape in ["small-v3", "xsmall"]:
    r = json.load(open(out / f"profile-{shape}.json"))
    dot = sum(p["ns"] for p in r["op_profile"] if p["op"] == "DotGeneral") / len(r["ms_all"]) / 1e6
    total = sum(p["ns"] for p in r["op_profile"]) / len(r["ms_all"]) / 1e6
    print(f"profile  {shape:9} DotGeneral {dot:7.1f} ms of {total:7.1f} ms in ops per forward")
recs = [json.loads(l) for l in open(out / "pretrain-metrics.jsonl")]
rates = [r["tokens_per_s"] for r in recs[1:]]  # the first record includes graph compilation
rate = statistics.median(rates)
print(f"pretrain  tiny/real corpus {rate:8.0f} tokens/s  before {PRETRAIN_BEFORE:.0f}  ratio {rate / PRETRAIN_BEFORE:.1f}x"
      f"  (steps {[r['step'] for r in recs[1:]]})")
