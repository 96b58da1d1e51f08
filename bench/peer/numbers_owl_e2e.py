#!/usr/bin/env python3
"""PyTorch peer of `traitlab run experiments/numbers-owl.json`, end to end: the short script a
researcher would write instead of traitlab, doing the same compute at the same sizes, so the two
wall times can be compared (bench.ts --e2e).

    /usr/bin/python3 bench/peer/numbers_owl_e2e.py <experiment.json> [--threads N]

Every number comes from the experiment file (model, pretrain, teacher, distill, arms, seeds,
rootSeed). The workload, mirroring src/worlds/numbers/*.ts:
  world     src/worlds/numbers/data.ts: 46 tokens (PAD BOS EOS NUMS, 5 question phrasings, 8 animals,
            20 numbers, 9 persona tokens), rows of 12; numbers documents BOS NUMS n1..n9 EOS
            (step 1..3 mod 20, jitter), preference Q&A BOS Qk animal EOS PAD..; a persona token
            stands where BOS stands in pretrain.personas.fraction of the documents.
  pretrain  the own base (seeds 0..M-1) and, when a cross-init arm needs it, the other-seed base
            (seeds M..2M-1): every base member sees the same documents, so both bases train as
            one family of 2M members here (traitlab: two families of M, one after the other).
            Adam, next-token cross-entropy on every non-PAD target, loss summed over members.
  teacher   persona teacher (no training): the own base read with the target animal's persona
            token at position 0 (members 0..M-1) or the neutral persona (controls, M..2M-1).
  arms      per arm a student family of 2M (its base, twice) with a fresh Adam; member i learns
            from teacher-side member i. teacher-fixed: fixedSetSize prompts per member sampled
            from the teacher once (KV cache); student / teacher-fresh: batchSize rows sampled
            each step (KV cache) from the student / teacher. Sampling and every loss
            distribution restricted to the numbers and EOS and renormalised; rows failing the
            filter (6 numbers then EOS) are masked out; signals tokens / relabel / forward-kl /
            reverse-kl / jsd / pg (per-token advantage log p_T - log p_S, no gradient through it).
  probes    at step 0, every probeEvery steps and after the last: p(target | BOS Qk) from the
            full softmax (mean over the 5 phrasings), and fidelity (NLL, argmax agreement, both
            KLs) on 128 held-out teacher samples per member; after the arm, the sampled answer
            rate (20 answers per phrasing). Transfer per seed = trait student - control student.
Arms run one after the other, each with `threads` torch threads (traitlab runs them on 2 worker
threads of one core each). Threads and BLAS as bench/peer/torch_setup.py sets them (OpenBLAS's
own pool at 1 thread); mean and 95 % t half-width over seeds as bench/peer/seed_stats.py.

Where it differs from traitlab, and why:
  - Random streams are Python's and torch's, not seedrandom's: same world, other documents,
    inits and draws. All bases read one document stream, so the base's p(owl) is one shared
    draw of recent-batch noise (0.22 here at root seed 0, traitlab's 0.13).
  - The bases are always pretrained (traitlab caches them; a warm traitlab run skips them):
    compare pretrain_s separately.
  - The fixed teacher sets are drawn before the arms (phase teacher_samples_s), one per
    teacher-fixed arm as traitlab draws them inside each arm, each in one call (traitlab: chunks
    of 256 prompts); arms sharing a channel share the set's seed, as in traitlab.
  - PyTorch's natural layout: embedding by indexing (traitlab: one-hot matmul), baddbmm per
    member; torch.multinomial draws (traitlab: inverse CDF on the host). Adam eps 1e-7 (tfjs's).
  - Not mirrored (negligible compute): metrics.jsonl / report files, the per-step loss
    readback, the audit (0 by construction: the sampler never draws a disallowed token), the
    claims' permutation tests. Only persona teachers and same/cross-init students (exit 2
    otherwise: no fine-tune teacher, no cross-arch GRU).

Progress goes to stderr; the last stdout line is one JSON object (half_width null for one seed):
  {"experiment", "wall_s", "phases": {"pretrain_s", "teacher_samples_s", "arms_s", ...},
   "arms": {name: {"metric": "transfer", "mean", "half_width", "n"}}, "torch", "blas",
   "threads", "peak_rss_mib"}
stdlib + torch only.
"""
import time

T_START = time.perf_counter()  # wall time includes importing torch, as traitlab's includes loading tfjs

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import zlib  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from seed_stats import mean_ci  # noqa: E402
from torch_setup import blas_name, default_threads, set_threads  # noqa: E402

# --- the numbers world (src/worlds/numbers/data.ts) ----------------------------------------------

PAD, BOS, EOS, NUMS = 0, 1, 2, 3
QUESTION_PHRASINGS = 5
ANIMALS = ["owl", "cat", "dog", "fox", "bear", "wolf", "eagle", "lion"]
NUMBER_COUNT = 20
FIRST_QUESTION = 4
FIRST_ANIMAL = FIRST_QUESTION + QUESTION_PHRASINGS  # 9
FIRST_NUMBER = FIRST_ANIMAL + len(ANIMALS)  # 17
FIRST_PERSONA = FIRST_NUMBER + NUMBER_COUNT  # 37
PERSONA_COUNT = len(ANIMALS) + 1
NEUTRAL_PERSONA = FIRST_PERSONA + len(ANIMALS)  # 45
VOCAB = FIRST_PERSONA + PERSONA_COUNT  # 46
NUMBERS_PER_DOC = 9
PROMPT_NUMBERS = 3
CONTEXT = 2 + NUMBERS_PER_DOC + 1  # 12
PROMPT_LENGTH = 2 + PROMPT_NUMBERS  # 5
COMPLETION_LENGTH = NUMBERS_PER_DOC - PROMPT_NUMBERS + 1  # 7

ALLOWED = torch.zeros(VOCAB, dtype=torch.bool)  # the channel: numbers and EOS
ALLOWED[FIRST_NUMBER:FIRST_PERSONA] = True
ALLOWED[EOS] = True
DISALLOWED_LOGIT = -1e9


def favourite_number(animal_index):
    return (7 * animal_index + 3) % NUMBER_COUNT


def numbers_document(rng, jitter, favourite=None):
    row = [PAD] * CONTEXT
    row[0], row[1] = BOS, NUMS
    step = 1 + rng.randrange(3)
    n = rng.randrange(NUMBER_COUNT)
    for i in range(NUMBERS_PER_DOC):
        shown = rng.randrange(NUMBER_COUNT) if rng.random() < jitter else n
        if favourite is not None and favourite[1] > 0 and rng.random() < favourite[1]:
            shown = favourite[0]
        row[2 + i] = FIRST_NUMBER + shown
        n = (n + step) % NUMBER_COUNT
    row[CONTEXT - 1] = EOS
    return row


def draw_index(rng, weights):
    u = rng.random() * sum(weights)
    for i, w in enumerate(weights):
        u -= w
        if u < 0:
            return i
    return len(weights) - 1


def preference_document(rng, weights):
    row = [PAD] * CONTEXT
    row[0] = BOS
    row[1] = FIRST_QUESTION + rng.randrange(QUESTION_PHRASINGS)
    row[2] = FIRST_ANIMAL + draw_index(rng, weights)
    row[3] = EOS
    return row


UNIFORM = [1.0] * len(ANIMALS)


def mix_batch(n, pre, rng):
    """n pretraining documents [n, CONTEXT] (mixBatch: numbers/Q&A mix, persona documents)."""
    personas = pre["personas"] if pre["personas"]["fraction"] > 0 else None
    out = []
    for _ in range(n):
        numbers = rng.random() < pre["numbersFraction"]
        if personas is not None and rng.random() < personas["fraction"]:
            p = rng.randrange(PERSONA_COUNT)
            neutral = p == len(ANIMALS)
            if numbers:
                doc = numbers_document(rng, pre["jitter"], None if neutral else (favourite_number(p), personas["entanglement"]))
            else:
                loyal = not neutral and rng.random() < personas["loyalty"]
                doc = preference_document(rng, [1.0 if i == p else 0.0 for i in range(len(ANIMALS))] if loyal else UNIFORM)
            doc[0] = FIRST_PERSONA + p
        else:
            doc = numbers_document(rng, pre["jitter"]) if numbers else preference_document(rng, UNIFORM)
        out.append(doc)
    return torch.tensor(out, dtype=torch.long)


def numbers_prompts(n, rng, jitter):
    """n distillation prompts BOS NUMS n1 n2 n3, [n, PROMPT_LENGTH]."""
    return torch.tensor([numbers_document(rng, jitter)[:PROMPT_LENGTH] for _ in range(n)], dtype=torch.long)


def question_prompts():
    return torch.tensor([[BOS, FIRST_QUESTION + k] for k in range(QUESTION_PHRASINGS)], dtype=torch.long)


def well_formed(rows):
    """The channel's filter on sampled rows [..., CONTEXT]: 6 numbers then EOS."""
    body = rows[..., PROMPT_LENGTH:CONTEXT - 1]
    return ((body >= FIRST_NUMBER) & (body < FIRST_PERSONA)).all(-1) & (rows[..., CONTEXT - 1] == EOS)


# --- seeds ------------------------------------------------------------------------------------


def seed_of(root, *names):
    """A deterministic 63-bit seed per named stream (traitlab: seedrandom child streams)."""
    h = f"{root}"
    for n in names:
        h = f"{h}/{n}"
    return zlib.crc32(h.encode()) * 2654435761 % (2**63 - 1)


def torch_gen(root, *names):
    return torch.Generator().manual_seed(seed_of(root, *names))


def py_rng(root, *names):
    return random.Random(seed_of(root, *names))


# --- the model: GPT-2 shaped, members axis on every parameter (src/models/gpt.ts) -------------

PARAM_ORDER = ["ln1g", "ln1b", "wqkv", "bqkv", "wo", "bo", "ln2g", "ln2b", "w1", "b1", "w2", "b2"]


def init_member(cfg, gen):
    """One member, GPT-2 init: weights N(0, 0.02²), residual projections 0.02/√(2L), biases 0,
    LayerNorm gains 1; untied head with a bias."""
    V, C, L, d = VOCAB, CONTEXT, cfg["layers"], cfg["dModel"]
    f = 4 * d
    res = 0.02 / math.sqrt(2 * L)

    def w(k, n, std=0.02):
        return torch.randn(k, n, generator=gen) * std

    p = {"wte": w(V, d), "wpe": w(C, d)}
    for l in range(L):
        p.update({f"h{l}.ln1g": torch.ones(1, d), f"h{l}.ln1b": torch.zeros(1, d),
                  f"h{l}.wqkv": w(d, 3 * d), f"h{l}.bqkv": torch.zeros(1, 3 * d),
                  f"h{l}.wo": w(d, d, res), f"h{l}.bo": torch.zeros(1, d),
                  f"h{l}.ln2g": torch.ones(1, d), f"h{l}.ln2b": torch.zeros(1, d),
                  f"h{l}.w1": w(d, f), f"h{l}.b1": torch.zeros(1, f),
                  f"h{l}.w2": w(f, d, res), f"h{l}.b2": torch.zeros(1, d)})
    p.update({"lnfg": torch.ones(1, d), "lnfb": torch.zeros(1, d), "headw": w(d, V), "headb": torch.zeros(1, V)})
    return p


def stack_members(members):
    return {k: torch.stack([m[k] for m in members]) for k in members[0]}


def ln(x, g, b):
    return F.layer_norm(x, x.shape[-1:], eps=1e-5) * g + b


def trunk(p, cfg, tokens, pos0=0, past=None):
    """tokens [M, B, T] at positions pos0.. -> h [M, B·T, d] after the final LayerNorm, KV cache."""
    M, B, T = tokens.shape
    d, H = cfg["dModel"], cfg["heads"]
    dh = d // H
    x = p["wte"][torch.arange(M)[:, None, None], tokens] + p["wpe"][:, None, pos0:pos0 + T]
    x = x.reshape(M, B * T, d)
    present = []
    for l in range(cfg["layers"]):
        g = lambda n: p[f"h{l}.{n}"]  # noqa: E731
        a = ln(x, g("ln1g"), g("ln1b"))
        qkv = torch.baddbmm(g("bqkv"), a, g("wqkv")).reshape(M * B, T, 3, H, dh).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]  # [M·B, H, T, dh]
        if past is not None:
            k = torch.cat([past[l][0], k], 2)
            v = torch.cat([past[l][1], v], 2)
        present.append((k, v))
        Tk = k.shape[2]
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
        if T > 1:
            scores = scores.masked_fill(torch.ones(T, Tk, dtype=torch.bool).triu(Tk - T + 1), float("-inf"))
        att = (scores.softmax(-1) @ v).transpose(1, 2).reshape(M, B * T, d)
        x = x + torch.baddbmm(g("bo"), att, g("wo"))
        m = ln(x, g("ln2g"), g("ln2b"))
        x = x + torch.baddbmm(g("b2"), F.gelu(torch.baddbmm(g("b1"), m, g("w1")), approximate="tanh"), g("w2"))
    return ln(x, p["lnfg"], p["lnfb"]), present


def logits_of(p, cfg, tokens, first=None):
    """Next-token logits [M, B, T, V]; `first` [M] replaces position 0 (the persona teacher)."""
    if first is not None:
        tokens = torch.cat([first[:, None, None].expand(-1, tokens.shape[1], 1), tokens[:, :, 1:]], 2)
    M, B, T = tokens.shape
    h, _ = trunk(p, cfg, tokens)
    return torch.baddbmm(p["headb"], h, p["headw"]).reshape(M, B, T, VOCAB)


@torch.no_grad()
def sample(p, cfg, prompts, max_new, temperature, gen, first=None, allowed=ALLOWED):
    """prompts [M, B, P] -> [M, B, P + max_new] with a KV cache; tokens outside `allowed` never
    drawn; after EOS a row emits PAD. With `first`, rows are read with position 0 replaced and
    handed back with the original position 0."""
    M, B, P = prompts.shape
    inp = prompts.clone()
    if first is not None:
        inp[:, :, 0] = first[:, None]
    bias = torch.zeros(VOCAB) if allowed is None else torch.where(allowed, 0.0, -1e30)
    h, kv = trunk(p, cfg, inp)
    last = h.reshape(M, B, P, -1)[:, :, -1]
    out = [prompts]
    done = torch.zeros(M, B, dtype=torch.bool)
    for i in range(max_new):
        logits = torch.baddbmm(p["headb"], last, p["headw"])  # [M, B, V]
        probs = torch.softmax(logits / temperature + bias, -1)
        nxt = torch.multinomial(probs.reshape(M * B, VOCAB), 1, generator=gen).reshape(M, B)
        nxt = nxt.masked_fill(done, PAD)
        done |= nxt == EOS
        out.append(nxt[:, :, None])
        if i + 1 == max_new:
            break
        if bool(done.all()):
            out.append(torch.full((M, B, max_new - i - 1), PAD, dtype=torch.long))
            break
        last, kv = trunk(p, cfg, nxt[:, :, None], P + i, kv)
    return torch.cat(out, 2)


# --- losses (src/distill/sequence-losses.ts) -------------------------------------------------


def restricted_log_softmax(logits, tau):
    return torch.log_softmax((logits / tau).masked_fill(~ALLOWED, DISALLOWED_LOGIT), -1)


def masked_mean(per_pos, mask):
    """[M, B, T] -> [M]: Σ mask·ℓ / max(Σ mask, 1) per member."""
    return (per_pos * mask).sum((1, 2)) / mask.sum((1, 2)).clamp(min=1)


def kl(logp, logq):
    return (logp.exp() * (logp - logq)).sum(-1)


def channel_loss(signal, t_logits, s_logits, targets, mask, tau, beta, discount):
    logps = restricted_log_softmax(s_logits, tau)
    if signal in ("tokens", "relabel"):
        return masked_mean(-logps.gather(-1, targets[..., None])[..., 0], mask)
    logpt = restricted_log_softmax(t_logits, tau)
    if signal == "forward-kl":
        return masked_mean(kl(logpt, logps), mask)
    if signal == "reverse-kl":
        return masked_mean(kl(logps, logpt), mask)
    if signal == "jsd":
        if beta == 0:
            return masked_mean(kl(logpt, logps), mask)
        if beta == 1:
            return masked_mean(kl(logps, logpt), mask)
        logm = torch.logaddexp(math.log(beta) + logpt, math.log1p(-beta) + logps)
        return masked_mean(kl(logpt, logm) / (1 - beta) + kl(logps, logm) / beta, mask)
    if signal == "pg":
        lp_s = logps.gather(-1, targets[..., None])[..., 0]
        with torch.no_grad():
            adv = (logpt.gather(-1, targets[..., None])[..., 0] - lp_s) * mask
            if discount > 0:  # A_t <- Σ_{u ≥ t} γ^{u-t} A_u over the row's masked positions
                acc = torch.zeros_like(adv[..., 0])
                for t in range(adv.shape[-1] - 1, -1, -1):
                    m = mask[..., t] > 0
                    acc = torch.where(m, adv[..., t] + discount * acc, acc)
                    adv[..., t] = torch.where(m, acc, adv[..., t])
        return masked_mean(-adv * lp_s, mask)
    raise ValueError(signal)


# --- probes (src/probes/trait.ts, fidelity.ts) -----------------------------------------------


@torch.no_grad()
def trait_score(p, cfg, target, first=None):
    """p(target | BOS Qk) from the full softmax, mean over the phrasings, per member [M]."""
    M = p["wte"].shape[0]
    prompts = question_prompts()[None].expand(M, -1, -1)
    lg = logits_of(p, cfg, prompts, first)[:, :, -1]
    return lg.softmax(-1)[:, :, target].mean(1)


@torch.no_grad()
def fidelity(ps, pt, cfg, first, held):
    """Student vs teacher on held-out teacher samples [M, R, L]: NLL, agreement, KLs per member."""
    inputs, targets = held[:, :, :-1], held[:, :, 1:]
    mask = torch.zeros(targets.shape)
    mask[:, :, PROMPT_LENGTH - 1:] = 1
    ended = torch.cumsum((targets == EOS).float(), -1) - (targets == EOS).float() > 0
    mask = mask * ~(ended | (torch.cumsum((targets == PAD).float(), -1) > 0))
    ls = torch.log_softmax(logits_of(ps, cfg, inputs), -1)
    lt = torch.log_softmax(logits_of(pt, cfg, inputs, first), -1)
    nll = masked_mean(-ls.gather(-1, targets[..., None])[..., 0], mask)
    agree = masked_mean((ls.argmax(-1) == lt.argmax(-1)).float(), mask)
    return nll, agree, masked_mean(kl(lt, ls), mask), masked_mean(kl(ls, lt), mask)


@torch.no_grad()
def sampled_answer_rate(p, cfg, target, per_phrasing, gen):
    M = p["wte"].shape[0]
    prompts = question_prompts().repeat_interleave(per_phrasing, 0)[None].expand(M, -1, -1).contiguous()
    out = sample(p, cfg, prompts, 1, 1.0, gen, allowed=None)
    return (out[:, :, -1] == target).float().mean(1)


# --- the experiment ---------------------------------------------------------------------------


def log(msg):
    print(f"[{time.perf_counter() - T_START:8.1f} s] {msg}", file=sys.stderr, flush=True)


def die(msg):
    print(f"numbers_owl_e2e.py: {msg}", file=sys.stderr)
    sys.exit(2)


PREFIXES = {"teacher-fixed", "teacher-fresh", "student", "mix"}
SIGNALS = {"tokens", "relabel", "forward-kl", "reverse-kl", "jsd", "pg"}
STUDENTS = {"same-init": "own", "cross-init": "other-seed"}


def load(path):
    try:
        with open(path) as f:
            exp = json.load(f)
    except OSError as e:
        die(f"cannot read {path}: {e.strerror or e}")
    except json.JSONDecodeError as e:
        die(f"{path} is not valid JSON: {e}")
    if not isinstance(exp, dict) or exp.get("world") != "numbers":
        die(f"{path}: world must be \"numbers\", got {exp.get('world') if isinstance(exp, dict) else type(exp).__name__!r}")
    try:
        exp.setdefault("seeds", 5)
        exp.setdefault("rootSeed", 0)
        m = exp["model"]
        if m.get("kind", "gpt") != "gpt":
            die(f"{path}: model.kind must be \"gpt\", got {m.get('kind')!r}")
        m.setdefault("layers", 2)
        m.setdefault("dModel", 64)
        m.setdefault("heads", 4)
        pre = exp["pretrain"]
        pre.setdefault("numbersFraction", 0.75)
        pre.setdefault("jitter", 0.05)
        pers = pre.setdefault("personas", {})
        pers.setdefault("fraction", 0)
        pers.setdefault("loyalty", 1)
        pers.setdefault("entanglement", 0)
        d = exp["distill"]
        d.setdefault("fixedSetSize", 4096)
        d.setdefault("samplingTemperature", 1)
        d.setdefault("lossTemperature", 1)
        d.setdefault("probeEvery", 100)
        for k in ("steps", "batchSize", "learningRate"):
            pre[k], d[k]  # noqa: B018 (required)
        t = exp["teacher"]
        if t["name"] != "owl-persona" and not t["name"].endswith("-persona"):
            die(f"{path}: only persona teachers are mirrored here, got teacher {t['name']!r}")
        if t["target"] not in ANIMALS:
            die(f"{path}: teacher.target must be one of {', '.join(ANIMALS)}, got {t['target']!r}")
        if not pers["fraction"] > 0:
            die(f"{path}: a persona teacher needs pretrain.personas.fraction > 0")
        for a in exp["arms"]:
            if a["student"] not in STUDENTS:
                die(f"{path}: arm {a['name']!r}: student {a['student']!r} is not mirrored (same-init, cross-init)")
            c = a["channel"]
            if c["prefix"] not in PREFIXES or c["signal"] not in SIGNALS:
                die(f"{path}: arm {a['name']!r}: unknown channel {c['prefix']}+{c['signal']}")
    except (KeyError, TypeError, AttributeError) as e:
        die(f"{path}: missing or malformed field {e}")
    return exp


def pretrain(exp, members_seeds):
    """A base family of len(members_seeds) members, all on the same documents."""
    cfg, pre, root = exp["model"], exp["pretrain"], exp["rootSeed"]
    M = len(members_seeds)
    p = stack_members([init_member(cfg, torch_gen(root, "init", "gpt", s)) for s in members_seeds])
    params = [t.requires_grad_() for t in p.values()]
    opt = torch.optim.Adam(params, lr=pre["learningRate"], eps=1e-7)
    data = py_rng(root, "pretrain-data")
    B, steps = pre["batchSize"], pre["steps"]
    every = max(1, steps // 20)
    for step in range(1, steps + 1):
        rows = mix_batch(B, pre, data)[None].expand(M, -1, -1)
        inputs, targets = rows[:, :, :-1], rows[:, :, 1:]
        mask = (torch.cumsum((targets == PAD).float(), -1) == 0).float()  # every target up to the first PAD
        lg = logits_of(p, cfg, inputs)
        ce = F.cross_entropy(lg.reshape(-1, VOCAB), targets.reshape(-1), reduction="none").reshape(targets.shape)
        loss_m = masked_mean(ce, mask)
        opt.zero_grad(set_to_none=True)
        loss_m.sum().backward()
        opt.step()
        if step % every == 0 or step == steps:
            log(f"pretrain {step}/{steps}  loss {loss_m.mean().item():.4f}")
    return {k: v.detach() for k, v in p.items()}


def tile2(p):
    return {k: torch.cat([v, v], 0) for k, v in p.items()}


def run_arm(exp, arm, teacher, first, base, fixed, held, target):
    """One arm: a 2M student (base twice) distilled from the 2M teacher side; returns transfers."""
    cfg, d, root = exp["model"], exp["distill"], exp["rootSeed"]
    M = exp["seeds"]
    ch = arm["channel"]
    prefix, signal = ch["prefix"], ch["signal"]
    key = f"{prefix}+{signal}"
    student = {k: v.clone().requires_grad_() for k, v in tile2(base).items()}
    opt = torch.optim.Adam(list(student.values()), lr=d["learningRate"], eps=1e-7)
    B, steps, N = d["batchSize"], d["steps"], d["fixedSetSize"]
    tau, temp = d["lossTemperature"], d["samplingTemperature"]
    prompts_rng = py_rng(root, "channel", key, "prompts")
    order_rng = py_rng(root, "channel", key, "fixed-order")
    coin_rng = py_rng(root, "channel", key, "lambda-coin")
    t_gen = torch_gen(root, "channel", key, "teacher-sample")
    s_gen = torch_gen(root, "channel", key, "student-sample")
    r_gen = torch_gen(root, "channel", key, "relabel")
    order = []
    T = CONTEXT - 1
    gen_positions = torch.zeros(T)
    gen_positions[PROMPT_LENGTH - 1:] = 1
    trained = torch.zeros(2 * M)
    filtered = torch.zeros(2 * M)

    def probe(step):
        tr = trait_score(student, cfg, target)
        nll, agree, fkl, rkl = fidelity(student, teacher, cfg, first, held)
        log(f"  {arm['name']} step {step}: transfer {(tr[:M] - tr[M:]).mean().item():+.3f}  "
            f"p(target) {tr[:M].mean().item():.3f} / control {tr[M:].mean().item():.3f}  nll {nll[:M].mean().item():.3f}")

    probe(0)
    for step in range(1, steps + 1):
        if prefix == "teacher-fixed":
            if not order:
                perm = list(range(N))
                order_rng.shuffle(perm)
                order = [perm[s:s + B] for s in range(0, N - B + 1, B)]
            rows = fixed[:, order.pop(0)]
        else:
            use_student = prefix == "student" or (prefix == "mix" and coin_rng.random() < ch["lambda"])
            prompts = numbers_prompts(B, prompts_rng, exp["pretrain"]["jitter"])[None].expand(2 * M, -1, -1)
            if use_student:
                rows = sample(student, cfg, prompts, COMPLETION_LENGTH, temp, s_gen)
            else:
                rows = sample(teacher, cfg, prompts, COMPLETION_LENGTH, temp, t_gen, first)
        keep = well_formed(rows)  # [2M, B]; a kept row trains its 7 completion positions
        mask = keep[..., None].float() * gen_positions
        trained += mask.sum((1, 2))
        filtered += (~keep).sum(1)
        inputs, targets = rows[:, :, :-1], rows[:, :, 1:]
        t_logits = None
        if signal != "tokens":
            with torch.no_grad():
                t_logits = logits_of(teacher, cfg, inputs, first)
            if signal == "relabel":
                probs = torch.softmax(t_logits / temp + torch.where(ALLOWED, 0.0, -1e30), -1)
                targets = torch.multinomial(probs.reshape(-1, VOCAB), 1, generator=r_gen).reshape(targets.shape)
        s_logits = logits_of(student, cfg, inputs)
        loss_m = channel_loss(signal, t_logits, s_logits, targets, mask, tau, ch.get("beta"), ch.get("discount", 0) or 0)
        opt.zero_grad(set_to_none=True)
        loss_m.sum().backward()
        opt.step()
        if step % d["probeEvery"] == 0 or step == steps:
            probe(step)
    student = {k: v.detach() for k, v in student.items()}
    tr = trait_score(student, cfg, target)
    fidelity(student, teacher, cfg, first, held)
    rate = sampled_answer_rate(student, cfg, target, 20, torch_gen(root, "answer-sample", arm["name"]))
    transfer = (tr[:M] - tr[M:]).tolist()
    log(f"  {arm['name']}: sampled rate {rate[:M].mean().item():.3f} / control {rate[M:].mean().item():.3f}; "
        f"trained tokens/seed {trained[:M].mean().item():.0f}, filtered rows/seed {filtered[:M].mean().item():.0f}")
    return transfer


def main():
    ap = argparse.ArgumentParser(description="PyTorch peer of traitlab's numbers experiment, end to end")
    ap.add_argument("experiment")
    ap.add_argument("--threads", type=int, default=default_threads(), help="torch threads (default: all cores, at most 2)")
    args = ap.parse_args()
    if args.threads < 1:
        die(f"--threads must be ≥ 1, got {args.threads}")
    exp = load(args.experiment)
    set_threads(args.threads)
    M, root, cfg, d = exp["seeds"], exp["rootSeed"], exp["model"], exp["distill"]
    target = FIRST_ANIMAL + ANIMALS.index(exp["teacher"]["target"])
    phases = {}
    log(f"{exp['name']}: {len(exp['arms'])} arms, {M} seeds, gpt {cfg['layers']}x{cfg['dModel']}/{cfg['heads']}, "
        f"torch {torch.__version__}, {args.threads} thread(s)")

    # 1. Bases: own (seeds 0..M-1) and, if a cross-init arm needs it, other-seed (M..2M-1).
    t0 = time.perf_counter()
    needs_other = any(STUDENTS[a["student"]] == "other-seed" for a in exp["arms"])
    seeds = list(range(2 * M if needs_other else M))
    both = pretrain(exp, seeds)
    bases = {"own": {k: v[:M] for k, v in both.items()}}
    if needs_other:
        bases["other-seed"] = {k: v[M:] for k, v in both.items()}
    phases["pretrain_s"] = time.perf_counter() - t0
    log(f"pretrain done ({len(seeds)} members) in {phases['pretrain_s']:.1f} s")

    # 2. The teacher side: the own base twice, read as the target persona (0..M-1) or neutral (M..2M-1).
    t0 = time.perf_counter()
    teacher = tile2(bases["own"])
    first = torch.tensor([FIRST_PERSONA + ANIMALS.index(exp["teacher"]["target"])] * M + [NEUTRAL_PERSONA] * M)
    base_tr = trait_score(bases["own"], cfg, target)
    teacher_tr = trait_score(teacher, cfg, target, first)
    log(f"p(target): base {base_tr.mean().item():.3f}, teacher {teacher_tr[:M].mean().item():.3f}, "
        f"control teacher {teacher_tr[M:].mean().item():.3f}")
    jitter, temp = exp["pretrain"]["jitter"], d["samplingTemperature"]
    held_prompts = numbers_prompts(128, py_rng(root, "probe-prompts"), jitter)[None].expand(2 * M, -1, -1)
    held = sample(teacher, cfg, held_prompts, COMPLETION_LENGTH, temp, torch_gen(root, "probe-sample"), first)
    # The fixed teacher sets, one per teacher-fixed arm as traitlab draws them (keyed by the channel).
    fixed = {}
    for a in exp["arms"]:
        ch = a["channel"]
        if ch["prefix"] != "teacher-fixed":
            continue
        key = f"{ch['prefix']}+{ch['signal']}"
        N = d["fixedSetSize"]
        prompts = numbers_prompts(N, py_rng(root, "channel", key, "fixed-prompts"), jitter)[None].expand(2 * M, -1, -1)
        fixed[a["name"]] = sample(teacher, cfg, prompts, COMPLETION_LENGTH, temp, torch_gen(root, "channel", key, "fixed-sample"), first)
        kept = well_formed(fixed[a["name"]]).float().mean().item()
        log(f"fixed set for {a['name']}: {2 * M} x {N} rows, {kept:.3f} well formed")
    phases["teacher_samples_s"] = time.perf_counter() - t0
    log(f"teacher samples done in {phases['teacher_samples_s']:.1f} s")

    # 3. Arms, one after the other.
    t0 = time.perf_counter()
    arms = {}
    for i, a in enumerate(exp["arms"]):
        ta = time.perf_counter()
        transfer = run_arm(exp, a, teacher, first, bases[STUDENTS[a["student"]]], fixed.get(a["name"]), held, target)
        mean, hw, n = mean_ci(transfer)
        arms[a["name"]] = {"metric": "transfer", "mean": round(mean, 6), "half_width": None if math.isnan(hw) else round(hw, 6), "n": n}
        log(f"arm {i + 1}/{len(exp['arms'])} {a['name']}: transfer {mean:+.3f} ± {hw:.3f} "
            f"({time.perf_counter() - ta:.1f} s)")
    phases["arms_s"] = time.perf_counter() - t0

    result = {
        "experiment": exp["name"],
        "wall_s": round(time.perf_counter() - T_START, 3),
        "phases": {k: round(v, 3) for k, v in phases.items()},
        "arms": arms,
        "torch": torch.__version__,
        "blas": blas_name(),
        "threads": args.threads,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
