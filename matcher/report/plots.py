"""The report's plots, written as SVG text: no plotting library, no fonts, no network.

Each plot scales with its container (``viewBox``, width 100%), names itself for screen readers
(``role="img"`` and a ``<title>``), and uses presentation attributes only, so the page's
Content-Security-Policy needs no inline styles. Every label is escaped: the tier names come
from the caseworker's files.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

__all__ = ["curve_plot", "histogram", "interval_plot", "nice_ticks"]

_INK, _GRID, _ACCENT, _SOFT = "#1f2933", "#d5dbe1", "#1d5fa8", "#8fb3dc"
_PALETTE = ("#1d5fa8", "#c2410c", "#15803d", "#7e22ce", "#b45309", "#0e7490", "#be123c")
_FONT = 'font-family="system-ui,-apple-system,Segoe UI,sans-serif"'


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values covering ``[lo, hi]`` (steps of 1, 2 or 5 times 10^k)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step + 1e-9) * step
    ticks, t = [], start
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 12))
        t += step
    return ticks


def _svg(width: int, height: int, title: str, body: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" {_FONT} font-size="13" fill="{_INK}">'
            f"<title>{_e(title)}</title>{body}</svg>")


def interval_plot(labels: Sequence[str], rates: Sequence[float | None],
                  lows: Sequence[float | None], highs: Sequence[float | None], *,
                  title: str, fmt: Callable[[float], str], overall: float | None = None,
                  hidden: str = "\u2013") -> str:
    """One row per label: a dot at the rate and a whisker over its interval, on 0-100 %.

    A row whose rate is ``None`` (suppressed) shows ``hidden`` instead of a dot. A dashed line
    marks ``overall``.
    """
    left, right, row_h, top = 150, 70, 34, 16
    width = 640
    plot_w = width - left - right
    height = top + row_h * len(labels) + 34

    def x(v: float) -> float:
        return left + plot_w * min(max(v, 0.0), 1.0)

    parts: list[str] = []
    for t in nice_ticks(0.0, 1.0, 5):
        parts.append(f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" '
                     f'y2="{height - 28}" stroke="{_GRID}"/>')
        parts.append(f'<text x="{x(t):.1f}" y="{height - 10}" text-anchor="middle">'
                     f"{_e(fmt(t))}</text>")
    if overall is not None:
        parts.append(f'<line x1="{x(overall):.1f}" y1="{top - 6}" x2="{x(overall):.1f}" '
                     f'y2="{height - 28}" stroke="{_INK}" stroke-dasharray="4 3"/>')
    for r, label in enumerate(labels):
        cy = top + row_h * r + row_h / 2
        parts.append(f'<text x="{left - 10}" y="{cy + 4:.1f}" text-anchor="end">'
                     f"{_e(label)}</text>")
        rate, lo, hi = rates[r], lows[r], highs[r]
        if rate is None or not math.isfinite(rate):
            parts.append(f'<text x="{left + 6}" y="{cy + 4:.1f}">{_e(hidden)}</text>')
            continue
        if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
            parts.append(f'<line x1="{x(lo):.1f}" y1="{cy:.1f}" x2="{x(hi):.1f}" y2="{cy:.1f}" '
                         f'stroke="{_ACCENT}" stroke-width="3" stroke-linecap="round"/>')
        parts.append(f'<circle cx="{x(rate):.1f}" cy="{cy:.1f}" r="6" fill="{_ACCENT}" '
                     f'stroke="#fff" stroke-width="1.5"/>')
        parts.append(f'<text x="{width - right + 8}" y="{cy + 4:.1f}">{_e(fmt(rate))}</text>')
    return _svg(width, height, title, "".join(parts))


def histogram(values: Sequence[float], *, lo: float, hi: float, bins: int, title: str,
              x_label: str, y_label: str, fmt: Callable[[float], str]) -> str:
    """Counts of ``values`` in ``bins`` equal bins over ``[lo, hi]`` (``hi`` falls in the last)."""
    counts = [0] * bins
    span = (hi - lo) or 1.0
    for v in values:
        counts[min(bins - 1, max(0, int((v - lo) / span * bins)))] += 1
    left, right, top, bottom = 56, 16, 14, 52
    width, height = 640, 260
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(counts) if counts and max(counts) > 0 else 1
    y_ticks = [t for t in nice_ticks(0, peak, 4) if t == int(t)]
    y_max = max(y_ticks[-1], peak) if y_ticks else peak

    def y(c: float) -> float:
        return top + plot_h * (1 - c / y_max)

    parts: list[str] = []
    for t in y_ticks:
        parts.append(f'<line x1="{left}" y1="{y(t):.1f}" x2="{width - right}" y2="{y(t):.1f}" '
                     f'stroke="{_GRID}"/>')
        parts.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end">'
                     f"{int(t)}</text>")
    bar_w = plot_w / bins
    for b, c in enumerate(counts):
        if c:
            parts.append(f'<rect x="{left + b * bar_w + 1:.1f}" y="{y(c):.1f}" '
                         f'width="{bar_w - 2:.1f}" height="{top + plot_h - y(c):.1f}" '
                         f'fill="{_ACCENT}"><title>{c}</title></rect>')
    for t in nice_ticks(lo, hi, 5):
        if lo - 1e-9 <= t <= hi + 1e-9:
            tx = left + plot_w * (t - lo) / span
            parts.append(f'<text x="{tx:.1f}" y="{top + plot_h + 18}" text-anchor="middle">'
                         f"{_e(fmt(t))}</text>")
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle">'
                 f"{_e(x_label)}</text>")
    parts.append(f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">{_e(y_label)}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" '
                 f'y2="{top + plot_h}" stroke="{_INK}"/>')
    return _svg(width, height, title, "".join(parts))


def curve_plot(series: Sequence[tuple[str, Sequence[tuple[float, float]]]], *, title: str,
               x_label: str, y_label: str, fmt_x: Callable[[float], str],
               fmt_y: Callable[[float], str]) -> str:
    """One line per named series of ``(x, y)`` points, with a legend; y on 0-100 %."""
    points = [p for _, s in series for p in s]
    if not points:
        return ""
    x_lo, x_hi = min(p[0] for p in points), max(p[0] for p in points)
    if x_hi - x_lo < 1e-12:
        x_lo, x_hi = x_lo - 1, x_hi + 1
    left, right, top, bottom = 56, 130, 14, 52
    width, height = 640, 280
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(v: float) -> float:
        return left + plot_w * (v - x_lo) / (x_hi - x_lo)

    def y(v: float) -> float:
        return top + plot_h * (1 - min(max(v, 0.0), 1.0))

    parts: list[str] = []
    for t in nice_ticks(0.0, 1.0, 4):
        parts.append(f'<line x1="{left}" y1="{y(t):.1f}" x2="{left + plot_w}" y2="{y(t):.1f}" '
                     f'stroke="{_GRID}"/><text x="{left - 6}" y="{y(t) + 4:.1f}" '
                     f'text-anchor="end">{_e(fmt_y(t))}</text>')
    for t in nice_ticks(x_lo, x_hi, 5):
        if x_lo - 1e-9 <= t <= x_hi + 1e-9:
            parts.append(f'<text x="{x(t):.1f}" y="{top + plot_h + 18}" '
                         f'text-anchor="middle">{_e(fmt_x(t))}</text>')
    for k, (name, pts) in enumerate(series):
        colour = _PALETTE[k % len(_PALETTE)]
        path = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in sorted(pts))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"/>')
        parts += [f'<circle cx="{x(a):.1f}" cy="{y(b):.1f}" r="3.5" fill="{colour}"/>'
                  for a, b in pts]
        ly = top + 10 + 20 * k
        parts.append(f'<rect x="{left + plot_w + 14}" y="{ly - 9}" width="12" height="12" '
                     f'fill="{colour}"/><text x="{left + plot_w + 32}" y="{ly + 2}">'
                     f"{_e(name)}</text>")
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle">'
                 f"{_e(x_label)}</text>")
    parts.append(f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">{_e(y_label)}</text>')
    return _svg(width, height, title, "".join(parts))
