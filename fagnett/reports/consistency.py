"""Sentences of the coordinator's text that say a figure rose when it fell, or fell when it rose.

The regional report's narrative is written by hand (or carried over from last year's version), while the figures
under it are computed. A sentence such as "møtefrekvensen er økende" under a count that fell is a contradiction a
reader notices at once, so the draft's page lists each one for the coordinator to correct. A sentence is taken to
speak about a figure when it names the figure's subject (meetings, procedures, registry data) and a direction
(rising or falling words, in bokmål and English); anything vaguer is left alone rather than guessed at.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import ngettext

from fagnett.reports.models import RegionalReport

RISING = re.compile(
    r"\b(økende|økt|øker|økning|stigende|flere\s+møter|increas\w*|rising|rose|risen|grow\w*)\b", re.IGNORECASE
)
FALLING = re.compile(
    r"\b(synkende|minkende|redusert|reduksjon|nedgang|færre|fallende|decreas\w*|fell|fall\w*|fewer|declin\w*)\b",
    re.IGNORECASE,
)
SENTENCE = re.compile(r"(?<=[.!?])\s+")
#: the narrative fields a contradiction is looked for in
FIELDS = ("introduction", "status_text", "activities", "central_work", "priorities", "support", "summary")


@dataclass(frozen=True)
class Subject:
    key: str
    words: re.Pattern[str]


SUBJECTS = (
    Subject("meetings", re.compile(r"\b(møte\w*|meeting\w*)\b", re.IGNORECASE)),
    Subject("procedures", re.compile(r"\b(\w*prosedyre\w*|procedure\w*)\b", re.IGNORECASE)),
    Subject("registry", re.compile(r"\b(\w*regist(er|re|ry|ries)\w*|helseatlas\w*|health atlas)\b", re.IGNORECASE)),
)


@dataclass(frozen=True)
class Contradiction:
    field: str  # the form field's name
    sentence: str
    says: str  # "rising" or "falling"
    figure: str  # what the figures say, in the reader's language


def _trends(stats: dict[str, Any]) -> dict[str, tuple[int, int, str]]:
    """Each subject's (this year, the year before, a sentence saying so)."""
    year = stats["year"]
    totals = stats["meetings"]["totals"]
    procedures, registry = stats["procedures"], stats["registry"]
    meetings = (totals[-1], totals[-2] if len(totals) > 1 else totals[-1])
    return {
        "meetings": (
            *meetings,
            ngettext(
                "The networks held %(this)s meeting in %(year)s against %(last)s in %(previous)s.",
                "The networks held %(this)s meetings in %(year)s against %(last)s in %(previous)s.",
                meetings[0],
            )
            % {"this": meetings[0], "last": meetings[1], "year": year, "previous": year - 1},
        ),
        "procedures": (
            procedures["worked_on"],
            procedures["last_year"],
            ngettext(
                "%(this)s procedure or pathway was worked on in %(year)s against %(last)s in %(previous)s.",
                "%(this)s procedures and pathways were worked on in %(year)s against %(last)s in %(previous)s.",
                procedures["worked_on"],
            )
            % {"this": procedures["worked_on"], "last": procedures["last_year"], "year": year, "previous": year - 1},
        ),
        "registry": (
            registry["this_year"],
            registry["last_year"],
            ngettext(
                "%(this)s network reviewed registry data in %(year)s against %(last)s in %(previous)s.",
                "%(this)s networks reviewed registry data in %(year)s against %(last)s in %(previous)s.",
                registry["this_year"],
            )
            % {"this": registry["this_year"], "last": registry["last_year"], "year": year, "previous": year - 1},
        ),
    }


def contradictions(report: RegionalReport, stats: dict[str, Any]) -> list[Contradiction]:
    """The sentences of ``report``'s text whose direction contradicts the figure they speak about."""
    trends = _trends(stats)
    found: list[Contradiction] = []
    for field in FIELDS:
        for sentence in SENTENCE.split(getattr(report, field) or ""):
            rising, falling = bool(RISING.search(sentence)), bool(FALLING.search(sentence))
            if rising == falling:
                continue  # no direction, or both ("økende, men redusert fra …"): not ours to judge
            for subject in SUBJECTS:
                if not subject.words.search(sentence):
                    continue
                this, last, figure = trends[subject.key]
                if (rising and this < last) or (falling and this > last):
                    found.append(Contradiction(field, sentence.strip(), "rising" if rising else "falling", figure))
    return found
