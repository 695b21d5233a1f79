"""Charts (ECharts options) and sentences of the content performance page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from socialops.analytics.models import WEEKDAY_LABELS

from .. import stats

BAR = "#0d6efd"
INTERVAL = "#212529"


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 3)


def group_chart_option(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean engagement rate per group (bars) with its 95% interval drawn as a whisker box."""
    if not rows:
        return {}
    labels = [f"{r['label']} (n={r['n_rate']})" for r in rows]
    means = [_pct(r["engagement_rate"]["mean"]) for r in rows]
    boxes: list[list[float | None]] = []
    for r in rows:
        ci = r["engagement_rate"]
        if ci["low"] is None or ci["mean"] is None:
            boxes.append([])
        else:
            lo, mid, hi = _pct(max(ci["low"], 0.0)), _pct(ci["mean"]), _pct(ci["high"])
            boxes.append([lo, lo, mid, hi, hi])
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": [_("Mean engagement rate"), _("Interval (95%)")]},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {"type": "bar", "name": _("Mean engagement rate"), "data": means, "itemStyle": {"color": BAR}},
            {
                "type": "boxplot",
                "name": _("Interval (95%)"),
                "data": boxes,
                "boxWidth": [4, 8],
                "itemStyle": {"color": "transparent", "borderColor": INTERVAL},
            },
        ],
    }


def slot_heatmap_option(slots: list[dict[str, Any]]) -> dict[str, Any]:
    """Weekday × hour heatmap of mean engagement rate (the number of posts in the tooltip)."""
    cells = [s for s in slots if s["engagement_rate"] is not None and 1 <= s["weekday"] <= 7]
    if not cells:
        return {}
    data = [[s["hour"], s["weekday"] - 1, _pct(s["engagement_rate"]), s["posts"]] for s in cells]
    values = [d[2] for d in data]
    return {
        "animation": False,
        "tooltip": {"position": "top"},
        "grid": {"left": 8, "right": 16, "top": 8, "bottom": 48, "containLabel": True},
        "xAxis": {"type": "category", "data": [f"{h:02d}" for h in range(24)], "splitArea": {"show": True}},
        "yAxis": {"type": "category", "data": [str(w) for w in WEEKDAY_LABELS], "splitArea": {"show": True}},
        "visualMap": {
            "min": min(values),
            "max": max(values),
            "calculable": True,
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "text": [_("higher rate"), _("lower rate")],
        },
        "series": [
            {
                "type": "heatmap",
                "name": _("Mean engagement rate (%)"),
                "data": data,
                "label": {"show": False},
            }
        ],
    }


def _p_text(p: float | None) -> str:
    if p is None:
        return "p = —"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def verdict(comparison: dict[str, Any], label: str, other: str) -> str:
    """One plain sentence on group against group, never claiming more than the rule allows."""
    outcome = comparison["outcome"]
    args = {
        "a": label,
        "b": other,
        "n_a": comparison["n_a"],
        "n_b": comparison["n_b"],
        "min": stats.MIN_SAMPLE,
    }
    if outcome == stats.TOO_FEW:
        return (
            _(
                "Not enough posts to tell: %(a)s has %(n_a)d and %(b)s %(n_b)d posts with a rate; "
                "each needs at least %(min)d."
            )
            % args
        )
    if outcome == stats.NO_DIFFERENCE:
        return _("No clear difference between %(a)s and %(b)s (n = %(n_a)d vs %(n_b)d, p ≥ 0.05).") % args
    ratio = comparison["ratio"]
    args.update(
        {
            "ratio": f"{ratio:.2f}" if ratio is not None else "—",
            "low": f"{(comparison['diff_low'] or 0) * 100:+.2f}",
            "high": f"{(comparison['diff_high'] or 0) * 100:+.2f}",
            "p": _p_text(comparison["p_value"]),
        }
    )
    if outcome == stats.HIGHER:
        return (
            _(
                "%(a)s earns %(ratio)s× the engagement rate of %(b)s (n = %(n_a)d vs %(n_b)d; "
                "difference %(low)s to %(high)s points, 95%% CI; Welch's t, %(p)s)."
            )
            % args
        )
    return (
        _(
            "%(a)s earns only %(ratio)s× the engagement rate of %(b)s (n = %(n_a)d vs %(n_b)d; "
            "difference %(low)s to %(high)s points, 95%% CI; Welch's t, %(p)s)."
        )
        % args
    )


OUTCOME_CLASSES = {
    stats.HIGHER: "text-bg-success",
    stats.LOWER: "text-bg-danger",
    stats.NO_DIFFERENCE: "text-bg-light",
    stats.TOO_FEW: "text-bg-secondary",
}


def outcome_badge(outcome: str) -> tuple[str, str]:
    """(Bootstrap class, label) of a group's test against the rest."""
    labels = {
        stats.HIGHER: _("Above the rest"),
        stats.LOWER: _("Below the rest"),
        stats.NO_DIFFERENCE: _("No clear difference"),
        stats.TOO_FEW: _("Not enough posts to tell"),
    }
    return OUTCOME_CLASSES[outcome], labels[outcome]
