"""How the PyTorch peers run torch: which BLAS it is on, and how many threads it may use.

Shared by bench/peer/workloads.py (per-step timings) and the *_e2e.py scripts (whole
experiments), so every PyTorch figure in `npm run bench` is measured under the same thread
setup. stdlib + torch only.
"""
import ctypes
import os

import torch


def default_threads():
    """All cores, at most 2: the figures are read against traitlab on the same 2-core machine."""
    return max(1, min(2, os.cpu_count() or 1))


def _mapped_blas():
    """Paths of the BLAS libraries mapped into this process (after a matmul has loaded them)."""
    a = torch.ones(64, 64)
    a @ a
    with open("/proc/self/maps") as f:
        return sorted({l.split()[-1] for l in f if "blas" in l.lower() and "/" in l})


def _openblas():
    """The OpenBLAS torch runs on, or None. Debian's torch links the libblas.so.3 alternative
    (BLAS_INFO=generic); with libopenblas0 installed that alternative is OpenBLAS."""
    if not any("openblas" in p for p in _mapped_blas()):
        return None
    try:
        lib = ctypes.CDLL("libopenblas.so.0")  # already loaded: the same instance
    except OSError:
        return None
    return lib if hasattr(lib, "openblas_set_num_threads") else None


def blas_name():
    """Which BLAS torch's matmuls run on: the BLAS library mapped into this process."""
    info = next((l.split("=", 1)[1].split(",")[0] for l in torch.__config__.show().split() if l.startswith("BLAS_INFO=")), "?")
    libs = _mapped_blas()
    lib = _openblas()
    if lib is not None:
        lib.openblas_get_config.restype = ctypes.c_char_p
        return f"{lib.openblas_get_config().decode()} (torch BLAS_INFO={info})"
    return f"{', '.join(libs) or 'none mapped'} (torch BLAS_INFO={info})"


def set_threads(n):
    """n threads for torch's own (OpenMP) pool; OpenBLAS keeps a separate pthread pool that
    set_num_threads does not govern, and it is held to 1 thread: on 2 cores, with both pools at
    2 threads, steps measured 3-10x slower (OpenMP workers spin while OpenBLAS's wait for a core)."""
    torch.set_num_threads(n)
    lib = _openblas()
    if lib is not None:
        lib.openblas_set_num_threads(1)
