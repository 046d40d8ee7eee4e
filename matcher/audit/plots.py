"""Plots as SVG strings, for the audit report and any page that shows an audit.

Each function returns one ``<svg>`` element (no script, no external reference) that prints at
the size it declares. Labels never run into each other: long labels wrap onto several lines
and the rows grow with them; axis ticks are chosen at "nice" values and thinned until their
labels are apart; tick labels share one number of decimals.

- :func:`interval_plot`: points with interval whiskers, one row per label (selection rates,
  the odds-ratio forest plot on a log scale).
- :func:`bar_plot`: one horizontal bar per label, with its value.
- :func:`line_plot`: a curve with ticks on both axes (the price of fairness).

Text width is estimated at :data:`CHAR_WIDTH` of the font size per character, a safe upper
bound for the sans-serif fonts browsers use (digits and lower case are narrower).
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Sequence

__all__ = ["CHAR_WIDTH", "bar_plot", "interval_plot", "line_plot", "nice_ticks", "text_width"]

#: estimated width of one character, as a share of the font size
CHAR_WIDTH = 0.62
FONT = 12
SMALL = 11
LINE = 15
#: the widest a label column grows before labels wrap
LABEL_WIDTH = 230
COLOUR = "#1f5f8b"
MUTED = "#666"


def text_width(text: str, size: float = FONT) -> float:
    """Estimated width in pixels of ``text`` at font ``size``."""
    return len(text) * size * CHAR_WIDTH


def _esc(x: object) -> str:
    return html.escape(str(x), quote=True)


def _wrap(label: str, width: float = LABEL_WIDTH, size: float = FONT) -> list[str]:
    chars = max(8, int(width / (size * CHAR_WIDTH)))
    return textwrap.wrap(label, chars, break_long_words=True) or [""]


def _text(x: float, y: float, text: str, *, size: float = FONT, anchor: str = "start",
          fill: str = "#222", extra: str = "") -> str:
    return (f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' "
            f"fill='{fill}'{extra}>{_esc(text)}</text>")


def _decimals(step: float) -> int:
    return max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0


def nice_ticks(lo: float, hi: float, *, log: bool = False, width: float = 380,
               size: float = SMALL) -> list[tuple[float, str]]:
    """Tick positions (in data units) and labels for an axis from ``lo`` to ``hi`` drawn
    ``width`` pixels wide: nice values, one format, labels at least a label's width apart.

    >>> [label for _, label in nice_ticks(0.2, 0.3)]
    ['0.20', '0.22', '0.24', '0.26', '0.28', '0.30']
    """
    if hi <= lo:
        hi = lo + 1
    if log:
        base = [0.1, 0.2, 0.25, 0.5, 1, 2, 4, 5, 10, 20, 50, 100]
        values = [v for v in base if lo <= v <= hi] or [lo, hi]
        labels = [f"{v:g}" for v in values]
        pos = [math.log(v) for v in values]
        span = (math.log(hi) - math.log(lo)) or 1.0
        x0 = math.log(lo)
    else:
        for target in (6, 5, 4, 3, 2):
            raw = (hi - lo) / target
            exp = math.floor(math.log10(raw))
            f = raw / 10 ** exp
            step = (1 if f < 1.5 else 2 if f < 3 else 5 if f < 7 else 10) * 10 ** exp
            start = math.ceil(lo / step - 1e-9) * step
            values = []
            v = start
            while v <= hi + step * 1e-9:
                values.append(round(v, 12))
                v += step
            digits = _decimals(step)
            labels = [f"{v:.{digits}f}" for v in values]
            gap = width * step / (hi - lo)
            if len(values) >= 2 and gap >= max(text_width(s, size) for s in labels) + 8:
                break
        pos, span, x0 = values, hi - lo, lo
    # thin until labels stand apart
    picked: list[tuple[float, str]] = []
    last_right = -math.inf
    for p, label in zip(pos, labels, strict=True):
        x = (p - x0) / span * width
        half = text_width(label, size) / 2
        if x - half >= last_right + 6:
            picked.append((values[pos.index(p)] if log else p, label))
            last_right = x + half
    return picked


def interval_plot(labels: Sequence[str], points: Sequence[float | None],
                  lows: Sequence[float | None], highs: Sequence[float | None], *,
                  log: bool = False, reference: float | None = None, title: str,
                  axis: str, missing: Sequence[str] | None = None) -> str:
    """Points with interval whiskers, one row per label; ``missing[i]`` is written in the
    plotting area of a row without a point (e.g. 'suppressed')."""
    values = [v for v in [*points, *lows, *highs] if v is not None and (not log or v > 0)]
    if not values:
        return ""
    if reference is not None:
        values.append(reference)
    lo, hi = min(values), max(values)
    if log:
        lo, hi = math.log(lo), math.log(hi)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    pad = (hi - lo) * 0.06
    lo, hi = lo - pad, hi + pad
    if not log and min(values) >= 0:
        lo = max(lo, 0.0)
    wrapped = [_wrap(label) for label in labels]
    label_w = min(LABEL_WIDTH, max(text_width(line) for w in wrapped for line in w)) + 12
    left, width, right = label_w, 380, 24
    heights = [max(26, LINE * len(w) + 10) for w in wrapped]
    top = 28
    body = sum(heights)
    height = top + body + 46

    def x(v: float) -> float:
        t = math.log(v) if log else v
        return left + (t - lo) / (hi - lo) * width

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{left + width + right}' "
             f"height='{height}' viewBox='0 0 {left + width + right} {height}' role='img' "
             f"aria-label='{_esc(title)}' font-family='system-ui, sans-serif'>",
             f"<title>{_esc(title)}</title>",
             _text(left, 16, title, size=FONT, extra=" font-weight='600'")]
    if reference is not None:
        rx = x(reference)
        parts.append(f"<line x1='{rx:.1f}' y1='{top - 4}' x2='{rx:.1f}' y2='{top + body}' "
                     "stroke='#999' stroke-dasharray='4 3'/>")
    y0 = top
    for i, lines in enumerate(wrapped):
        mid = y0 + heights[i] / 2
        first = mid - (len(lines) - 1) * LINE / 2 + 4
        for k, line in enumerate(lines):
            parts.append(_text(6, first + k * LINE, line))
        p, a, b = points[i], lows[i], highs[i]
        if a is not None and b is not None and (not log or (a > 0 and b > 0)):
            parts.append(f"<line x1='{x(a):.1f}' y1='{mid:.1f}' x2='{x(b):.1f}' y2='{mid:.1f}' "
                         "stroke='#333' stroke-width='1.5'/>")
        if p is not None and (not log or p > 0):
            parts.append(f"<circle cx='{x(p):.1f}' cy='{mid:.1f}' r='4' fill='{COLOUR}'/>")
        else:
            note = (missing[i] if missing else "") or "not shown"
            parts.append(_text(left + 6, mid + 4, note, size=SMALL, fill=MUTED,
                               extra=" font-style='italic'"))
        y0 += heights[i]
    base = top + body + 6
    parts.append(f"<line x1='{left}' y1='{base}' x2='{left + width}' y2='{base}' "
                 "stroke='#333'/>")
    tick_lo, tick_hi = (math.exp(lo), math.exp(hi)) if log else (lo, hi)
    for value, label in nice_ticks(tick_lo, tick_hi, log=log, width=width):
        tx = x(value)
        parts.append(f"<line x1='{tx:.1f}' y1='{base}' x2='{tx:.1f}' y2='{base + 4}' "
                     "stroke='#333'/>")
        parts.append(_text(tx, base + 16, label, size=SMALL, anchor="middle"))
    parts.append(_text(left + width / 2, base + 34, axis, size=SMALL, anchor="middle",
                       fill=MUTED))
    parts.append("</svg>")
    return "".join(parts)


def bar_plot(labels: Sequence[str], values: Sequence[float | None], *, title: str,
             axis: str, missing: str = "suppressed") -> str:
    """One horizontal bar per label, its value written at its end."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    top_value = max(present) or 1.0
    wrapped = [_wrap(label) for label in labels]
    label_w = min(LABEL_WIDTH, max(text_width(line) for w in wrapped for line in w)) + 12
    left, width, right = label_w, 320, 70
    heights = [max(24, LINE * len(w) + 8) for w in wrapped]
    top = 28
    height = top + sum(heights) + 46
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{left + width + right}' "
             f"height='{height}' viewBox='0 0 {left + width + right} {height}' role='img' "
             f"aria-label='{_esc(title)}' font-family='system-ui, sans-serif'>",
             f"<title>{_esc(title)}</title>",
             _text(left, 16, title, extra=" font-weight='600'")]
    y0 = top
    for i, lines in enumerate(wrapped):
        mid = y0 + heights[i] / 2
        first = mid - (len(lines) - 1) * LINE / 2 + 4
        for k, line in enumerate(lines):
            parts.append(_text(6, first + k * LINE, line))
        v = values[i]
        if v is None:
            parts.append(_text(left + 6, mid + 4, missing, size=SMALL, fill=MUTED,
                               extra=" font-style='italic'"))
        else:
            w = v / top_value * width
            parts.append(f"<rect x='{left}' y='{mid - 7:.1f}' width='{w:.1f}' height='14' "
                         f"fill='{COLOUR}'/>")
            parts.append(_text(left + w + 4, mid + 4, f"{v:.3f}", size=SMALL))
        y0 += heights[i]
    base = y0 + 6
    parts.append(f"<line x1='{left}' y1='{base}' x2='{left + width}' y2='{base}' "
                 "stroke='#333'/>")
    for value, label in nice_ticks(0.0, top_value, width=width):
        tx = left + value / top_value * width
        parts.append(f"<line x1='{tx:.1f}' y1='{base}' x2='{tx:.1f}' y2='{base + 4}' "
                     "stroke='#333'/>")
        parts.append(_text(tx, base + 16, label, size=SMALL, anchor="middle"))
    parts.append(_text(left + width / 2, base + 34, axis, size=SMALL, anchor="middle",
                       fill=MUTED))
    parts.append("</svg>")
    return "".join(parts)


def line_plot(xs: Sequence[float], ys: Sequence[float], *, title: str, x_axis: str,
              y_axis: str) -> str:
    """A curve through the points, with ticks and labels on both axes."""
    if len(xs) < 2:
        return ""
    x_lo, x_hi = min(xs), max(xs)
    y_lo, y_hi = min(0.0, min(ys)), max(ys)
    if y_hi - y_lo < 1e-12:
        y_hi = y_lo + 0.01
    y_hi += (y_hi - y_lo) * 0.05
    y_ticks = nice_ticks(y_lo, y_hi, width=160, size=SMALL)
    # the y tick labels stand on their own rows: space them by the text height instead
    y_ticks = _thin_vertical(y_ticks, y_lo, y_hi, 160)
    label_w = max(text_width(label, SMALL) for _, label in y_ticks) + 14
    left, width, top, plot_h = label_w + 22, 400, 30, 160
    height = top + plot_h + 50

    def px(v: float) -> float:
        return left + (v - x_lo) / ((x_hi - x_lo) or 1.0) * width

    def py(v: float) -> float:
        return top + plot_h - (v - y_lo) / (y_hi - y_lo) * plot_h

    pts = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(xs, ys, strict=True))
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{left + width + 30}' "
             f"height='{height}' viewBox='0 0 {left + width + 30} {height}' role='img' "
             f"aria-label='{_esc(title)}' font-family='system-ui, sans-serif'>",
             f"<title>{_esc(title)}</title>",
             _text(left, 16, title, extra=" font-weight='600'"),
             f"<polyline points='{pts}' fill='none' stroke='{COLOUR}' stroke-width='2'/>",
             *[f"<circle cx='{px(a):.1f}' cy='{py(b):.1f}' r='3' fill='{COLOUR}'/>"
               for a, b in zip(xs, ys, strict=True)],
             f"<line x1='{left}' y1='{top + plot_h}' x2='{left + width}' y2='{top + plot_h}' "
             "stroke='#333'/>",
             f"<line x1='{left}' y1='{top}' x2='{left}' y2='{top + plot_h}' stroke='#333'/>"]
    for value, label in nice_ticks(x_lo, x_hi, width=width):
        parts.append(f"<line x1='{px(value):.1f}' y1='{top + plot_h}' x2='{px(value):.1f}' "
                     f"y2='{top + plot_h + 4}' stroke='#333'/>")
        parts.append(_text(px(value), top + plot_h + 16, label, size=SMALL, anchor="middle"))
    for value, label in y_ticks:
        parts.append(f"<line x1='{left - 4}' y1='{py(value):.1f}' x2='{left}' "
                     f"y2='{py(value):.1f}' stroke='#333'/>")
        parts.append(_text(left - 7, py(value) + 4, label, size=SMALL, anchor="end"))
    parts.append(_text(left + width / 2, top + plot_h + 36, x_axis, size=SMALL,
                       anchor="middle", fill=MUTED))
    parts.append(_text(12, top + plot_h / 2, y_axis, size=SMALL, anchor="middle", fill=MUTED,
                       extra=f" transform='rotate(-90 12 {top + plot_h / 2:.1f})'"))
    parts.append("</svg>")
    return "".join(parts)


def _thin_vertical(ticks: list[tuple[float, str]], lo: float, hi: float, height: float
                   ) -> list[tuple[float, str]]:
    out: list[tuple[float, str]] = []
    last = -math.inf
    for value, label in ticks:
        y = (value - lo) / (hi - lo) * height
        if y - last >= LINE:
            out.append((value, label))
            last = y
    return out
