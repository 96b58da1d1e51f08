#!/usr/bin/env python3
"""PyTorch peer of a whole traitlab run of experiments/mnist-aux-logits.json (Cloud et al. 2025,
auxiliary-logit transfer): the same workload written the way one would in PyTorch, timed end to end.

    python3 bench/peer/mnist_aux_logits_e2e.py <experiment.json> --data <digits file> [--threads N]

Run by `npm run bench -- --e2e` after traitlab's own run (never alongside), which writes the
digits file first (bench/peer/export-mnist.ts: exactly the 8,000 train / 2,000 test digits of
traitlab's MNIST world). Every size, epoch count, batch size, learning rate, noise-set size,
temperature, seed count and arm is read from the experiment file, so the two stay in step.

What runs, matching src/worlds/mnist/experiment.ts:
  MLP 784 -> hidden... -> 10 + aux, ReLU between layers, W ~ N(0, 1/d_in), b = 0. The M = seeds
  members train at once as a batched ensemble (parameters [M, ...], bmm), on one shared data order.
  reference  the untrained teachers
  teacher    Adam on cross-entropy over the 10 class logits, epochs over the train digits
  students   distilled on uniform noise in [-1, 1] by forward KL over the softmax (at the
             temperature) of the chosen logits (aux: the aux logits only; all: every logit);
             same-init starts from the teacher's init, cross-init from seed M + i's init; every
             arm sees the same batch order. One pass of the frozen teacher over the noise serves all.
  test accuracy of every arm on the held-out digits (argmax over the 10 class logits).
The random draws are torch's, not traitlab's: same distributions, different numbers.

Progress goes to stderr; the last stdout line is one JSON object:
  {"experiment", "wall_s", "phases": {"<phase>_s"}, "arms": {name: {"metric", "mean",
   "half_width", "n"}}, "torch", "blas", "threads", "peak_rss_mib"}
half_width is the 95 % Student-t half-width over seeds (seed_stats.py, as traitlab).
stdlib + torch only.
"""
import json
import math
import os
import resource
import struct
import sys
import time

T_START = time.perf_counter()  # wall time includes importing torch, as traitlab's includes loading tfjs

import torch
import torch.nn.functional as F

from seed_stats import mean_ci
from torch_setup import blas_name, default_threads, set_threads

NUM_CLASSES = 10
IMAGE_SIZE = 784
MAGIC = b"TLMNIST1"
USAGE = "usage: python3 bench/peer/mnist_aux_logits_e2e.py <experiment.json> --data <digits file> [--threads N]"


def fail(message):
    """One line on stderr and exit 1: bench.ts shows the line and carries on."""
    print(f"mnist_aux_logits_e2e: {message}", file=sys.stderr)
    sys.exit(1)


def parse_args(argv):
    exp_path, data, threads = None, None, default_threads()
    it = iter(argv)
    for a in it:
        if a in ("--data", "--threads"):
            v = next(it, None)
            if v is None:
                fail(f"{a} needs a value\n{USAGE}")
            if a == "--data":
                data = v
            else:
                try:
                    threads = int(v)
                except ValueError:
                    fail(f"--threads must be a whole number, not {v!r}")
        elif exp_path is None and not a.startswith("-"):
            exp_path = a
        else:
            fail(f"unexpected argument {a!r}\n{USAGE}")
    if exp_path is None:
        fail(f"no experiment file given\n{USAGE}")
    if data is None:
        fail("no digits file given (--data); write one with `node dist/bench/peer/export-mnist.js <file>` (npm run bench -- --e2e does this)")
    return exp_path, data, max(1, threads)


def load_digits(path):
    """The file export-mnist.ts writes: (train_x, train_y, test_x, test_y)."""
    if not os.path.isfile(path):
        fail(f"digits file {path} is missing; write it with `node dist/bench/peer/export-mnist.js {path}`")
    with open(path, "rb") as f:
        buf = bytearray(f.read())  # writable, so torch.frombuffer shares it without a warning
    if len(buf) < 24 or bytes(buf[:8]) != MAGIC:
        fail(f"{path} is not a traitlab digits file (no {MAGIC.decode()} header)")
    n_train, n_test, dim, _ = struct.unpack_from("<4I", buf, 8)
    if len(buf) != 24 + 4 * (n_train * dim + n_train + n_test * dim + n_test):
        fail(f"{path} is truncated or the wrong size for {n_train} + {n_test} digits of {dim} pixels")
    off = 24

    def take(dtype, count):
        nonlocal off
        t = torch.frombuffer(buf, dtype=dtype, count=count, offset=off)
        off += 4 * count
        return t

    train_x = take(torch.float32, n_train * dim).view(n_train, dim)
    train_y = take(torch.int32, n_train).long()
    test_x = take(torch.float32, n_test * dim).view(n_test, dim)
    test_y = take(torch.int32, n_test).long()
    return train_x, train_y, test_x, test_y


def draw_init(sizes, seed, root_seed):
    """One member's initial parameters from its own generator: W ~ N(0, 1/d_in), b = 0."""
    g = torch.Generator().manual_seed(root_seed * 1_000_003 + seed)
    ws = [torch.randn(a, b, generator=g) / math.sqrt(a) for a, b in zip(sizes, sizes[1:])]
    bs = [torch.zeros(b) for b in sizes[1:]]
    return ws, bs


class Ensemble:
    """M MLPs as one set of tensors: weights [M, d_in, d_out], biases [M, 1, d_out]."""

    def __init__(self, inits):
        layers = len(inits[0][0])
        self.ws = [torch.stack([ws[l] for ws, _ in inits]).requires_grad_() for l in range(layers)]
        self.bs = [torch.stack([bs[l] for _, bs in inits]).unsqueeze(1).requires_grad_() for l in range(layers)]

    @property
    def params(self):
        return self.ws + self.bs

    def __call__(self, x):
        """x [B, d_in], shared by every member -> logits [M, B, K]."""
        h = x
        last = len(self.ws) - 1
        for l, (w, b) in enumerate(zip(self.ws, self.bs)):
            # layer 0: the shared batch against every member's weights (a broadcast matmul);
            # later layers: one batched matmul over members
            h = torch.matmul(h, w) + b if l == 0 else torch.baddbmm(b, h, w)
            if l < last:
                h = torch.relu(h)
        return h


def epoch_batches(n, batch, epochs, g):
    """Index batches over `epochs` shuffled passes, keeping the last partial batch (as traitlab)."""
    for _ in range(epochs):
        order = torch.randperm(n, generator=g)
        for start in range(0, n, batch):
            yield order[start:start + batch]


def steps_for(n, batch, epochs):
    return math.ceil(n / batch) * epochs


@torch.no_grad()
def accuracy(model, x, y, chunk=2048):
    """Per member: fraction of images whose argmax over the 10 class logits is the label."""
    correct = torch.zeros(model.ws[0].shape[0])
    for s in range(0, len(y), chunk):
        pred = model(x[s:s + chunk])[:, :, :NUM_CLASSES].argmax(-1)  # [M, rows]
        correct += (pred == y[s:s + chunk]).sum(1).float()
    return (correct / len(y)).tolist()


class Progress:
    """A line on stderr every ~15 s, so a long stage shows it is moving."""

    def __init__(self, label, total):
        self.label, self.total, self.t0, self.last = label, total, time.perf_counter(), time.perf_counter()

    def step(self, i):
        now = time.perf_counter()
        if now - self.last >= 15 or i == self.total:
            self.last = now
            print(f"  {self.label}: step {i}/{self.total}, {now - self.t0:.0f} s", file=sys.stderr)


def train_teacher(model, x, y, settings, g):
    opt = torch.optim.Adam(model.params, lr=settings["learningRate"])
    M = model.ws[0].shape[0]
    total = steps_for(len(y), settings["batchSize"], settings["epochs"])
    progress = Progress("teacher", total)
    for i, idx in enumerate(epoch_batches(len(y), settings["batchSize"], settings["epochs"], g), 1):
        logits = model(x[idx])[:, :, :NUM_CLASSES]  # [M, B, 10]
        # sum over members of each member's mean cross-entropy: each member gets its own gradient
        loss = F.cross_entropy(logits.reshape(-1, NUM_CLASSES), y[idx].repeat(M)) * M
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        progress.step(i)


def distill(model, noise, targets, lo, hi, settings, g, label):
    """Forward KL(p_teacher || p_student) over softmax(logits[lo:hi] / T), summed over members."""
    opt = torch.optim.Adam(model.params, lr=settings["learningRate"])
    T = settings["temperature"]
    n = noise.shape[0]
    total = steps_for(n, settings["batchSize"], settings["epochs"])
    progress = Progress(label, total)
    for i, idx in enumerate(epoch_batches(n, settings["batchSize"], settings["epochs"], g), 1):
        log_pt = F.log_softmax(targets[:, idx, lo:hi] / T, -1)  # [M, B, k]
        log_ps = F.log_softmax(model(noise[idx])[:, :, lo:hi] / T, -1)
        kl = (log_pt.exp() * (log_pt - log_ps)).sum(-1).mean(1)  # [M]
        opt.zero_grad(set_to_none=True)
        kl.sum().backward()
        opt.step()
        progress.step(i)


def main():
    exp_path, data_path, threads = parse_args(sys.argv[1:])
    try:
        with open(exp_path) as f:
            exp = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read {exp_path}: {e}")
    if exp.get("world") != "mnist":
        fail(f"{exp_path} is not an MNIST experiment (world {exp.get('world')!r})")
    set_threads(threads)
    phases = {}

    def phase(name, t0):
        phases[f"{name}_s"] = round(time.perf_counter() - t0, 2)
        print(f"{name}: {phases[f'{name}_s']:.1f} s", file=sys.stderr)

    t0 = time.perf_counter()
    train_x, train_y, test_x, test_y = load_digits(data_path)
    phase("data", t0)

    M, root_seed = exp["seeds"], exp["rootSeed"]
    sizes = [IMAGE_SIZE, *exp["model"]["hidden"], NUM_CLASSES + exp["model"]["auxLogits"]]
    K = sizes[-1]
    arms = exp["arms"]
    inits = {}

    def init_of(seed):
        if seed not in inits:
            inits[seed] = draw_init(sizes, seed, root_seed)
        return inits[seed]

    teacher_inits = [init_of(m) for m in range(M)]
    accuracies = {}
    teacher = Ensemble(teacher_inits)
    for arm in arms:
        if arm["kind"] == "reference":
            accuracies[arm["name"]] = accuracy(teacher, test_x, test_y)

    students = [a for a in arms if a["kind"] == "student"]
    if any(a["kind"] != "reference" for a in arms):
        t0 = time.perf_counter()
        train_teacher(teacher, train_x, train_y, exp["teacher"], torch.Generator().manual_seed(root_seed * 1_000_003 + 7919))
        acc = accuracy(teacher, test_x, test_y)
        for arm in arms:
            if arm["kind"] == "teacher":
                accuracies[arm["name"]] = acc
        phase("teacher", t0)
        print(f"  teacher accuracy {sum(acc) / M:.3f}", file=sys.stderr)

    if students:
        d = exp["distill"]
        t0 = time.perf_counter()
        g = torch.Generator().manual_seed(root_seed * 1_000_003 + 104729)
        noise = torch.rand(d["noiseImages"], IMAGE_SIZE, generator=g) * 2 - 1
        with torch.no_grad():  # the frozen teacher's logits on the noise, once for every arm
            targets = torch.cat([teacher(noise[s:s + 4096]) for s in range(0, len(noise), 4096)], 1)  # [M, n, K]
        phase("targets", t0)
        t0 = time.perf_counter()
        for arm in students:
            t_arm = time.perf_counter()
            if arm["student"] == "same-init":
                init = teacher_inits
            elif arm["student"] == "cross-init":
                init = [init_of(M + m) for m in range(M)]  # seeds no teacher of the run uses
            else:
                fail(f"arm {arm['name']}: student {arm['student']!r} is not same-init or cross-init")
            lo, hi = (NUM_CLASSES, K) if arm["logits"] == "aux" else (0, K)
            student = Ensemble(init)
            # every arm sees the same batch order: the generator is keyed by the noise set, not the arm
            distill(student, noise, targets, lo, hi, d, torch.Generator().manual_seed(root_seed * 1_000_003 + 1299709), arm["name"])
            accuracies[arm["name"]] = accuracy(student, test_x, test_y)
            print(f"  {arm['name']}: accuracy {sum(accuracies[arm['name']]) / M:.3f}, {time.perf_counter() - t_arm:.0f} s", file=sys.stderr)
        phase("students", t0)

    out_arms = {}
    for arm in arms:
        mean, half, n = mean_ci(accuracies[arm["name"]])
        out_arms[arm["name"]] = {"metric": "accuracy", "mean": round(mean, 6), "half_width": None if math.isnan(half) else round(half, 6), "n": n}
    result = {
        "experiment": exp.get("name", os.path.basename(exp_path)),
        "wall_s": round(time.perf_counter() - T_START, 2),
        "phases": phases,
        "arms": out_arms,
        "torch": torch.__version__,
        "blas": blas_name(),
        "threads": threads,
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
