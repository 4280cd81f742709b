"""Tags that turn data into the shared components of core/templates/components/.

The pages say *what* to show (a trail of pages, a record whose status to tag); the markup lives once, in the
component. Nothing here knows a feature app: a record brings its own colours (``STATUS_COLORS`` on its model).
"""

from collections.abc import Iterable
from typing import Any, NamedTuple

from django import template
from django.apps import apps
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

register = template.Library()


class Crumb(NamedTuple):
    label: str
    url: str  # "" for a crumb shown as plain text
    current: bool = False  # the page itself: plain text with aria-current="page"


class Trail(list[Crumb]):
    """Breadcrumb items. Rendered by components/breadcrumbs.html where it is output; kept with ``as`` it can be
    continued by another ``{% breadcrumbs %}``."""

    def __html__(self) -> SafeString:
        return _component("components/breadcrumbs.html", items=self)


def _crumb_url(target: Any) -> str:
    if target in (None, ""):
        return ""
    if hasattr(target, "get_absolute_url"):
        return str(target.get_absolute_url())
    target = str(target)
    # A path (with or without a query) as it is; anything else is a URL name without arguments: a typo fails loudly.
    return target if target.startswith("/") else reverse(target)


@register.simple_tag
def breadcrumbs(*args: Any) -> Trail:
    """The trail from the top to this page: ``{% breadcrumbs label url label url … here %}``.

    Each label is followed by its link: a path, the name of a URL without arguments (``"networks:list"``), an
    object with ``get_absolute_url``, or "" for a crumb shown without a link. An odd last label is the page itself.
    A crumb whose label is empty is left out, so an optional level needs no ``{% if %}``. A trail kept with
    ``as trail`` may come first and be continued, which keeps long trails on short lines.
    """
    items = Trail()
    rest = list(args)
    if rest and isinstance(rest[0], Trail):
        items.extend(rest.pop(0))
    here = rest.pop() if len(rest) % 2 else None
    for label, target in zip(rest[::2], rest[1::2], strict=True):
        if label not in (None, ""):
            items.append(Crumb(str(label), _crumb_url(target)))
    if here not in (None, ""):
        items.append(Crumb(str(here), "", current=True))
    return items


def _colors(model: Any, field: str) -> dict[str, str]:
    return getattr(model, f"{field.upper()}_COLORS", {})


@register.simple_tag
def status_tag(record: Any, field: str = "status", *, model: str = "", empty: str = "") -> SafeString:
    """A status as a Designsystemet tag: ``{% status_tag case %}``, ``{% status_tag event "phase" %}``.

    The label is the record's ``get_<field>_display()`` (or its ``<field>_label``), the colour its model's
    ``<FIELD>_COLORS[value]`` (neutral when not listed). For a bare value, such as a status kept in a frozen
    report, give the model: ``{% status_tag row.status model="reports.NetworkReport" %}``. ``empty`` is the label
    shown, in neutral, when there is no record or no value.
    """
    if model:
        value, owner = record, apps.get_model(model)
        label = dict(owner._meta.get_field(field).flatchoices).get(value, value)
    elif record is None:
        value, owner, label = "", None, ""
    else:
        value, owner = getattr(record, field), type(record)
        display = getattr(record, f"get_{field}_display", None)
        label = display() if display else getattr(record, f"{field}_label")
    if value in (None, ""):
        label, color = empty, "neutral"
    else:
        label, color = str(label), _colors(owner, field).get(value, "neutral")
    return _component("components/status_tag.html", label=label, color=color)


class KeyRow(NamedTuple):
    key: Any  # a core.models.HashedKey with a name (NamedKey)
    revoke_url: str
    owner: Any = None  # what the key belongs to, shown in its own column (a trust)


@register.simple_tag(takes_context=True)
def key_list(
    context: template.Context,
    keys: Iterable[Any],
    revoke: str,
    *revoke_args: Any,
    form: Any,
    heading: str = "",
    owner: str = "",
    owner_heading: str = "",
    withdraw: bool = False,
) -> SafeString:
    """The issued keys of a page, the key just issued (``new_key`` of the page), and the form that issues one:
    ``{% key_list keys "opendata:api_key_revoke" region.pk form=form %}``.

    ``revoke`` is the name of the URL that ends a key; it takes ``revoke_args`` and then the key's id. ``owner``
    names the attribute of a key that is shown in a column headed ``owner_heading`` (the capacity API's trust);
    ``withdraw`` uses that API's words (withdraw, withdrawn) instead of revoke, revoked.
    """
    rows = [
        KeyRow(key, reverse(revoke, args=[*revoke_args, key.pk]), getattr(key, owner) if owner else None)
        for key in keys
    ]
    request = getattr(context, "request", None)
    return SafeString(
        render_to_string(
            "components/key_list.html",
            {
                "rows": rows,
                "new_key": context.get("new_key"),
                "form": form,
                "heading": heading,
                "owner_heading": owner_heading,
                "withdraw": withdraw,
            },
            request=request,
        ).strip()
    )


def _component(name: str, **context: Any) -> SafeString:
    # Stripped, so a component sits inline in a sentence or a cell without the template file's line breaks.
    return SafeString(render_to_string(name, context).strip())
