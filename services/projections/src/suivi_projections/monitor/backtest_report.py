"""The ETA backtest's table and its targets (issue 21), as `suivi-eta-backtest` prints them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from suivi_projections.monitor.backtest import Backtest, Score

LABELS = {
    "pickup": "original (at pickup)",
    "transit": "in transit",
    "eve": "latest the day before",
    "out_for_delivery": "out for delivery",
    "latest": "latest before attempt",
}
HEADER = (
    f"  {'':<26}{'n':>7}{'cover':>7}{'exact':>7}{'hit':>7}{'width':>7}{'MAE':>6}"
    f"{'base':>6}{'gain':>6} | {'carr n':>7}{'exact':>7}{'MAE':>6}{'model':>7}"
)


def _pct(x: float) -> str:
    return "    -" if x != x else f"{x:5.0%}"


def _num(x: float) -> str:
    return "   -" if x != x else f"{x:4.2f}"


def row(label: str, s: Score) -> str:
    return (
        f"  {label:<26}{s.predicted:>7}  {_pct(s.coverage)}  {_pct(s.exact_rate)}  "
        f"{_pct(s.hit_rate)}  {_num(s.mean_width)}  {_num(s.mae)}  {_num(s.baseline_mae)}  "
        f"{_pct(s.gain)} | {s.carrier_n:>7}  {_pct(s.carrier_exact_rate)}  "
        f"{_num(s.carrier_mae)}   {_num(s.model_mae_on_carrier)}"
    )


Target = tuple[str, Callable[["Backtest"], float], Callable[[float], bool]]
TARGETS: tuple[Target, ...] = (
    ("latest window hit >= 80%", lambda b: b.by_moment["latest"].hit_rate, lambda x: x >= 0.8),
    ("latest mean width <= 2.5 days", lambda b: b.by_moment["latest"].mean_width,
     lambda x: x <= 2.5),
    ("MAE at pickup <= 0.8 day", lambda b: b.by_moment["pickup"].mae, lambda x: x <= 0.8),
    ("MAE out for delivery <= 0.3 day", lambda b: b.by_moment["out_for_delivery"].mae,
     lambda x: x <= 0.3),
    ("pickup MAE >= 40% under baseline", lambda b: b.by_moment["pickup"].gain,
     lambda x: x >= 0.4),
    ("OFD MAE >= 40% under baseline", lambda b: b.by_moment["out_for_delivery"].gain,
     lambda x: x >= 0.4),
    ("latest MAE >= 40% under baseline", lambda b: b.by_moment["latest"].gain,
     lambda x: x >= 0.4),
    ("latest hit >= 1.4x baseline's day", lambda b: b.by_moment["latest"].hit_rate
     / (b.by_moment["latest"].baseline_exact_rate or float("nan")), lambda x: x >= 1.4),
)  # fmt: skip


def targets(b: Backtest) -> list[tuple[str, float, bool]]:
    """(target, measured, met) for each of TARGETS."""
    return [(name, value, value == value and ok(value)) for name, measure, ok in TARGETS
            for value in [measure(b)]]  # fmt: skip


def format_report(b: Backtest, source: str, *, lanes: int = 12, targets_too: bool = True) -> str:
    moments = b.by_moment
    if not moments["latest"].asked:
        return (
            f"ETA backtest ({source}): no parcel with a first delivery attempt and a scan before "
            "it; try --generated N to see the method at work"
        )
    lines = [
        f"ETA backtest on {b.parcels} parcels ({source}); truth: the first delivery attempt; "
        "calendar days",
        "  cover: share predicted; exact: likeliest day right; hit: attempt inside the window;",
        "  base: overall-median baseline's MAE; gain: 1 - MAE/base; right of '|': the carrier's",
        "  own estimate where it gave one (n, exact, MAE) and the model's MAE on those parcels",
        HEADER,
    ]
    lines += [row(LABELS[m], moments[m]) for m in LABELS]
    for moment in ("pickup", "latest"):
        lines.append(f"  per carrier, {LABELS[moment]}:")
        carriers = sorted((c, s) for (m, c), s in b.by_carrier.items() if m == moment)
        lines += [row(f"  {c}", s) for c, s in carriers]
    for moment in ("pickup", "latest"):
        busiest = sorted(
            ((lane, s) for (m, lane), s in b.by_lane.items() if m == moment),
            key=lambda ls: (-ls[1].asked, ls[0]),
        )[:lanes]
        lines.append(f"  per lane ({len(busiest)} busiest), {LABELS[moment]}:")
        lines += [row(f"  {lane}", s) for lane, s in busiest]
    worse = [
        f"{c} ({LABELS[m]}: {s.model_mae_on_carrier:.2f} vs {s.carrier_mae:.2f}, n={s.carrier_n})"
        for (m, c), s in sorted({**b.by_carrier, **b.by_lane}.items())
        if s.carrier_n >= 20 and s.model_mae_on_carrier > s.carrier_mae
    ]
    lines.append(
        "  worse than the carrier's own estimate (MAE on its parcels; carriers and lanes with "
        "20 or more): " + (", ".join(worse) or "nowhere")
    )
    if targets_too:
        lines.append("  targets (issue 21):")
        lines += [
            f"    {'met   ' if ok else 'MISSED'} {name:<36} {value:.3f}"
            for name, value, ok in targets(b)
        ]
    return "\n".join(lines)
