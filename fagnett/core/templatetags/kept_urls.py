"""``{% url %}`` with each address pattern reversed once per process (issue 23); a builtin, so it stands in for
Django's tag in every template.

``reverse()`` costs about 25 µs, and a busy page has dozens of ``{% url %}`` tags — the meeting page over a hundred,
one per agenda item's button. Almost all take no arguments or ids. For those, the address is reversed once with
placeholder ids (as ``core.rows.url_pattern`` does for flat rows) and kept as a string template under everything
``reverse()`` depends on (the name, the number of arguments, the current application, the script prefix and the
URLconf); a page then fills in its ids by string formatting. Anything else — keyword arguments, an argument that is
not a whole number ≥ 0, a pattern whose converter would write a number otherwise (checked once with the number 1) —
goes through Django's own tag unchanged, errors included.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

#: Stands for the i-th id while reversing (nine digits: no real id of this project comes near).
_PLACEHOLDER = 987654321
#: (name, number of ids, current app, script prefix, URLconf) → "/meetings/{0}/", or None: use Django's tag
_kept: dict[tuple[Any, ...], str | None] = {}


def _current_app(context: Context) -> str | None:
    # As Django's URLNode.render.
    request = getattr(context, "request", None)
    try:
        return request.current_app  # type: ignore[union-attr]
    except AttributeError:
        try:
            return request.resolver_match.namespace  # type: ignore[union-attr]
        except AttributeError:
            return None


def _pattern(view_name: str, count: int, current_app: str | None) -> str | None:
    """The address of ``view_name`` as a ``str.format`` template of ``count`` ids, or None where that would not be
    exactly what ``reverse()`` writes."""
    placeholders = [_PLACEHOLDER + i for i in range(count)]
    try:
        reversed_url = reverse(view_name, args=placeholders, current_app=current_app)
        ones = reverse(view_name, args=[1] * count, current_app=current_app)
    except NoReverseMatch:
        return None
    pattern = reversed_url.replace("{", "{{").replace("}", "}}")
    for i, placeholder in enumerate(placeholders):
        pattern = pattern.replace(str(placeholder), f"{{{i}}}")
    return pattern if pattern.format(*[1] * count) == ones else None


class KeptURLNode(URLNode):
    def render(self, context: Context) -> str:
        if self.kwargs:
            return super().render(context)
        args = [arg.resolve(context) for arg in self.args]
        if not all(type(arg) is int and arg >= 0 for arg in args):  # not bool, not a str of digits
            return super().render(context)
        view_name = self.view_name.resolve(context)
        current_app = _current_app(context)
        key = (view_name, len(args), current_app, get_script_prefix(), get_urlconf())
        try:
            pattern = _kept[key]
        except KeyError:
            pattern = _kept[key] = _pattern(view_name, len(args), current_app)
        if pattern is None:
            return super().render(context)
        url = pattern.format(*args)
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> URLNode:
    node = django_url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)
