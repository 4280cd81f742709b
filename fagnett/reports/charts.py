"""Figure 1 and 2 of the regional annual report, drawn with matplotlib from ``statistics.region_statistics``.

The page and the documents show the same numbers as a table beside each figure, and ``alt_text`` states
what the figure shows for those who cannot see it.
"""

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from matplotlib.ticker import MaxNLocator

#: three years of meetings; distinguishable in greyscale and for colour blindness
YEAR_COLOURS = ["#9ecae1", "#3182bd", "#08306b"]
RANK_COLOURS = ["#08306b", "#3182bd", "#9ecae1"]


def _render(figure: plt.Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(
        buffer, format=fmt, dpi=150 if fmt == "png" else None, metadata={"Date": None} if fmt == "svg" else None
    )
    plt.close(figure)
    return buffer.getvalue()


def figure_1(stats: dict[str, Any], fmt: str = "svg") -> bytes:
    """Meetings held per network, the last three years side by side (grouped horizontal bars)."""
    meetings = stats["meetings"]
    rows = meetings["rows"]
    years = meetings["years"]
    height = 0.8 / len(years)
    figure, axes = plt.subplots(figsize=(8, max(2.5, 0.32 * len(rows) + 1.2)))
    positions = list(range(len(rows)))
    for i, (year, colour) in enumerate(zip(years, YEAR_COLOURS, strict=False)):
        axes.barh(
            [p + (i - (len(years) - 1) / 2) * height for p in positions],
            [row["counts"][i] for row in rows],
            height,
            color=colour,
            label=str(year),
        )
    axes.set_yticks(positions, [row["network"] for row in rows], fontsize=7)
    axes.invert_yaxis()
    minimums = {row["minimum"] for row in rows if row["minimum"] is not None}
    if len(minimums) == 1:
        minimum = minimums.pop()
        axes.axvline(minimum, color="#b00020", linestyle="--", linewidth=1, label=_("Minimum (%(n)s)") % {"n": minimum})
    axes.set_xlabel(_("meetings held"))
    axes.set_title(_("Meetings in the networks per year, %(first)s–%(last)s") % {"first": years[0], "last": years[-1]})
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.spines[["top", "right"]].set_visible(False)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _render(figure, fmt)


def figure_2(stats: dict[str, Any], fmt: str = "svg") -> bytes:
    """How many networks ranked each task as the year's most central, second and third (stacked bars)."""
    rows = [row for row in stats["tasks"]["rows"] if row["first"] + row["second"] + row["third"]]
    figure, axes = plt.subplots(figsize=(8, max(2.5, 0.45 * len(rows) + 1.2)))
    labels = [_wrap(row["title"]) for row in rows]
    left = [0] * len(rows)
    for key, name, colour in zip(
        ("first", "second", "third"), (_("Most central"), _("Second"), _("Third")), RANK_COLOURS, strict=True
    ):
        values = [row[key] for row in rows]
        axes.barh(labels, values, left=left, color=colour, label=name)
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.invert_yaxis()
    axes.tick_params(axis="y", labelsize=7)
    axes.set_xlabel(_("networks"))
    axes.set_title(_("The most central tasks in the networks in %(year)s") % {"year": stats["year"]})
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.spines[["top", "right"]].set_visible(False)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _render(figure, fmt)


def figure_3(stats: dict[str, Any], fmt: str = "svg") -> bytes:
    """How many networks worked on each topic, last year and this year (grouped horizontal bars)."""
    topics = stats.get("topics") or {"years": [stats["year"] - 1, stats["year"]], "rows": []}
    rows = topics["rows"]
    figure, axes = plt.subplots(figsize=(8, max(2.5, 0.45 * len(rows) + 1.2)))
    positions = list(range(len(rows)))
    for i, (key, colour) in enumerate((("last_year", YEAR_COLOURS[0]), ("this_year", YEAR_COLOURS[2]))):
        axes.barh(
            [p + (i - 0.5) * 0.4 for p in positions],
            [row[key] for row in rows],
            0.4,
            color=colour,
            label=str(topics["years"][i]),
        )
    axes.set_yticks(positions, [_wrap(row["topic"]) for row in rows], fontsize=7)
    axes.invert_yaxis()
    axes.set_xlabel(_("networks"))
    axes.set_title(
        _("Topics the networks worked on, %(last)s and %(year)s") % {"last": topics["years"][0], "year": stats["year"]}
    )
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.spines[["top", "right"]].set_visible(False)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _render(figure, fmt)


def _wrap(text: str, width: int = 45) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:3])


def alt_text_1(stats: dict[str, Any]) -> str:
    meetings = stats["meetings"]
    years = meetings["years"]
    totals = ", ".join(
        _("%(year)s: %(n)s") % {"year": year, "n": total} for year, total in zip(years, meetings["totals"], strict=True)
    )
    return ngettext(
        "Grouped bar chart of the meetings the %(networks)s network held in %(first)s–%(last)s. "
        "Meetings in all: %(totals)s. %(below)s of %(networks)s network held fewer meetings than the minimum "
        "in %(last)s. The table below the figure gives every number.",
        "Grouped bar chart of the meetings each of the %(networks)s networks held in %(first)s–%(last)s. "
        "Meetings in all: %(totals)s. %(below)s of %(networks)s networks held fewer meetings than the minimum "
        "in %(last)s. The table below the figure gives every number.",
        meetings["reporting"],
    ) % {
        "networks": meetings["reporting"],
        "first": years[0],
        "last": years[-1],
        "totals": totals,
        "below": meetings["below_minimum"],
    }


def alt_text_2(stats: dict[str, Any]) -> str:
    ranked = [row for row in stats["tasks"]["rows"] if row["first"]]
    parts = "; ".join(
        ngettext(
            "%(task)s: ranked highest by %(n)s network", "%(task)s: ranked highest by %(n)s networks", row["first"]
        )
        % {"task": row["title"], "n": row["first"]}
        for row in ranked
    )
    if not parts:
        return _(
            "Bar chart of the tasks the networks ranked as most central in %(year)s: no network has ranked yet."
        ) % {"year": stats["year"]}
    return _(
        "Bar chart of how many networks ranked each task of the mandate as most central, second and third in "
        "%(year)s. %(parts)s. The table below the figure gives every number."
    ) % {"year": stats["year"], "parts": parts}


def alt_text_3(stats: dict[str, Any]) -> str:
    topics = stats.get("topics") or {"years": [stats["year"] - 1, stats["year"]], "rows": []}
    if not topics["rows"]:
        return _("Bar chart of the topics the networks worked on: no topics have been recorded.")
    parts = "; ".join(
        _("%(topic)s: %(last)s → %(this)s")
        % {"topic": row["topic"], "last": row["last_year"], "this": row["this_year"]}
        for row in topics["rows"]
    )
    return _(
        "Bar chart of how many networks worked on each topic in %(last)s and %(year)s: %(parts)s. The table below "
        "the figure gives every number."
    ) % {"last": topics["years"][0], "year": stats["year"], "parts": parts}


DRAW = {1: figure_1, 2: figure_2, 3: figure_3}
