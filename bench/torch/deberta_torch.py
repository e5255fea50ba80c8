"""Plain-PyTorch DebertaV2ForMaskedLM (HF transformers modeling_deberta_v2.py, same computations and the same
checkpoint keys), the CPU reference for bench/baselines/torch_cpu.json where transformers cannot be installed.

  /usr/bin/python3 bench/torch/deberta_torch.py --validate                  # fixtures' goldens, exit 1 on failure
  /usr/bin/python3 bench/torch/deberta_torch.py --shape small-v3 --mode forward --iters 7   # see README.md
"""
import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

for _k, _v in {"OMP_WAIT_POLICY": "PASSIVE", "OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2"}.items():
    os.environ.setdefault(_k, _v)  # the baseline's environment; must precede `import torch`

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

FIXTURES = Path(__file__).resolve().parents[2] / "testdata" / "fixtures"
# HF DebertaV2Config defaults, plus the getattr(config, ...) defaults of modeling_deberta_v2.py.
HF_DEFAULTS = dict(vocab_size=128100, hidden_size=1536, num_hidden_layers=24, num_attention_heads=24,
                   intermediate_size=6144, hidden_act="gelu", hidden_dropout_prob=0.1,
                   attention_probs_dropout_prob=0.1, max_position_embeddings=512, type_vocab_size=0,
                   initializer_range=0.02, layer_norm_eps=1e-7, relative_attention=False, max_relative_positions=-1,
                   pad_token_id=0, position_biased_input=True, pos_att_type=None,
                   position_buckets=-1, share_att_key=False, norm_rel_ebd="none", conv_kernel_size=0)
V3 = dict(HF_DEFAULTS, relative_attention=True, position_biased_input=False, pos_att_type=["p2c", "c2p"],
          position_buckets=256, share_att_key=True, norm_rel_ebd="layer_norm")
SHAPES = {"small-v3": dict(V3, hidden_size=128, num_hidden_layers=4, num_attention_heads=4, intermediate_size=512,
                           vocab_size=1000),
          "xsmall": dict(V3, hidden_size=384, num_hidden_layers=12, num_attention_heads=6, intermediate_size=1536,
                         vocab_size=8000)}
BATCH, SEQ, WARMUP = 8, 128, 3


def make_config(raw):
    """Config namespace from config.json values over HF defaults; NotImplementedError for features not ported."""
    c = SimpleNamespace(**dict(HF_DEFAULTS, **raw))
    if isinstance(c.pos_att_type, str):
        c.pos_att_type = [t.strip() for t in c.pos_att_type.lower().split("|")]
    c.pos_att_type = c.pos_att_type or []
    c.norm_rel_ebd = [t.strip() for t in c.norm_rel_ebd.lower().split("|")]
    if c.max_relative_positions < 1:
        c.max_relative_positions = c.max_position_embeddings
    c.att_span = c.position_buckets if c.position_buckets > 0 else c.max_relative_positions
    unsupported = {"conv_kernel_size > 0 (ConvLayer)": c.conv_kernel_size > 0,
                   "embedding_size != hidden_size (embed_proj)": raw.get("embedding_size", c.hidden_size) != c.hidden_size,
                   "attention_head_size": "attention_head_size" in raw,
                   f"hidden_act {c.hidden_act!r} (only exact-erf 'gelu')": c.hidden_act != "gelu"}
    for what, hit in unsupported.items():
        if hit:
            raise NotImplementedError(f"config field not supported here: {what}")
    return c


def log_bucket_position(rel, bucket_size, max_position):
    """HF make_log_bucket_position, float32 as upstream."""
    sign = torch.sign(rel)
    mid = bucket_size // 2
    abs_pos = torch.where((rel < mid) & (rel > -mid), torch.tensor(mid - 1).type_as(rel), torch.abs(rel))
    log_pos = torch.ceil(torch.log(abs_pos / mid) / torch.log(torch.tensor((max_position - 1) / mid)) * (mid - 1)) + mid
    return torch.where(abs_pos <= mid, rel.type_as(log_pos), log_pos * sign)


def relative_position(length, c):
    """[1, length, length] bucketed query−key positions (HF build_relative_position)."""
    ids = torch.arange(length, dtype=torch.long)
    rel = ids[:, None] - ids[None, :]
    if c.position_buckets > 0 and c.max_relative_positions > 0:
        rel = log_bucket_position(rel, c.position_buckets, c.max_relative_positions)
    return rel.to(torch.long).unsqueeze(0)


class DisentangledSelfAttention(nn.Module):
    """c2c + c2p + p2c attention over [batch·heads, seq, head_dim] (HF DisentangledSelfAttention)."""

    def __init__(self, c):
        super().__init__()
        h, self.heads, self.c = c.hidden_size, c.num_attention_heads, c
        self.query_proj, self.key_proj, self.value_proj = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        if c.relative_attention and not c.share_att_key:
            if "c2p" in c.pos_att_type:
                self.pos_key_proj = nn.Linear(h, h)
            if "p2c" in c.pos_att_type:
                self.pos_query_proj = nn.Linear(h, h)
        self.pos_dropout = nn.Dropout(c.hidden_dropout_prob)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)

    def split(self, x):  # [b, l, hidden] -> [b·heads, l, head_dim]
        x = x.view(x.shape[:-1] + (self.heads, -1)).permute(0, 2, 1, 3).contiguous()
        return x.view(-1, x.size(2), x.size(3))

    def forward(self, x, mask, rel_pos, rel_emb):
        q, k, v = self.split(self.query_proj(x)), self.split(self.key_proj(x)), self.split(self.value_proj(x))
        factor = 1 + ("c2p" in self.c.pos_att_type) + ("p2c" in self.c.pos_att_type)
        scale = torch.sqrt(torch.tensor(q.size(-1), dtype=torch.float) * factor)
        scores = torch.bmm(q, k.transpose(-1, -2) / scale)
        if self.c.relative_attention:
            scores = scores + self.relative_scores(q, k, rel_pos, self.pos_dropout(rel_emb), scale)
        scores = scores.view(-1, self.heads, scores.size(-2), scores.size(-1))
        scores = scores.masked_fill(~mask, torch.finfo(q.dtype).min)
        probs = self.dropout(F.softmax(scores, dim=-1))
        out = torch.bmm(probs.view(-1, probs.size(-2), probs.size(-1)), v)
        out = out.view(-1, self.heads, out.size(-2), out.size(-1)).permute(0, 2, 1, 3).contiguous()
        return out.view(out.shape[:-2] + (-1,))

    def relative_scores(self, q, k, rel_pos, rel_emb, scale):
        """Scaled c2p + p2c over ALL 2·att_span relative rows, gathered by bucket (upstream's work, unpruned)."""
        span, c = self.c.att_span, self.c
        rel_emb = rel_emb[0:span * 2, :].unsqueeze(0)
        rows = lambda proj: self.split(proj(rel_emb)).repeat(q.size(0) // self.heads, 1, 1)
        score = 0
        if "c2p" in c.pos_att_type:
            pos_key = rows(self.key_proj if c.share_att_key else self.pos_key_proj)
            c2p = torch.bmm(q, pos_key.transpose(-1, -2))
            idx = torch.clamp(rel_pos + span, 0, span * 2 - 1).expand(q.size(0), q.size(1), rel_pos.size(-1))
            score = score + torch.gather(c2p, -1, idx) / scale
        if "p2c" in c.pos_att_type:
            pos_query = rows(self.query_proj if c.share_att_key else self.pos_query_proj)
            p2c = torch.bmm(k, pos_query.transpose(-1, -2))
            idx = torch.clamp(-rel_pos + span, 0, span * 2 - 1).expand(k.size(0), k.size(1), k.size(1))
            score = score + torch.gather(p2c, -1, idx).transpose(-1, -2) / scale
        return score


class Residual(nn.Module):
    """LayerNorm(residual + dropout(dense(x))) (HF DebertaV2SelfOutput / DebertaV2Output)."""

    def __init__(self, n_in, c):
        super().__init__()
        self.dense = nn.Linear(n_in, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Layer(nn.Module):
    """Post-LN transformer layer; submodule names are the checkpoint keys."""

    def __init__(self, c):
        super().__init__()
        self.attention, self.intermediate = nn.Module(), nn.Module()
        self.attention.self = DisentangledSelfAttention(c)
        self.attention.output = Residual(c.hidden_size, c)
        self.intermediate.dense = nn.Linear(c.hidden_size, c.intermediate_size)
        self.output = Residual(c.intermediate_size, c)

    def forward(self, x, mask, rel_pos, rel_emb):
        a = self.attention.output(self.attention.self(x, mask, rel_pos, rel_emb), x)
        return self.output(F.gelu(self.intermediate.dense(a)), a)


class DebertaV2Model(nn.Module):
    """Embeddings + encoder; forward(ids [b, l], mask [b, l], token types [b, l] or None) -> [b, l, hidden]."""

    def __init__(self, c):
        super().__init__()
        self.c, h = c, c.hidden_size
        self.embeddings = nn.Module()
        self.embeddings.word_embeddings = nn.Embedding(c.vocab_size, h, padding_idx=c.pad_token_id)
        if c.position_biased_input:
            self.embeddings.position_embeddings = nn.Embedding(c.max_position_embeddings, h)
        if c.type_vocab_size > 0:
            self.embeddings.token_type_embeddings = nn.Embedding(c.type_vocab_size, h)
        self.embeddings.LayerNorm = nn.LayerNorm(h, c.layer_norm_eps)
        self.embeddings.dropout = nn.Dropout(c.hidden_dropout_prob)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList(Layer(c) for _ in range(c.num_hidden_layers))
        if c.relative_attention:
            self.encoder.rel_embeddings = nn.Embedding(2 * c.att_span, h)
            if "layer_norm" in c.norm_rel_ebd:
                self.encoder.LayerNorm = nn.LayerNorm(h, c.layer_norm_eps)

    def forward(self, ids, mask, token_type_ids=None):
        e, c = self.embeddings, self.c
        x = e.word_embeddings(ids)
        if c.position_biased_input:
            x = x + e.position_embeddings(torch.arange(ids.size(1)).unsqueeze(0))
        if c.type_vocab_size > 0:
            x = x + e.token_type_embeddings(torch.zeros_like(ids) if token_type_ids is None else token_type_ids)
        x = e.dropout(e.LayerNorm(x) * mask.unsqueeze(2).to(x.dtype))
        pair = mask.unsqueeze(1).unsqueeze(2)
        pair = (pair * pair.squeeze(-2).unsqueeze(-1)).bool()  # [b, 1, l, l]: mask_i·mask_j
        rel_pos, rel_emb = None, None
        if c.relative_attention:
            rel_pos, rel_emb = relative_position(ids.size(1), c), self.encoder.rel_embeddings.weight
            if "layer_norm" in c.norm_rel_ebd:
                rel_emb = self.encoder.LayerNorm(rel_emb)
        for layer in self.encoder.layer:
            x = layer(x, pair, rel_pos, rel_emb)
        return x


class DebertaV2ForMaskedLM(nn.Module):
    """Backbone + MLM head LN(gelu(dense(h)))·E_wordᵀ + bias, decoder tied to the word embeddings.
    The head is stored as cls.predictions.{transform.*,bias} (legacy) or lm_predictions.lm_head.* (see load)."""

    def __init__(self, c):
        super().__init__()
        self.deberta = DebertaV2Model(c)
        self.head = nn.Module()
        self.head.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.head.LayerNorm = nn.LayerNorm(c.hidden_size, c.layer_norm_eps)
        self.head.bias = nn.Parameter(torch.zeros(c.vocab_size))

    def forward(self, ids, mask, token_type_ids=None, labels=None):
        h = self.head.LayerNorm(F.gelu(self.head.dense(self.deberta(ids, mask, token_type_ids))))
        logits = F.linear(h, self.deberta.embeddings.word_embeddings.weight, self.head.bias)
        if labels is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1))


HEAD_KEYS = {"cls.predictions.transform.": "head.", "cls.predictions.bias": "head.bias",
             "lm_predictions.lm_head.": "head."}
TIED_KEYS = {"cls.predictions.decoder.weight": "deberta.embeddings.word_embeddings.weight",
             "cls.predictions.decoder.bias": "cls.predictions.bias",
             "lm_predictions.lm_head.weight": "deberta.embeddings.word_embeddings.weight"}


def load(directory):
    """DebertaV2Model (keys without prefix) or DebertaV2ForMaskedLM (deberta.* keys) from config.json +
    pytorch_model.bin; strict: missing or unexpected keys raise."""
    c = make_config(json.loads((directory / "config.json").read_text()))
    sd = torch.load(directory / "pytorch_model.bin", map_location="cpu", weights_only=True)
    if not any(k.startswith("deberta.") for k in sd):
        model = DebertaV2Model(c)
        model.load_state_dict(sd)
        return model.eval()
    for tied, source in TIED_KEYS.items():
        if tied in sd and not torch.equal(sd.pop(tied), sd[source]):
            raise ValueError(f"{directory}: {tied} is not tied to {source}")
    rename = lambda k: next((new + k[len(old):] for old, new in HEAD_KEYS.items() if k.startswith(old)), k)
    model = DebertaV2ForMaskedLM(c)
    model.load_state_dict({rename(k): v for k, v in sd.items()})
    return model.eval()


CHECKS = [("base", "last_hidden_state", ""), ("base", "leftpad_last_hidden_state", "leftpad_"),
          ("mlm", "mlm_logits", ""), ("mlm-lmpred", "mlm_lmpred_logits", "")]


def validate(root, tol=1e-5):
    """Compares every golden of tiny-v3, tiny-v3-long, tiny-v2-style on real-token positions; True if all pass."""
    ok = True
    for case in ["tiny-v3", "tiny-v3-long", "tiny-v2-style"]:
        golden = lambda name: np.load(root / case / "golden" / f"{name}.npy")
        base = json.loads((root / case / "base" / "config.json").read_text())
        try:
            rel = relative_position(golden("input_ids").shape[1], make_config(base))
        except NotImplementedError as err:
            print(f"{case}: SKIPPED, not implemented: {err}")
            ok = ok and case != "tiny-v3"
            continue
        same = np.array_equal(rel[0].numpy(), golden("relative_pos"))
        print(f"{case} relative_pos: {'identical' if same else 'DIFFERENT'}")
        ok = ok and same
        for sub, name, prefix in CHECKS:
            if not (root / case / sub).is_dir() or not (root / case / "golden" / f"{name}.npy").exists():
                continue
            mask = golden(prefix + "attention_mask")
            types = (root / case / "golden" / "token_type_ids.npy").exists()
            with torch.no_grad():
                out = load(root / case / sub)(torch.from_numpy(golden(prefix + "input_ids")), torch.from_numpy(mask),
                                              torch.from_numpy(golden("token_type_ids")) if types else None).numpy()
            diff = np.abs(out - golden(name))
            valid = float(diff[mask == 1].max())
            ok = ok and valid <= tol
            print(f"{case} {sub} {name}: max|diff| {valid:.3g} on real tokens ({float(diff.max()):.3g} with pads)"
                  f" {'ok' if valid <= tol else 'FAIL'}")
    return ok


def check_blas():
    """One JSON line naming the BLAS torch has mapped; exits 2 without OpenBLAS (Debian's reference BLAS)."""
    torch.randn(64, 64) @ torch.randn(64, 64)
    with open("/proc/self/maps") as maps:
        libs = sorted({os.path.realpath(line.split()[-1]) for line in maps if "blas" in line or "lapack" in line})
    print(json.dumps({"torch": torch.__version__, "blas": libs, "threads": torch.get_num_threads(),
                      "interop_threads": torch.get_num_interop_threads(), "loadavg": os.getloadavg()}), flush=True)
    if not any("libopenblas" in lib for lib in libs):
        print("torch is not running on OpenBLAS: apt-get install libopenblas0-pthread", file=sys.stderr)
        sys.exit(2)


def init_weights(model, std):
    """HF DebertaV2PreTrainedModel._init_weights."""
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, std)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, 0.0, std)
            if m.padding_idx is not None:
                m.weight.data[m.padding_idx].zero_()
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def bench(shape, mode, iters):
    """Times WARMUP + iters steps of batch 8 × 128 with random weights; prints one JSON line."""
    torch.manual_seed(0)
    c = make_config(SHAPES[shape])
    ids = torch.randint(4, c.vocab_size, (BATCH, SEQ))
    mask = torch.ones(BATCH, SEQ, dtype=torch.long)
    model, losses = (DebertaV2Model if mode == "forward" else DebertaV2ForMaskedLM)(c), []
    init_weights(model, c.initializer_range)
    if mode == "forward":
        model.eval()

        def step():
            with torch.no_grad():
                model(ids, mask)
    else:
        labels = torch.full_like(ids, -100)
        picked = torch.rand(BATCH, SEQ).argsort(-1)[:, :round(0.15 * SEQ)]
        labels.scatter_(1, picked, ids.gather(1, picked))
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)

        def step():
            opt.zero_grad()
            loss = model(ids, mask, labels=labels)
            loss.backward()
            opt.step()
            losses.append(round(loss.item(), 4))
    ms = []
    for i in range(WARMUP + iters):
        start = time.perf_counter()
        step()
        if i >= WARMUP:
            ms.append(round(1000 * (time.perf_counter() - start), 2))
    median = statistics.median(ms)
    out = {"shape": shape, "mode": mode, "ms_per_batch": median, "ms_all": ms,
           "tokens_per_s": round(BATCH * SEQ / (median / 1000), 1),
           "params": sum(p.numel() for p in model.parameters()), "loadavg": os.getloadavg()}
    if losses:
        out["losses"] = losses
    print(json.dumps(out), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--validate", action="store_true", help="check the fixtures' goldens (max |diff| <= 1e-5)")
    p.add_argument("--fixtures", type=Path, default=FIXTURES, help="fixtures folder (default: testdata/fixtures)")
    p.add_argument("--shape", choices=sorted(SHAPES), default="small-v3")
    p.add_argument("--mode", choices=["forward", "train"], default="forward")
    p.add_argument("--iters", type=int, default=7, help="timed iterations after 3 warm-ups")
    args = p.parse_args()
    if args.iters < 1:
        p.error("--iters must be >= 1")
    if args.validate and not (args.fixtures / "tiny-v3" / "golden").is_dir():
        p.error(f"--fixtures {args.fixtures}: no tiny-v3/golden folder")
    torch.set_num_threads(2)
    torch.set_num_interop_threads(1)
    if args.validate:
        sys.exit(0 if validate(args.fixtures) else 1)
    check_blas()
    bench(args.shape, args.mode, args.iters)


if __name__ == "__main__":
    main()
