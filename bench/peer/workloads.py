#!/usr/bin/env python3
"""PyTorch peer of bench/bench.ts: the same workloads at the same sizes, timed the same way.

Run by `npm run bench -- --peer` after traitlab's own measurements; usable alone:
    python3 bench/peer/workloads.py [--quick]
With --curve (run by `npm run bench -- --curve`) it times instead the gpt training step at every
size of bench/peer/curve_grid.json and prints {"ms": {key: median ms}, "one_thread": {...}, ...}.
Prints one JSON object on stdout: {workload: median ms, ...} at 2 threads (all cores, at most
2; torch.set_num_threads, OpenBLAS's own pool at 1 thread, see set_threads), "one_thread": the
same at 1 thread, and "torch", "blas", "threads". Progress goes to stderr.

Workloads (sizes and rep counts copied from bench.ts; keep them in step):
  mlp_m1, mlp_m20   MLP 784-256-256-13, Adam 3e-4 step of cross-entropy on the 10 class logits,
                    batch 128; M = 20 members trained at once on the same batch (batched matmuls)
  gpt_m1, gpt_m8    GPT-2-shaped transformer (layers 2, d_model 64, heads 4, V 37, context 12,
                    MLP 4·d, tanh GELU, pre-norm, untied head), Adam 3e-4 step of next-token
                    cross-entropy, batch 64; M = 8 members at once (bmm over a members axis)
  sample_kv, sample_full
                    256 rows × 16 new tokens after a 5-token prompt (context 21), temperature 1,
                    with a KV cache and with a full re-forward of the prefix per token
Timing: warm-up, then timed reps round-robin within each group (as bench.ts), median.
stdlib + torch only.
"""
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

from torch_setup import blas_name, default_threads, set_threads  # shared with the *_e2e.py peers

QUICK = "--quick" in sys.argv[1:]
CURVE = "--curve" in sys.argv[1:]
if any(a not in ("--quick", "--curve") for a in sys.argv[1:]) or (QUICK and CURVE):
    print("usage: python3 bench/peer/workloads.py [--quick | --curve]", file=sys.stderr)
    sys.exit(2)

SIZES = [784, 256, 256, 13]
BATCH = 128
MEMBERS = 20
LR = 3e-4

GPT = dict(vocab=37, context=12, layers=2, d=64, heads=4)
GPT_BATCH = 64
GPT_MEMBERS = 8
SAMPLE_CONTEXT = 21
SAMPLE_ROWS = 256
SAMPLE_PROMPT = 5
SAMPLE_NEW = 16


def reps_mlp():
    return (3, 5) if QUICK else (3, 30)


def reps_gpt(slow):
    """bench.ts gptRepsFor on a non-cpu backend: slow = M > 1 training or full re-forward."""
    if QUICK:
        return (1, 2 if slow else 3)
    return (1, 5) if slow else (2, 10)


def time_interleaved(steppers):
    """[(step, (warmup, timed))] -> median ms each; timed steps go round-robin."""
    for step, (warm, _) in steppers:
        for _ in range(warm):
            step()
    times = [[] for _ in steppers]
    rounds = max(t for _, (_, t) in steppers)
    for r in range(rounds):
        for i, (step, (_, timed)) in enumerate(steppers):
            if r >= timed:
                continue
            t0 = time.perf_counter()
            step()
            times[i].append((time.perf_counter() - t0) * 1000)
    return [statistics.median(t) for t in times]


# --- MLP --------------------------------------------------------------------------------------


def mlp_stepper(members):
    g = torch.Generator().manual_seed(1)
    ws = [torch.randn(members, a, b, generator=g) / math.sqrt(a) for a, b in zip(SIZES, SIZES[1:])]
    ws = [w.requires_grad_() for w in ws]
    bs = [torch.zeros(members, 1, b, requires_grad=True) for b in SIZES[1:]]
    opt = torch.optim.Adam(ws + bs, lr=LR)
    x = torch.rand(BATCH, SIZES[0], generator=g) * 2 - 1
    y = torch.randint(0, 10, (BATCH,), generator=g)

    def step():
        opt.zero_grad()
        h = x
        for l, (w, b) in enumerate(zip(ws, bs)):
            # layer 0: the shared batch against every member's weights (broadcast matmul);
            # later layers: a batched matmul per member [M, B, k] @ [M, k, n]
            h = torch.matmul(h, w) + b if l == 0 else torch.baddbmm(b, h, w)
            if l < len(ws) - 1:
                h = torch.relu(h)
        logits = h[:, :, :10]  # [M, B, 10]
        # sum over members of each member's mean cross-entropy
        loss = F.cross_entropy(logits.reshape(-1, 10), y.repeat(members), reduction="mean") * members
        loss.backward()
        opt.step()

    return step


# --- GPT --------------------------------------------------------------------------------------


class Gpt:
    """A members axis [M, ...] on every parameter; linears are baddbmm per member."""

    def __init__(self, members, context, g, d=None, heads=None, layers=None, vocab=None):
        self.d, self.H = d or GPT["d"], heads or GPT["heads"]
        V, d, L = vocab or GPT["vocab"], self.d, layers or GPT["layers"]
        f = 4 * d
        res_std = 0.02 / math.sqrt(2 * L)
        M = members
        self.M = M

        def w(k, n, std=0.02):
            return (torch.randn(M, k, n, generator=g) * std).requires_grad_()

        def zeros(n):
            return torch.zeros(M, 1, n, requires_grad=True)

        def ones(n):
            return torch.ones(M, 1, n, requires_grad=True)

        self.wte = (torch.randn(M, V, d, generator=g) * 0.02).requires_grad_()
        self.wpe = (torch.randn(M, context, d, generator=g) * 0.02).requires_grad_()
        self.blocks = [
            dict(ln1g=ones(d), ln1b=zeros(d), wqkv=w(d, 3 * d), bqkv=zeros(3 * d), wo=w(d, d, res_std), bo=zeros(d),
                 ln2g=ones(d), ln2b=zeros(d), w1=w(d, f), b1=zeros(f), w2=w(f, d, res_std), b2=zeros(d))
            for _ in range(L)
        ]
        self.lnfg, self.lnfb = ones(d), zeros(d)
        self.headw, self.headb = w(d, V), zeros(V)

    def parameters(self):
        ps = [self.wte, self.wpe]
        for b in self.blocks:
            ps += list(b.values())
        return ps + [self.lnfg, self.lnfb, self.headw, self.headb]

    @staticmethod
    def ln(x, g, b):
        return F.layer_norm(x, x.shape[-1:], eps=1e-5) * g + b

    def trunk(self, tokens, pos0=0, past=None):
        """tokens [M, B, T] -> h [M, B·T, d] after the final LayerNorm, and the new KV cache."""
        M, B, T = tokens.shape
        d, H = self.d, self.H
        dh = d // H
        tok = self.wte[torch.arange(M)[:, None, None], tokens]  # [M, B, T, d]
        x = (tok + self.wpe[:, None, pos0:pos0 + T]).reshape(M, B * T, d)
        present = []
        for l, blk in enumerate(self.blocks):
            a = self.ln(x, blk["ln1g"], blk["ln1b"])
            qkv = torch.baddbmm(blk["bqkv"], a, blk["wqkv"]).reshape(M * B, T, 3, H, dh).permute(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]  # [M·B, H, T, dh]
            if past is not None:
                k = torch.cat([past[l][0], k], 2)
                v = torch.cat([past[l][1], v], 2)
            present.append((k, v))
            Tk = k.shape[2]
            scores = q @ k.transpose(-1, -2) / math.sqrt(dh)
            if T > 1:
                mask = torch.ones(T, Tk, dtype=torch.bool).triu(Tk - T + 1)
                scores = scores.masked_fill(mask, float("-inf"))
            att = (scores.softmax(-1) @ v).transpose(1, 2).reshape(M, B * T, d)
            x = x + torch.baddbmm(blk["bo"], att, blk["wo"])
            m = self.ln(x, blk["ln2g"], blk["ln2b"])
            x = x + torch.baddbmm(blk["b2"], F.gelu(torch.baddbmm(blk["b1"], m, blk["w1"]), approximate="tanh"), blk["w2"])
        return self.ln(x, self.lnfg, self.lnfb), present

    def logits(self, h):
        return torch.baddbmm(self.headb, h, self.headw)


def gpt_train_stepper(members, d=None, context=None, batch=None, heads=None, layers=None, vocab=None):
    g = torch.Generator().manual_seed(1)
    T, B, V = context or GPT["context"], batch or GPT_BATCH, vocab or GPT["vocab"]
    model = Gpt(members, T, g, d=d, heads=heads, layers=layers, vocab=V)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    tokens = torch.randint(0, V, (members, B, T), generator=g)

    def step():
        opt.zero_grad()
        h, _ = model.trunk(tokens)
        logits = model.logits(h).reshape(members, B, T, V)[:, :, :-1]
        # sum over members of each member's mean next-token cross-entropy
        loss = F.cross_entropy(logits.reshape(-1, V), tokens[:, :, 1:].reshape(-1)) * members
        loss.backward()
        opt.step()

    return step


def gpt_sample_stepper(cached):
    g = torch.Generator().manual_seed(2)
    model = Gpt(1, SAMPLE_CONTEXT, g)
    prompts = torch.randint(0, GPT["vocab"], (1, SAMPLE_ROWS, SAMPLE_PROMPT), generator=g)
    draws = torch.Generator()

    def next_tokens(last_logits):  # [R, V] -> [1, R, 1]
        probs = last_logits.softmax(-1)  # temperature 1
        return torch.multinomial(probs, 1, generator=draws).reshape(1, SAMPLE_ROWS, 1)

    def step():
        draws.manual_seed(3)
        with torch.inference_mode():
            seq = prompts
            if cached:
                h, kv = model.trunk(seq)
                last = h.reshape(1, SAMPLE_ROWS, SAMPLE_PROMPT, -1)[:, :, -1]
                for i in range(SAMPLE_NEW):
                    nxt = next_tokens(model.logits(last)[0])
                    seq = torch.cat([seq, nxt], 2)
                    if i + 1 == SAMPLE_NEW:
                        break
                    h, kv = model.trunk(nxt, seq.shape[2] - 1, kv)
                    last = h
            else:
                for _ in range(SAMPLE_NEW):
                    t = seq.shape[2]
                    h, _ = model.trunk(seq)
                    last = h.reshape(1, SAMPLE_ROWS, t, -1)[:, :, -1]
                    seq = torch.cat([seq, next_tokens(model.logits(last)[0])], 2)
        return seq

    return step


# --- main -------------------------------------------------------------------------------------


def run_all(threads):
    set_threads(threads)
    t0 = time.perf_counter()
    out = {}
    out["mlp_m1"], out[f"mlp_m{MEMBERS}"] = time_interleaved([(mlp_stepper(1), reps_mlp()), (mlp_stepper(MEMBERS), reps_mlp())])
    out["gpt_m1"], out[f"gpt_m{GPT_MEMBERS}"] = time_interleaved(
        [(gpt_train_stepper(1), reps_gpt(False)), (gpt_train_stepper(GPT_MEMBERS), reps_gpt(True))])
    out["sample_kv"], out["sample_full"] = time_interleaved(
        [(gpt_sample_stepper(True), reps_gpt(False)), (gpt_sample_stepper(False), reps_gpt(True))])
    print(f"  torch {threads} thread(s): done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return {k: round(v, 3) for k, v in out.items()}


def curve_points():
    """bench/curve-grid.ts curvePoints: each axis's values with the other settings at base."""
    import os
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "curve_grid.json")) as f:
        grid = json.load(f)
    points = []
    for axis in ("dModel", "context", "members", "batch"):
        for value in grid["axes"][axis]:
            size = dict(grid["base"])
            size[axis] = value
            points.append((f"{axis}={value}", axis, size))
    return grid, points


def run_curve(threads):
    set_threads(threads)
    grid, points = curve_points()
    fixed, reps = grid["fixed"], (grid["reps"]["warmup"], grid["reps"]["timed"])
    out = {}
    for axis in ("dModel", "context", "members", "batch"):
        mine = [(key, size) for key, a, size in points if a == axis]
        steppers = [(gpt_train_stepper(s["members"], d=s["dModel"], context=s["context"], batch=s["batch"], heads=fixed["heads"],
                                       layers=fixed["layers"], vocab=fixed["vocabSize"]), reps) for _, s in mine]
        for (key, _), ms in zip(mine, time_interleaved(steppers)):
            out[key] = round(ms, 3)
        print(f"  torch {threads} thread(s): {axis} done", file=sys.stderr)
    return out


def main():
    threads = default_threads()
    if CURVE:
        result = dict(ms=run_curve(threads), one_thread=run_curve(1) if threads > 1 else None, torch=torch.__version__, threads=threads)
        if result["one_thread"] is None:
            result["one_thread"] = result["ms"]
        print(json.dumps(result))
        return
    two = run_all(threads)
    one = run_all(1) if threads > 1 else dict(two)
    result = dict(two)
    result.update(one_thread=one, torch=torch.__version__, blas=blas_name(), threads=threads)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
