"""Counter-based random numbers: the n-th draw of a stream is a pure function of
(seed, stream key, n).

Why not ``random.Random``: its state is sequential, so the price at second k would depend on
how many draws happened before (history length, catch-up granularity, added symbols). Hashing
the coordinates instead gives random access, per-symbol independence and a state that is just
the step index (trivial to snapshot).
"""

from __future__ import annotations

import math
import zlib

_MASK = 0xFFFFFFFFFFFFFFFF
_TWO53 = float(1 << 53)


def _mix(x: int) -> int:
    """splitmix64 finaliser: a fast, well-distributed 64-bit hash."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def stream_key(seed: int, *names: str) -> int:
    """A 64-bit key for one named stream; stable across processes (no salted hash())."""
    key = _mix(seed & _MASK)
    for name in names:
        key = _mix(key ^ zlib.crc32(name.encode()))
    return key


def uniform(key: int, n: int) -> float:
    """Uniform in the open interval (0, 1)."""
    return ((_mix(key ^ ((n * 0xD1B54A32D192ED03) & _MASK)) >> 11) + 0.5) / _TWO53


def normal(key: int, n: int) -> float:
    """Standard normal (Box-Muller from two hashed uniforms)."""
    u1 = uniform(key, 2 * n)
    u2 = uniform(key, 2 * n + 1)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)
