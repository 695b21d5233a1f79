"""Charts for the PDF: an ECharts option from the insights presenters drawn as static SVG.

The PDF cannot run ECharts, so the same option the page draws (same categories, same series) is
turned into vector graphics here. Only what the report charts use is drawn: a category axis with
bar (stacked or side by side) and line series, vertical or horizontal, on a linear or log value
axis; other series types (intervals, heatmaps) are left out of the PDF and stay in the tables.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

PALETTE = ("#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384")
FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"


def _num(value: Any) -> float | None:
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, bool) or value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 0.001:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _fmt(value: float, percent: bool) -> str:
    text = (
        f"{value:,.0f}"
        if abs(value) >= 100 or value == int(value)
        else f"{value:,.2f}".rstrip("0").rstrip(".")
    )
    return f"{text}%" if percent else text


def _clip(label: str, size: int = 14) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def chart_svg(option: dict[str, Any], *, width: int = 640, height: int = 260) -> str:
    """The option as an ``<svg>`` element (empty string when there is nothing it can draw)."""
    if not option:
        return ""
    x_axis, y_axis = option.get("xAxis") or {}, option.get("yAxis") or {}
    horizontal = y_axis.get("type") == "category"
    cat_axis, val_axis = (y_axis, x_axis) if horizontal else (x_axis, y_axis)
    categories = [str(c) for c in cat_axis.get("data") or []]
    series = [s for s in option.get("series") or [] if s.get("type") in ("bar", "line")]
    if not categories or not series:
        return ""
    log = val_axis.get("type") == "log"
    percent = "%" in str((val_axis.get("axisLabel") or {}).get("formatter", ""))
    values = [v for s in series for v in (_num(d) for d in s.get("data") or []) if v is not None]
    # Stacked bars reach their stack's sum (positive and negative parts apart).
    stacks: dict[tuple[str, int], list[float]] = {}
    for s in series:
        if s.get("type") == "bar" and s.get("stack"):
            for i, d in enumerate(s.get("data") or []):
                v = _num(d)
                if v is not None:
                    stacks.setdefault((s["stack"], i), [0.0, 0.0])[0 if v >= 0 else 1] += v
    values += [v for pair in stacks.values() for v in pair]
    if not values:
        return ""

    if log:
        floor = max(float(val_axis.get("min") or 1), 1e-9)
        top = max(max(values), floor * 10)
        ticks = [10.0**e for e in range(math.floor(math.log10(floor)), math.ceil(math.log10(top)) + 1)]

        def scale(v: float) -> float:
            lo, hi = math.log10(ticks[0]), math.log10(ticks[-1])
            return (math.log10(max(v, ticks[0])) - lo) / (hi - lo or 1)
    else:
        low = min(0.0, min(values))
        high = max(0.0, max(values))
        if val_axis.get("max") is not None:
            high = max(high, float(val_axis["max"]))
        ticks = _nice_ticks(low, high)

        def scale(v: float) -> float:
            return (v - ticks[0]) / (ticks[-1] - ticks[0] or 1)

    names = [str(s.get("name") or "") for s in series]
    legend_h = 22 if any(names) else 4
    left = 110 if horizontal else 56
    right, top_pad, bottom = (44 if horizontal else 16), legend_h + 8, (24 if horizontal else 56)
    pw, ph = width - left - right, height - top_pad - bottom
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="10">'
    ]
    # Legend.
    lx = left
    for index, name in enumerate(names):
        if not name:
            continue
        color = _color(series[index], index)
        out.append(f'<rect x="{lx}" y="6" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{lx + 14}" y="15">{escape(_clip(name, 24))}</text>')
        lx += 22 + 10 * min(len(name), 24)
    # Value axis grid and labels.
    for t in ticks:
        pos = scale(t)
        if horizontal:
            x = left + pos * pw
            out.append(
                f'<line x1="{x:.1f}" y1="{top_pad}" x2="{x:.1f}" y2="{top_pad + ph}" stroke="#dee2e6"/>'
            )
            out.append(
                f'<text x="{x:.1f}" y="{top_pad + ph + 14}" text-anchor="middle">{escape(_fmt(t, percent))}</text>'
            )
        else:
            y = top_pad + ph - pos * ph
            out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="#dee2e6"/>')
            out.append(
                f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{escape(_fmt(t, percent))}</text>'
            )
    band = (ph if horizontal else pw) / len(categories)
    zero = scale(max(ticks[0], 0.0) if not log else ticks[0])
    # Category labels (every nth when crowded).
    every = max(1, math.ceil(len(categories) / (12 if horizontal else 10)))
    for i, label in enumerate(categories):
        if i % every:
            continue
        if horizontal:
            y = top_pad + band * (i + 0.5)
            out.append(
                f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{escape(_clip(label))}</text>'
            )
        else:
            x = left + band * (i + 0.5)
            y = top_pad + ph + 12
            out.append(
                f'<text x="{x:.1f}" y="{y}" text-anchor="end" transform="rotate(-30 {x:.1f} {y})">'
                f"{escape(_clip(label))}</text>"
            )
    bars = [s for s in series if s.get("type") == "bar"]
    groups = sorted({str(s.get("stack") or f"_{i}") for i, s in enumerate(bars)})
    slot = band * 0.7 / max(len(groups), 1)
    offsets: dict[tuple[str, int], list[float]] = {}
    for index, s in enumerate(series):
        color = _color(s, index)
        data = [_num(d) for d in s.get("data") or []]
        if s.get("type") == "bar":
            group = str(s.get("stack") or f"_{bars.index(s)}")
            g = groups.index(group)
            for i, v in enumerate(data[: len(categories)]):
                if v is None:
                    continue
                base_pair = offsets.setdefault((group, i), [0.0, 0.0])
                side = 0 if v >= 0 else 1
                start = base_pair[side] if s.get("stack") else 0.0
                end = start + v
                base_pair[side] = end if s.get("stack") else 0.0
                a = scale(start) if (s.get("stack") and not log) else zero
                b = scale(end)
                lo, hi = min(a, b), max(a, b)
                if horizontal:
                    x, w = left + lo * pw, (hi - lo) * pw
                    y = top_pad + band * i + band * 0.15 + g * slot
                    out.append(
                        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{slot:.1f}" fill="{color}"/>'
                    )
                    out.append(
                        f'<text x="{x + w + 3:.1f}" y="{y + slot / 2 + 3:.1f}">{escape(_fmt(v, percent))}</text>'
                    )
                else:
                    x = left + band * i + band * 0.15 + g * slot
                    y, h = top_pad + ph - hi * ph, (hi - lo) * ph
                    out.append(
                        f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot:.1f}" height="{h:.1f}" fill="{color}"/>'
                    )
        else:
            points = []
            dashed = (s.get("lineStyle") or {}).get("type") == "dashed"
            for i, v in enumerate(data[: len(categories)]):
                if v is None:
                    continue
                if horizontal:
                    points.append((left + scale(v) * pw, top_pad + band * (i + 0.5)))
                else:
                    points.append((left + band * (i + 0.5), top_pad + ph - scale(v) * ph))
            if points:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
                dash = ' stroke-dasharray="5 3"' if dashed else ""
                out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
                for x, y in points:
                    out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"/>')
    axis = (
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + ph}" stroke="#495057"/>'
        if horizontal
        else f'<line x1="{left}" y1="{top_pad + ph - zero * ph:.1f}" x2="{left + pw}" '
        f'y2="{top_pad + ph - zero * ph:.1f}" stroke="#495057"/>'
    )
    out.append(axis)
    out.append("</svg>")
    return "".join(out)


def _color(series: dict[str, Any], index: int) -> str:
    color = (series.get("itemStyle") or {}).get("color")
    return color if isinstance(color, str) and color.startswith("#") else PALETTE[index % len(PALETTE)]
