"""QR codes for labels: a module matrix, SVG and PNG renderings.

zxing-cpp (C++) encodes the data (segments, version, error correction at level M); the
mask is chosen here, by the rules of ISO/IEC 18004 (7.8.3): the eight masks are each
applied and scored, and the lowest penalty wins. Both steps together take well under a
millisecond, where a pure-Python mask search took ten.
"""

import io
from functools import cache

import numpy as np
import zxingcpp
from PIL import Image

QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks
_LEVEL_M = 0b00  # error correction level M in the format information
_MASKS = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)
# Penalty weights N1…N4, and the finder-like pattern 1:1:3:1:1 with 4 light modules on
# one side and at least one on the other (so that the ratio holds), as 12-bit numbers.
N1, N2, N3, N4 = 3, 3, 40, 10
_FINDER_LIKE = (0b0000_1011101_0, 0b0_1011101_0000)


@cache
def _alignment_centres(version: int) -> list[int]:
    if version == 1:
        return []
    count = version // 7 + 2
    size = version * 4 + 17
    step = 26 if version == 32 else (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
    return [6, *[size - 7 - index * step for index in range(count - 1)][::-1]]


@cache
def _function_modules(size: int) -> np.ndarray:
    """Modules that are not data: finders and separators, format and version
    information, timing patterns, alignment patterns."""
    version = (size - 17) // 4
    function = np.zeros((size, size), dtype=bool)
    function[:9, :9] = function[:9, -8:] = function[-8:, :9] = True
    function[6, :] = function[:, 6] = True
    centres = _alignment_centres(version)
    for row in centres:
        for col in centres:
            if not function[row, col]:
                function[row - 2 : row + 3, col - 2 : col + 3] = True
    if version >= 7:
        function[:6, -11:-8] = function[-11:-8, :6] = True
    return function


@cache
def _mask_patterns(size: int) -> np.ndarray:
    rows, cols = np.indices((size, size))
    return np.stack([mask(rows, cols) for mask in _MASKS])


def _format_bits(mask: int) -> list[bool]:
    data = _LEVEL_M << 3 | mask
    remainder = data
    for _ in range(10):
        remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
    bits = (data << 10 | remainder) ^ 0x5412
    return [bool(bits >> index & 1) for index in range(15)]


@cache
def _format_cells(size: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Where bits 0…14 of the format information go: (row, column), both copies."""
    first = [(row, 8) for row in range(6)] + [(7, 8), (8, 8), (8, 7)]
    first += [(8, col) for col in range(5, -1, -1)]
    second = [(8, size - 1 - index) for index in range(8)]
    second += [(size - 7 + index, 8) for index in range(7)]
    return first, second


def _with_mask(matrix: np.ndarray, current: int, mask: int) -> np.ndarray:
    size = len(matrix)
    flip = (_mask_patterns(size)[current] ^ _mask_patterns(size)[mask]) & ~_function_modules(size)
    masked = matrix ^ flip
    bits = _format_bits(mask)
    for cells in _format_cells(size):
        for bit, (row, col) in zip(bits, cells, strict=True):
            masked[row, col] = bit
    return masked


def _mask_of(matrix: np.ndarray) -> int:
    first, _second = _format_cells(len(matrix))
    found = [matrix[row, col] for row, col in first]
    return next(mask for mask in range(8) if _format_bits(mask) == found)


def _runs_and_finders(stack: np.ndarray) -> np.ndarray:
    """Rules 1 and 3 along rows, for each matrix of ``stack``: N1 + (length - 5) for each
    run of five or more alike, N3 for each finder-like pattern (the quiet zone light)."""
    same = np.ones(stack[..., 4:].shape, dtype=bool)
    for offset in range(1, 5):
        same &= stack[..., offset : offset + same.shape[-1]] == stack[..., : same.shape[-1]]
    starts = same.copy()
    starts[..., 1:] &= stack[..., : same.shape[-1] - 1] != stack[..., 1 : same.shape[-1]]
    runs = same.sum(axis=(1, 2)) * 1 + starts.sum(axis=(1, 2)) * (N1 - 1)
    padded = np.pad(stack, ((0, 0), (0, 0), (5, 5))).astype(np.int32)
    windows = sum(padded[..., k : padded.shape[-1] - 11 + k] << (11 - k) for k in range(12))
    finders = sum((windows == pattern).sum(axis=(1, 2)) for pattern in _FINDER_LIKE)
    return runs + finders * N3


def penalties(stack: np.ndarray) -> np.ndarray:
    """The ISO/IEC 18004 penalty score of each matrix of ``stack`` (shape: masks × n × n)."""
    lines = _runs_and_finders(stack) + _runs_and_finders(stack.transpose(0, 2, 1))
    top_left = stack[:, :-1, :-1]
    blocks = (
        (top_left == stack[:, 1:, :-1])
        & (top_left == stack[:, :-1, 1:])
        & (top_left == stack[:, 1:, 1:])
    )
    dark_percent = stack.mean(axis=(1, 2)) * 100
    balance = (np.abs(dark_percent - 50) // 5).astype(int) * N4
    return lines + blocks.sum(axis=(1, 2)) * N2 + balance


def _symbol(url: str) -> np.ndarray:
    """Dark (True) and light modules of ``url``'s QR code, without the quiet zone."""
    barcode = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    encoded = np.asarray(barcode.to_image(scale=1, add_quiet_zones=False)) == 0
    current = _mask_of(encoded)
    candidates = np.stack([_with_mask(encoded, current, mask) for mask in range(8)])
    return candidates[int(np.argmin(penalties(candidates)))]


def matrix(url: str) -> list[list[bool]]:
    """Dark (True) and light modules, without the quiet zone."""
    return _symbol(url).tolist()


def _bordered(url: str) -> np.ndarray:
    return np.pad(_symbol(url), QUIET_ZONE)


def svg(url: str) -> bytes:
    modules = _bordered(url)
    size = len(modules)
    path = "".join(f"M{col},{row}h1v1h-1z" for row, col in zip(*np.nonzero(modules), strict=True))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    ).encode()


def png(url: str, box_size: int = 8) -> bytes:
    light = np.where(_bordered(url), 0, 255).astype(np.uint8)
    image = Image.fromarray(light, mode="L").resize(
        (light.shape[1] * box_size, light.shape[0] * box_size), Image.Resampling.NEAREST
    )
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()
