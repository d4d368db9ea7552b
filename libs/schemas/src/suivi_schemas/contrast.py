"""WCAG 2.x contrast: relative luminance, contrast ratio, and a brand colour made readable.

Pure functions on `#rrggbb` colours, shared by every page and message that shows a merchant's
brand colour: text and buttons in that colour must reach 4.5:1 (WCAG 2.2 AA, normal text).
"""

from __future__ import annotations

AA_TEXT = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of `#rrggbb` (WCAG 2.x definition)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter over the darker: 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def readable(colour: str, against: str = "#ffffff", minimum: float = AA_TEXT) -> str:
    """`colour` if it reaches `minimum` against `against`, else the same hue darkened (or
    lightened, against a dark background) step by step until it does: a brand colour is
    adjusted, never refused, so a merchant's pale yellow becomes a readable dark yellow."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    towards = 0 if luminance(against) > 0.18 else 255
    for step in range(101):
        f = step / 100
        mixed = tuple(round(c + (towards - c) * f) for c in (r, g, b))
        candidate = "#{:02x}{:02x}{:02x}".format(*mixed)
        if contrast_ratio(candidate, against) >= minimum:
            return candidate
    return "#000000" if towards == 0 else "#ffffff"
