"""Charts for the admin dashboard, drawn on the server as inline SVG.

No chart library and no CDN: the dashboard must work on an office network without internet and
under a strict Content-Security-Policy (no inline scripts, no inline styles), so a chart is plain
SVG with presentation attributes, a <title> and an aria-label for screen readers, and a table
beside it holding the same numbers.
"""

from __future__ import annotations

from html import escape

# Colour-blind-safe palette (Okabe–Ito), in the order channels are drawn.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


def _nice_max(value: int) -> int:
    """A round axis maximum ≥ value (1, 2, 5 × 10^k)."""
    if value <= 5:
        return 5
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def stacked_bars(labels: list[str], series: dict[str, list[int]], title: str, names: dict[str, str],
                 width: int = 720, height: int = 260) -> str:
    """A stacked bar chart: one bar per label, one colour per series (e.g. questions per channel)."""
    left, right, top, bottom = 40, 10, 30, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    top_value = _nice_max(max(totals, default=0))
    n = max(1, len(labels))
    slot = plot_w / n
    bar_w = max(2.0, slot * 0.7)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for k in range(5):  # horizontal grid lines and their values
        value = top_value * k / 4
        y = top + plot_h - plot_h * k / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#d0d7de" '
                     'stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
                     f'fill="#333">{value:g}</text>')
    for i, label in enumerate(labels):
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h
        for j, (key, values) in enumerate(series.items()):
            v = values[i]
            if v <= 0:
                continue
            h = plot_h * v / top_value
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(label)} — '
                         f'{escape(names.get(key, key))}: {v}</title></rect>')
        if n <= 16 or i % max(1, n // 8) == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" font-size="11" '
                         f'text-anchor="middle" fill="#333">{escape(label)}</text>')
    x = left
    for j, key in enumerate(series):  # legend
        name = escape(names.get(key, key))
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{PALETTE[j % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 16}" y="18" font-size="12" fill="#222">{name}</text>')
        x += 30 + 8 * len(names.get(key, key))
    parts.append("</svg>")
    return "".join(parts)


def share_bar(share: float | None, label: str, width: int = 240, height: int = 18) -> str:
    """A single horizontal bar for a share (answered questions, right answers)."""
    share = 0.0 if share is None else max(0.0, min(1.0, share))
    filled = width * share
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="share" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
            f'<title>{escape(label)}</title>'
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#e6e9ed"/>'
            f'<rect x="0" y="0" width="{filled:.1f}" height="{height}" fill="#1a7f37"/></svg>')
