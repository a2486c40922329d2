"""Shared helpers for the PyTorch reference workloads run by bench/speed.ts.

They install nothing: a missing module is reported on stderr and the script exits with status 3,
which bench/speed.ts shows as "PyTorch side unavailable".
"""
import json
import resource
import sys
import time

MISSING_EXIT = 3


def require_torch():
    """Imports torch and numpy, or exits naming what is missing."""
    missing = []
    try:
        import numpy  # noqa: F401
    except ImportError:
        missing.append("numpy (Debian: python3-numpy)")
    try:
        import torch  # noqa: F401
    except ImportError:
        missing.append("torch (Debian: python3-torch)")
    if missing:
        sys.stderr.write("missing Python modules: " + ", ".join(missing) + f" (interpreter {sys.executable})\n")
        sys.exit(MISSING_EXIT)
    import numpy
    import torch
    return torch, numpy


def set_threads(torch, intra, interop):
    """Fixes PyTorch's intra-op and inter-op pool sizes; interop must be set before any parallel work."""
    torch.set_num_interop_threads(interop)
    torch.set_num_threads(intra)


def peak_rss_mb():
    """Peak resident set size of this process in MiB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def time_reps(fn, units_per_rep, reps, warmup, warmup_seconds=0.0):
    """Runs fn untimed at least warmup times and for at least warmup_seconds, then reps timed times; returns per-rep rates (units/s)."""
    t0 = time.perf_counter()
    done = 0
    while done < warmup or time.perf_counter() - t0 < warmup_seconds:
        fn()
        done += 1
    rates = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        rates.append(units_per_rep / (time.perf_counter() - t0))
    return rates


def emit(result):
    """Prints the one JSON result line bench/speed.ts reads (last line of stdout)."""
    result["peak_rss_mb"] = peak_rss_mb()
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
