#!/usr/bin/env python3
"""Writes the huge images of issue 7's benchmark (NumPy: `.ci/setup bench`), deterministically:

  slide_32914x46000x3_u8.npy  32914 x 46000 RGB u8 (4.5 GB): smooth colour fields, a 256-pixel
                              checkerboard and per-pixel hash noise (fine detail at every zoom)
  field_16384_f32.npy         16384 x 16384 float32 (1.07 GB): two waves plus a fine ripple
  slide_50000x40000_u16.tif   50000 x 40000 u16 BigTIFF in 256-pixel Deflate tiles (4 GB of
                              pixels): the TIFF a slide scanner or stitcher writes; needs
                              python3-tifffile (written tile by tile)
  slide_50000x40000_u16_pyramid.tif   the same with its reduced levels as SubIFDs (OME style)

usage: tests/bench/make_huge_images.py [DIR] [--tiff-only]   (default /tmp/tessera-huge)
then:  tessera bench DIR/slide_32914x46000x3_u8.npy --headless --json slide.json
       tessera bench DIR/slide_32914x46000x3_u8.npy --headless --upload-all --json all.json
Both arrays are written through np.lib.format.open_memmap, band by band, in bounded memory.
"""
import os
import sys

import numpy as np


def slide(path):
    height, width = 46000, 32914
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.uint8, shape=(height, width, 3))
    x = np.arange(width, dtype=np.uint32)
    for y0 in range(0, height, 512):
        y = np.arange(y0, min(height, y0 + 512), dtype=np.uint32)[:, None]
        h = (x[None, :] * np.uint32(73856093)) ^ (y * np.uint32(19349663))
        h = (h ^ (h >> np.uint32(13))) * np.uint32(1274126177)
        fine = (h >> np.uint32(24)).astype(np.int16) - 128
        xs = x[None, :].astype(np.float32)
        ys = y.astype(np.float32)
        r = (128 + 100 * np.sin(xs / 1500.0) * np.cos(ys / 2100.0)).astype(np.int16)
        g = (128 + 100 * np.sin((xs + ys) / 900.0)).astype(np.int16)
        checker = (xs.astype(np.int32) // 256 + ys.astype(np.int32) // 256) % 2
        b = (checker * 160 + 40).astype(np.int16)
        for c, base in enumerate((r, g, b)):
            out[y0:y0 + len(y), :, c] = np.clip(base + fine // 4, 0, 255).astype(np.uint8)
    out.flush()


def field(path):
    n = 16384
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n, n))
    x = np.arange(n, dtype=np.float32)
    for y0 in range(0, n, 1024):
        y = np.arange(y0, y0 + 1024, dtype=np.float32)[:, None]
        out[y0:y0 + 1024] = np.sin(x / 700.0) * np.cos(y / 500.0) + 0.05 * np.sin(x * 1.7 + y * 2.3)
    out.flush()


def tiled_tiff(path, pyramid):
    """50000 x 40000 u16 in 256-pixel Deflate tiles; with `pyramid`, every reduced level down
    to 256 pixels as SubIFDs (ceil(W / 2^k) x ceil(H / 2^k), as OME-TIFF pyramids are stored)."""
    import tifffile

    height, width, tile = 40000, 50000, 256

    def tiles(level):
        scale = float(2 ** level)
        h = -(-height // 2 ** level)
        w = -(-width // 2 ** level)
        ty = np.arange(tile, dtype=np.float32)[:, None]
        tx = np.arange(tile, dtype=np.float32)[None, :]
        for y0 in range(0, h, tile):
            for x0 in range(0, w, tile):
                ys, xs = (ty + y0) * scale, (tx + x0) * scale
                wave = 20000 + 15000 * np.sin(xs / 1700.0) * np.cos(ys / 2300.0)
                cells = ((xs.astype(np.int32) // 64 + ys.astype(np.int32) // 64) % 2) * 4000
                yield (wave + cells).astype(np.uint16)

    levels = 0
    while max(-(-height // 2 ** levels), -(-width // 2 ** levels)) > tile:
        levels += 1
    options = dict(dtype=np.uint16, tile=(tile, tile), compression="zlib",
                   photometric="minisblack")
    with tifffile.TiffWriter(path, bigtiff=True) as out:
        out.write(tiles(0), shape=(height, width), subifds=levels if pyramid else 0, **options)
        for level in range(1, levels + 1 if pyramid else 1):
            out.write(tiles(level), shape=(-(-height // 2 ** level), -(-width // 2 ** level)),
                      subfiletype=1, **options)


def main():
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    directory = arguments[0] if arguments else "/tmp/tessera-huge"
    os.makedirs(directory, exist_ok=True)
    if "--tiff-only" not in sys.argv:
        slide(os.path.join(directory, "slide_32914x46000x3_u8.npy"))
        field(os.path.join(directory, "field_16384_f32.npy"))
    tiled_tiff(os.path.join(directory, "slide_50000x40000_u16.tif"), pyramid=False)
    tiled_tiff(os.path.join(directory, "slide_50000x40000_u16_pyramid.tif"), pyramid=True)
    print(f"written to {directory}")


if __name__ == "__main__":
    main()
