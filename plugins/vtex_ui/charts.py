"""Plain SVG charts for the VTEX page (no JavaScript, no chart library)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape

PALETTE = ("#017cee", "#e8590c", "#2f9e44", "#ae3ec9", "#f08c00", "#1098ad")


def bars(rows: Sequence[tuple[str, Mapping[str, int]]], series: Sequence[str], *, width: int = 560) -> str:
    """Horizontal grouped bars: one row per label, one bar per series."""
    if not rows:
        return '<p class="empty">No run recorded yet.</p>'
    label_w, bar_h, gap = 170, 12, 10
    top = max((v for _, values in rows for v in values.values()), default=0) or 1
    row_h = bar_h * len(series) + gap
    height = row_h * len(rows) + 24
    out = [f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for i, (label, values) in enumerate(rows):
        y = i * row_h
        out.append(f'<text x="{label_w - 6}" y="{y + bar_h + 2}" text-anchor="end">{escape(label)}</text>')
        for j, name in enumerate(series):
            value = int(values.get(name, 0))
            w = round((width - label_w - 60) * value / top)
            by = y + j * bar_h
            out.append(
                f'<rect x="{label_w}" y="{by}" width="{max(w, 1 if value else 0)}" height="{bar_h - 2}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(label)} {escape(name)}: {value:,}</title>'
                f"</rect>"
            )
            out.append(f'<text x="{label_w + w + 4}" y="{by + bar_h - 3}" class="value">{value:,}</text>')
    out.append(_legend(series, height - 8))
    out.append("</svg>")
    return "".join(out)


def lines(
    points: Sequence[tuple[datetime, Mapping[str, int]]], *, width: int = 560, height: int = 180
) -> str:
    """One line per series over time (e.g. drifted records per entity per reconcile run)."""
    if not points:
        return '<p class="empty">No drift report yet.</p>'
    series = sorted({name for _, values in points for name in values})
    top = max((v for _, values in points for v in values.values()), default=0) or 1
    left, right, plot_h = 40, 12, height - 44
    step = (width - left - right) / max(1, len(points) - 1)
    out = [
        f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<line x1="{left}" y1="{plot_h + 4}" x2="{width - right}" y2="{plot_h + 4}" class="axis"/>',
        f'<text x="{left - 6}" y="12" text-anchor="end">{top:,}</text>',
        f'<text x="{left - 6}" y="{plot_h + 4}" text-anchor="end">0</text>',
    ]
    for j, name in enumerate(series):
        coords = [
            (left + i * step, 4 + plot_h - plot_h * values.get(name, 0) / top)
            for i, (_, values) in enumerate(points)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        color = PALETTE[j % len(PALETTE)]
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}"/>')
        for (x, y), (at, values) in zip(coords, points, strict=True):
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"><title>{escape(name)} '
                f"{at:%Y-%m-%d %H:%M}: {values.get(name, 0):,}</title></circle>"
            )
    out.append(f'<text x="{left}" y="{plot_h + 20}">{points[0][0]:%Y-%m-%d}</text>')
    out.append(
        f'<text x="{width - right}" y="{plot_h + 20}" text-anchor="end">{points[-1][0]:%Y-%m-%d}</text>'
    )
    out.append(_legend(series, height - 6))
    out.append("</svg>")
    return "".join(out)


def _legend(series: Sequence[str], y: int) -> str:
    parts = []
    x = 40
    for j, name in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>'
            f'<text x="{x + 14}" y="{y}">{escape(name)}</text>'
        )
        x += 24 + 8 * len(name)
    return "".join(parts)
