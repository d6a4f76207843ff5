#!/usr/bin/env python3
"""Writes the stacks of the slice benchmark (NumPy: `.ci/setup bench`), deterministically:

  zstack_4x16384x16384_u16.npy   (4, 16384, 16384) uint16 (2.1 GB): four large slices
  zstack_200x2048x2048_u16.npy   (200, 2048, 2048) uint16 (1.7 GB): many small slices
  tzstack_20x16x2048x2048_u16.npy (20, 16, 2048, 2048) uint16, T and Z (2.7 GB)

Every slice differs from its neighbours (rings that move with the slice index, a checkerboard
whose phase is the index, hash noise), so a slice switch that shows the wrong slice is visible.

usage: tests/bench/make_stacks.py [DIR]   (default /tmp/tessera-stacks)
then:  tessera bench DIR/zstack_200x2048x2048_u16.npy --headless --path slices --json s.json
Written through np.lib.format.open_memmap, band by band, in bounded memory.
"""
import os
import sys

import numpy as np


def plane(index, height, width, y0, y1):
    y = np.arange(y0, y1, dtype=np.float32)[:, None]
    x = np.arange(width, dtype=np.float32)[None, :]
    cx, cy = width * (0.3 + 0.4 * ((index * 37) % 100) / 100.0), height * 0.5
    r = np.hypot(x - cx, y - cy)
    rings = 20000 + 15000 * np.sin(r / (width / 40.0) - index * 0.7)
    check = (((x.astype(np.int64) // 256 + y.astype(np.int64) // 256 + index) % 2) * 8000)
    xi = np.arange(width, dtype=np.uint32)[None, :]
    yi = np.arange(y0, y1, dtype=np.uint32)[:, None]
    h = (xi * np.uint32(73856093)) ^ (yi * np.uint32(19349663)) ^ np.uint32((index * 83492791) & 0xFFFFFFFF)
    h = (h ^ (h >> np.uint32(13))) * np.uint32(1274126177)
    noise = (h >> np.uint32(22)).astype(np.float32)  # 0..1023
    return np.clip(rings + check + noise, 0, 65535).astype(np.uint16)


def write(path, shape):
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint16, shape=shape)
    height, width = shape[-2], shape[-1]
    flat = out.reshape((-1, height, width))
    band = max(1, (64 << 20) // (width * 2))
    for k in range(flat.shape[0]):
        for y0 in range(0, height, band):
            y1 = min(height, y0 + band)
            flat[k, y0:y1] = plane(k, height, width, y0, y1)
    out.flush()
    del out


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "/tmp/tessera-stacks"
    os.makedirs(directory, exist_ok=True)
    write(os.path.join(directory, "zstack_4x16384x16384_u16.npy"), (4, 16384, 16384))
    write(os.path.join(directory, "zstack_200x2048x2048_u16.npy"), (200, 2048, 2048))
    write(os.path.join(directory, "tzstack_20x16x2048x2048_u16.npy"), (20, 16, 2048, 2048))
    print("written to", directory)


if __name__ == "__main__":
    main()
