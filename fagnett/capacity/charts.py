"""The dashboard's and the recommendation's figures, drawn with matplotlib (SVG for pages, PNG for documents).

Every figure has the same numbers as a table next to it on the page; these functions only draw.
"""

import io
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from django.utils.translation import gettext as _
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from fagnett.capacity.selectors import CATEGORIES, Dashboard, DimensionResult
from fagnett.core import formatting

COLOURS = ["#1e6ba8", "#d97d0d", "#7a2e8c"]  # K1, K2, K3: distinguishable in greyscale and for colour blindness
CHARTS = ("composition", "distribution", "trend", "status", "dimensioning")


def _tick(value: float, _position: int | None = None) -> str:
    """An axis label through ``core.formatting`` (the language's decimal comma), with the decimals the tick needs."""
    value = float(value)  # matplotlib hands over numpy floats
    exponent = Decimal(repr(round(value, 6))).normalize().as_tuple().exponent
    return formatting.number(value, min(2, max(0, -int(exponent))))


def _number_axes(axes: Axes, *, x: bool = False) -> None:
    """The value axis written as the pages and documents write numbers ("2,5", not matplotlib's "2.5")."""
    (axes.xaxis if x else axes.yaxis).set_major_formatter(FuncFormatter(_tick))


def _render(figure: plt.Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(
        buffer, format=fmt, dpi=120 if fmt == "png" else None, metadata={"Date": None} if fmt == "svg" else None
    )
    plt.close(figure)
    return buffer.getvalue()


def _bars(
    labels: list[str],
    series: list[list[float]],
    title: str,
    ylabel: str,
    *,
    stacked: bool,
    earlier: list[bool] | None = None,
) -> plt.Figure:
    """Bars from zero; the groups in ``earlier`` (that include a unit's earlier report) are hatched."""
    figure, axes = plt.subplots(figsize=(8, 3.8))
    positions = list(range(len(labels)))
    bottoms = [0.0] * len(labels)
    width = 0.8 if stacked else 0.8 / len(series)
    hatches = ["//" if e else "" for e in (earlier or [False] * len(labels))]
    for i, (values, colour, category) in enumerate(zip(series, COLOURS, CATEGORIES, strict=True)):
        xs = positions if stacked else [p + (i - 1) * width for p in positions]
        bars = axes.bar(xs, values, width, bottom=bottoms if stacked else None, color=colour, label=category)
        for bar, hatch in zip(bars, hatches, strict=True):
            if hatch:
                bar.set_hatch(hatch)
                bar.set_edgecolor("white")
        if stacked:
            bottoms = [b + (v if v == v else 0) for b, v in zip(bottoms, values, strict=True)]
    if any(hatches):
        axes.bar([0], [0], 0, color="#9e9e9e", hatch="//", edgecolor="white", label=_("includes an earlier report"))
    axes.set_xticks(positions, labels, rotation=30, ha="right", fontsize=8)
    axes.set_ylim(bottom=0)
    _number_axes(axes)
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def composition(data: Dashboard, fmt: str = "svg") -> bytes:
    rows = data.hospitals
    labels = [row.label if row.staffed_total is not None else f"{row.label} (–)" for row in rows]
    series = [[row.composition_exact()[i] for row in rows] for i in range(len(CATEGORIES))]
    title = _("Composition K1 : K2 : K3 per hospital")
    return _render(_bars(labels, series, title, "%", stacked=True, earlier=[r.has_earlier for r in rows]), fmt)


def distribution(data: Dashboard, fmt: str = "svg") -> bytes:
    rows = data.trusts
    # A trust without figures for every unit has no rate: no bar (NaN), never a bar of zero.
    labels = [row.label if row.rate_population else f"{row.label} (–)" for row in rows]
    series = [[_or_nan(row.per_100k()[i]) for row in rows] for i in range(len(CATEGORIES))]
    title = _("Staffed beds per 100 000 inhabitants by trust")
    earlier = [row.has_earlier for row in rows]
    return _render(_bars(labels, series, title, _("beds per 100 000"), stacked=False, earlier=earlier), fmt)


def _or_nan(value: float | Decimal | None) -> float:
    return float("nan") if value is None else float(value)


def trend(data: Dashboard, fmt: str = "svg") -> bytes:
    figure, axes = plt.subplots(figsize=(8, 3.5))
    labels = [point.round.name for point in data.trend]
    positions = list(range(len(labels)))
    for i, category in enumerate(CATEGORIES):
        values = [_or_nan(point.staffed[category]) for point in data.trend]
        axes.plot(positions, values, marker="o", color=COLOURS[i], label=category)
        # Points that include units' earlier reports are hollow.
        carried = [(p, v) for p, v, point in zip(positions, values, data.trend, strict=True) if point.has_earlier]
        if carried:
            axes.plot(
                [p for p, _v in carried],
                [v for _p, v in carried],
                linestyle="none",
                marker="o",
                markerfacecolor="white",
                markeredgecolor=COLOURS[i],
            )
    if any(point.has_earlier for point in data.trend):
        axes.plot([], [], linestyle="none", marker="o", markerfacecolor="white", markeredgecolor="#555555",
                  label=_("includes earlier reports"))  # fmt: skip
    axes.set_xticks(positions, labels)
    axes.set_ylim(bottom=0)  # a round with fewer beds must not look like a collapse
    _number_axes(axes)
    axes.set_title(_("Staffed beds across rounds"))
    axes.set_ylabel(_("staffed beds"))
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.tick_params(axis="x", labelsize=8, rotation=30)
    axes.spines[["top", "right"]].set_visible(False)
    return _render(figure, fmt)


def status(data: Dashboard, fmt: str = "svg") -> bytes:
    """Hospitals by their worst status in each category."""
    order = ["available", "limited", "full", ""]
    names = [_("Available"), _("Limited"), _("Full"), _("Not given")]
    counts = {s: [sum(1 for h in data.hospitals if h.worst_status(c) == s) for c in CATEGORIES] for s in order}
    figure, axes = plt.subplots(figsize=(8, 3.2))
    left = [0] * len(CATEGORIES)
    for colour, status_, name in zip(["#2e7d32", "#e0a000", "#c62828", "#9e9e9e"], order, names, strict=True):
        axes.barh(CATEGORIES, counts[status_], left=left, color=colour, label=name)
        left = [a + b for a, b in zip(left, counts[status_], strict=True)]
    _number_axes(axes, x=True)
    axes.set_title(_("Hospitals by status"))
    axes.set_xlabel(_("hospitals"))
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.spines[["top", "right"]].set_visible(False)
    return _render(figure, fmt)


def dimensioning(results: list[DimensionResult], fmt: str = "svg") -> bytes:
    figure, axes = plt.subplots(figsize=(8, 3.8))
    shown = [r for r in results if r.beds_needed is not None][:30]
    labels = [f"{r.row.label} {r.row.category}" for r in shown]
    positions = list(range(len(shown)))
    axes.bar(
        [p - 0.2 for p in positions], [r.row.staffed for r in shown], 0.4, color=COLOURS[0], label=_("Staffed beds")
    )
    axes.bar(
        [p + 0.2 for p in positions], [r.beds_needed or 0 for r in shown], 0.4, color=COLOURS[1], label=_("Beds needed")
    )
    axes.set_xticks(positions, labels, rotation=30, ha="right", fontsize=8)
    _number_axes(axes)
    axes.set_title(_("Staffed beds against beds needed"))
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.spines[["top", "right"]].set_visible(False)
    return _render(figure, fmt)


def composition_alt(data: Dashboard) -> str:
    """The composition figure in words, for a reader who does not see it: each hospital's K1 : K2 : K3 shares."""
    parts = []
    for row in data.hospitals:
        if row.staffed_total:
            shares = ", ".join(
                f"{category} {formatting.percent(share / 100, 0)}"
                for category, share in zip(CATEGORIES, row.composition_exact(), strict=True)
            )
        else:
            shares = _("no figures")
        parts.append(f"{row.label}: {shares}")
    return _("Stacked bar chart of each hospital's staffed beds split into K1, K2 and K3 in per cent. %(values)s.") % {
        "values": "; ".join(parts)
    }


def dimensioning_alt(results: list[DimensionResult]) -> str:
    """The dimensioning figure in words: staffed beds and the calculated need of each row drawn."""
    shown = [r for r in results if r.beds_needed is not None][:30]
    parts = [
        _("%(row)s: %(staffed)s staffed, %(needed)s needed")
        % {
            "row": f"{r.row.label} {r.row.category}",
            "staffed": formatting.number(r.row.staffed),
            "needed": formatting.number(r.beds_needed),
        }
        for r in shown
    ]
    if not parts:
        return _("Bar chart of staffed beds against beds needed: no unit has the figures for a calculation.")
    return _("Bar chart of staffed beds against the beds needed by the Erlang loss model. %(values)s.") % {
        "values": "; ".join(parts)
    }
