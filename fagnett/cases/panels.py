"""Parts of a case's page and of its Word document that an app above cases adds.

Cases may not import the apps built on it (docs/ARCHITECTURE.md, "Layers"), so such an app registers a panel in
its ``AppConfig.ready()``: progress shows a task's reporting schedule and progress reports this way. The case
page includes each panel's template with the panel's context merged into its own (after the consultations),
and the DOCX lets each panel write its section before the timeline.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from fagnett.cases.models import Case


@dataclass(frozen=True)
class CasePanel:
    #: the template included on the case page
    template: str
    #: the template's variables for the person and the case, or None when the panel has nothing to show
    context: Callable[[HttpRequest, Case], dict[str, Any] | None]
    #: writes the panel's section into the case's python-docx ``Document``, or leaves it alone
    document: Callable[[Any, Case], None] | None = None


_panels: dict[str, CasePanel] = {}


def register(name: str, panel: CasePanel) -> None:
    """Add ``panel`` under ``name`` (registering a name again replaces it, so ``ready()`` may run twice)."""
    _panels[name] = panel


def registered() -> list[CasePanel]:
    return list(_panels.values())


def page_panels(request: HttpRequest, case: Case) -> tuple[list[str], dict[str, Any]]:
    """The templates the case page includes, and their variables."""
    templates: list[str] = []
    context: dict[str, Any] = {}
    for panel in registered():
        values = panel.context(request, case)
        if values is not None:
            templates.append(panel.template)
            context.update(values)
    return templates, context
