"""Real PNG images for writer tests, built with zlib so no plotting library is needed."""

from __future__ import annotations

import struct
import zlib


def _chunk(tag: bytes, data: bytes) -> bytes:
    body = tag + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def tiny_png(width: int = 240, height: int = 120) -> bytes:
    """Three coloured bars on white: visible when a rendered page is looked at."""
    colours = [(0x2F, 0x5D, 0x8A), (0xC0, 0x39, 0x2B), (0x27, 0xAE, 0x60)]
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type 0
        for x in range(width):
            bar = x * 3 // width
            top = height - (bar + 1) * height // 4
            inside = y >= top and x % max(width // 3, 1) > min(8, width // 6)
            row += bytes(colours[bar]) if inside else b"\xff\xff\xff"
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _chunk(b"IEND", b""))
