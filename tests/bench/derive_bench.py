#!/usr/bin/env python3
"""Blockwise Pearson r of a 10100 x 9660 pair, side by side: NumPy's strided block view (the
"better practice" of the blockwise project, written here with the per-block normalisation it
needs) against `tessera derive`, in one run, as ratios. Also a 15 x 15 sliding window.

    python3 tests/bench/derive_bench.py build/default/app/tessera [--dir /tmp/derive-bench]

Writes the pairs (float32 and uint16, random with a shared component) once into --dir. Times are
the best of --repeat runs; peak memory is the process's maximum resident set (GNU time).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

H, W, B = 10100, 9660, 10


def make_pair(directory):
    paths = {}
    rng = np.random.default_rng(1)
    a = None
    for dtype in ("float32", "uint16"):
        pa = os.path.join(directory, f"a-{dtype}.npy")
        pb = os.path.join(directory, f"b-{dtype}.npy")
        if not (os.path.exists(pa) and os.path.exists(pb)):
            if a is None:
                a = rng.random((H, W), dtype=np.float32) * 1000
                b = a * 0.5 + rng.random((H, W), dtype=np.float32) * 500
            np.save(pa, a.astype(dtype))
            np.save(pb, b.astype(dtype))
        paths[dtype] = (pa, pb)
    return paths


def numpy_blocks(pa, pb):
    """Per-block r through a strided (H/B, W/B, B, B) view, in float64."""
    a = np.load(pa, mmap_mode="r")
    b = np.load(pb, mmap_mode="r")
    h, w = (a.shape[0] // B) * B, (a.shape[1] // B) * B
    va = np.asarray(a[:h, :w], dtype=np.float64).reshape(h // B, B, w // B, B).swapaxes(1, 2)
    vb = np.asarray(b[:h, :w], dtype=np.float64).reshape(h // B, B, w // B, B).swapaxes(1, 2)
    da = va - va.mean(axis=(2, 3), keepdims=True)
    db = vb - vb.mean(axis=(2, 3), keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (da * db).sum(axis=(2, 3)) / np.sqrt((da * da).sum(axis=(2, 3)) *
                                                    (db * db).sum(axis=(2, 3)))


def run_tessera(tessera, arguments):
    out = subprocess.run(["/usr/bin/time", "-f", "%M", tessera, "derive", *arguments, "--json"],
                         check=True, capture_output=True, text=True)
    summary = json.loads(out.stdout)
    return summary, int(out.stderr.strip().splitlines()[-1]) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tessera")
    parser.add_argument("--dir", default="/tmp/derive-bench")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    pairs = make_pair(args.dir)
    out = os.path.join(args.dir, "r.npy")
    print(f"Pearson r of a {W} x {H} pair ({os.cpu_count()} cores), best of {args.repeat}")
    print(f"{'case':34} {'NumPy strided':>14} {'tessera in-process':>19} {'end to end':>11} "
          f"{'ratio':>7} {'peak MB':>8}")
    for dtype, (pa, pb) in pairs.items():
        best_numpy = min(timed(lambda: numpy_blocks(pa, pb)) for _ in range(args.repeat))
        reference = numpy_blocks(pa, pb)
        for label, footprint in (("10x10 blocks", ["--block", "10x10"]),
                                 ("15x15 window", ["--window", "15x15"])):
            runs = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                summary, peak = run_tessera(args.tessera, ["pearson", pa, pb, *footprint, "-o", out])
                runs.append((summary["seconds_in_process"], time.perf_counter() - start, peak))
            in_process, end_to_end, peak = min(runs)
            if footprint[0] == "--block":
                ours = np.load(out)[: reference.shape[0], : reference.shape[1]]
                worst = float(np.nanmax(np.abs(ours - reference)))
                assert worst < 1e-5, f"tessera and NumPy differ by {worst}"
                numpy_text, ratio = f"{best_numpy:.3f} s", f"{best_numpy / in_process:.1f}x"
            else:
                numpy_text, ratio = "-", "-"
            print(f"{dtype + ' ' + label:34} {numpy_text:>14} {in_process:>17.3f} s "
                  f"{end_to_end:>9.3f} s {ratio:>7} {peak:>8.0f}")
    print("inputs:", ", ".join(f"{os.path.getsize(p) / 2**20:.0f} MB" for p in pairs["float32"]),
          "(float32)")


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.exit(main())
