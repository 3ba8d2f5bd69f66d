"""Alert evaluation cost: 1,000 rules over 100 symbols, 100 ticker updates per second.

    /work/venv/bin/python bench/bench_alerts.py [--symbols 100] [--rules-per-symbol 10]
                                               [--seconds 600] [--repeat 3]

Simulates ``--seconds`` of market data (one ticker per symbol per second; prices random-walk
near the rules' levels so rules do fire) and prints, best of R runs, the evaluation time per
batch and the share of one core it costs, for two delivery shapes side by side:
one batch of 100 tickers per second, and 100 single-ticker batches per second.
Target: < 2 % of one core. A run with no rules shows the fixed per-ticker overhead.
"""

from __future__ import annotations

import argparse
import math
import random
import time

from hedgetui.domain.alerts import AlertEvaluator, Drawing, parse_rule
from hedgetui.domain.models import Ticker

T0 = 1_767_225_600_000


def make_rules(symbols: list[str], per_symbol: int, price: float) -> list:
    templates = [
        "{s} > {hi}",
        "{s} < {lo} repeat 1m",
        "{s} crosses {mid} repeat 30s",
        "{s} crosses up {hi} repeat 1m",
        "{s} bid crosses down {lo} repeat 1m",
        "{s} change 5m > 0.5% repeat 5m",
        "{s} change 1h < -1% repeat 5m",
        "{s} abs change 15m > 0.8% until-ack 5m",
        "{s} crosses line L{i} repeat 1m",
        "{s} >= {hi2} repeat 10s",
    ]
    rules = []
    for i, s in enumerate(symbols):
        for j in range(per_symbol):
            text = templates[j % len(templates)].format(
                s=s,
                i=i,
                hi=round(price * 1.004, 2),
                lo=round(price * 0.996, 2),
                mid=price,
                hi2=round(price * 1.002, 2),
            )
            rules.append(parse_rule(text, now_ms=T0).with_id(len(rules) + 1))
    return rules


def make_batches(symbols: list[str], seconds: int, price: float, seed: int = 1):
    rng = random.Random(seed)
    prices = {s: price for s in symbols}
    batches = []
    for sec in range(seconds):
        ts = T0 + (sec + 1) * 1000
        batch = []
        for s in symbols:
            prices[s] *= math.exp(rng.gauss(0, 0.0008))
            p = prices[s]
            batch.append(Ticker("paper", s, ts, last=p, bid=p * 0.9999, ask=p * 1.0001))
        batches.append((ts, batch))
    return batches


def run(rules, symbols, batches, single: bool) -> tuple[float, int]:
    ev = AlertEvaluator("paper")
    ev.set_rules(rules)
    ev.on_drawings(
        [Drawing.trend(f"L{i}", T0, 100.0, T0 + 3_600_000, 101.0) for i in range(len(symbols))]
    )
    events = 0
    t0 = time.perf_counter()
    for ts, batch in batches:
        if single:
            for t in batch:
                events += len(ev.on_tickers((t,), now_ms=ts))
        else:
            events += len(ev.on_tickers(batch, now_ms=ts))
        events += len(ev.tick(ts))
    return time.perf_counter() - t0, events


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--symbols", type=int, default=100)
    ap.add_argument("--rules-per-symbol", type=int, default=10)
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    symbols = [f"C{i:03d}/USDT" for i in range(args.symbols)]
    rules = make_rules(symbols, args.rules_per_symbol, 100.0)
    batches = make_batches(symbols, args.seconds, 100.0)
    updates = args.symbols * args.seconds
    print(
        f"{len(rules)} rules over {args.symbols} symbols, {args.symbols} ticker updates/s, "
        f"{args.seconds} s simulated, best of {args.repeat}"
    )
    print(f"{'shape':<32}{'per batch':>12}{'per update':>12}{'core share':>12}{'events':>8}")
    for label, rs, single in (
        ("1 batch of 100 tickers / s", rules, False),
        ("100 batches of 1 ticker / s", rules, True),
        ("no rules (baseline), 1 batch/s", [], False),
    ):
        best, events = min(run(rs, symbols, batches, single) for _ in range(args.repeat))
        n_batches = updates if single else args.seconds
        share = best / args.seconds * 100
        print(
            f"{label:<32}{best / n_batches * 1e6:>10.1f}us{best / updates * 1e6:>10.2f}us"
            f"{share:>11.3f}%{events:>8}"
        )
    print("target: < 2 % of one core")


if __name__ == "__main__":
    main()
