"""Plausible candle history before a symbol's origin (the moment its live market began).

The path is a backward random walk in log price that ends exactly at the origin price, so
history joins the live market without a jump. Minute resolution covers the last
``MINUTE_DAYS``; hour resolution covers ``HOUR_DAYS`` before that. Hourly candles inside the
minute window are aggregated from the 1m candles so the timeframes agree. Draws come in blocks
keyed by (seed, stream, hour/day number), so the same seed and origin give the same history.
"""

from __future__ import annotations

import math
import random

from hedgetui.exchanges.paper import rng
from hedgetui.exchanges.paper.candles import aggregate

SECONDS_PER_YEAR = 365 * 86_400
MINUTE_DAYS = 3
HOUR_DAYS = 180


def sigma_per_second(annual_vol: float) -> float:
    return annual_vol / math.sqrt(SECONDS_PER_YEAR)


def draws(key: int, block: int, normals: int, uniforms: int) -> tuple[list[float], list[float]]:
    """Standard normals and (0, 1] uniforms for one block (an hour of minutes, a day of
    hours). Blocks are seeded independently from (stream, block number): random access
    without paying a hash per number."""
    r = random.Random(rng.uniform(key, block).hex())
    gauss, rand = r.gauss, r.random
    return [gauss(0.0, 1.0) for _ in range(normals)], [1.0 - rand() for _ in range(uniforms)]


def _bars(
    xs: list[float], uniforms: list[float], sigma: float, scale: float, digits: int, volume: float
) -> list[list[float]]:
    """Candles between consecutive log prices ``xs`` (relative to ``scale``)."""
    exp, log = math.exp, math.log
    wick = sigma * 0.35
    out = []
    prev = round(scale * exp(xs[0]), digits)
    for i in range(len(xs) - 1):
        c = round(scale * exp(xs[i + 1]), digits)
        u = uniforms[3 * i : 3 * i + 3]
        hi = max(prev, c)
        lo = min(prev, c)
        h = round(hi * exp(-wick * log(u[0])), digits)
        low = round(lo * exp(wick * log(u[1])), digits)
        move = abs(xs[i + 1] - xs[i]) / sigma
        v = volume * (0.4 + 0.8 * u[2]) * (0.7 + 0.3 * (move if move < 4.0 else 4.0))
        out.append([prev, h if h > hi else hi, low if low < lo else lo, c, v])
        prev = c
    return out


def generate(
    *,
    seed: int,
    path_key: str,
    symbol: str,
    annual_vol: float,
    origin_ms: int,
    origin_path_price: float,
    basis: float,
    price_digits: int,
    minute_quote_volume: float,
) -> tuple[int, list[list[float]], int, list[list[float]]]:
    """Return ``(first_minute, minute_rows, first_hour, hour_rows)``; both runs end with the
    bucket holding ``origin_ms`` (its close is the origin price)."""
    k_min = rng.stream_key(seed, "history", path_key, "1m")
    k_hour = rng.stream_key(seed, "history", path_key, "1h")
    k_extra = rng.stream_key(seed, "history-bars", symbol)
    s_min = sigma_per_second(annual_vol) * 60.0**0.5
    s_hour = sigma_per_second(annual_vol) * 3600.0**0.5
    scale = origin_path_price * (1.0 + basis)
    base_volume = minute_quote_volume / scale  # typical base volume per minute

    origin_min = origin_ms // 60_000
    origin_hour = origin_min // 60
    first_min = (origin_hour - MINUTE_DAYS * 24) * 60
    first_hour = (first_min // 60 // 24 - HOUR_DAYS) * 24
    n_min = origin_min - first_min + 1  # minutes, the last one (at origin) partial
    n_hour = first_min // 60 - first_hour  # whole hours before the minute window

    z_min: list[float] = []
    u_min: list[float] = []
    for hour in range(first_min // 60, origin_hour + 1):
        z, _ = draws(k_min, hour, 60, 0)
        _, u = draws(k_extra, hour, 0, 180)
        z_min += z
        u_min += u
    z_hour: list[float] = []
    u_hour: list[float] = []
    # up to the day holding the minute window's first hour (it need not start a day)
    for day in range(first_hour // 24, first_min // 60 // 24 + 1):
        z, _ = draws(k_hour, day, 24, 0)
        _, u = draws(k_extra, -day - 1, 0, 72)
        z_hour += z
        u_hour += u

    # log price at each minute boundary, relative to the origin, walking backwards
    frac = (origin_ms - origin_min * 60_000) / 60_000.0
    xs = [0.0] * (n_min + 1)  # xs[i] = x at minute first_min + i; xs[n_min] = origin
    x = -s_min * math.sqrt(frac) * z_min[n_min - 1]
    xs[n_min - 1] = x
    for i in range(n_min - 2, -1, -1):
        x -= s_min * z_min[i]
        xs[i] = x
    xh = [0.0] * (n_hour + 1)  # xh[j] = x at hour first_hour + j; xh[n_hour] = xs[0]
    xh[n_hour] = x
    for j in range(n_hour - 1, -1, -1):
        x -= s_hour * z_hour[j]
        xh[j] = x

    minutes = _bars(xs, u_min, s_min, scale, price_digits, base_volume)
    minutes[-1][4] *= frac  # the origin minute has only just begun
    hours = _bars(xh, u_hour, s_hour, scale, price_digits, base_volume * 60)
    for h in range(first_min // 60, origin_hour + 1):
        lo_i = (h * 60) - first_min
        hours.append(list(aggregate(minutes[lo_i : lo_i + 60])))
    return first_min, minutes, first_hour, hours
