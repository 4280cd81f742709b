"""The page layout's parts that every page pays for, made once per process and kept (issue 23).

``{% page_assets %}`` is the stylesheets and scripts: their addresses never change while the process runs (the
static files' manifest is read when it starts). ``{% site_header %}`` is the skip link and the header: it changes
with the menu (what the person may see, the section the page is in), the language and whether the person is logged
in — a few dozen combinations — and, on every request, with three values: the person's name, the page's address
(the language form comes back to it) and the CSRF token. The header is rendered from ``web/_site_header.html`` once
per combination with stand-ins for the three, and the request's values (escaped) are put in their place. A page that
rendered the header each time paid about a third of the layout's cost for it.
"""

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from fagnett.core.memo import ProcessMemo

register = template.Library()

#: stand-ins for the request's own values while a header is rendered to be kept (letters only: no escaping touches
#: them, and no menu label or address contains them)
_STAND_INS = {"csrf": "FagnettStandInCsrf", "user": "FagnettStandInUser", "path": "FagnettStandInPath"}

_assets: ProcessMemo[SafeString] = ProcessMemo(size=4)
#: a header's markup as a ``str.format`` template ({csrf}, {user}, {path}), per language and menu
_headers: ProcessMemo[str] = ProcessMemo(size=512)


@register.simple_tag(takes_context=True)
def page_assets(context: template.Context) -> SafeString:
    nonce = context.get("csp_nonce")
    return _assets.get_or_make(nonce, lambda: render_to_string("web/_page_assets.html", {"csp_nonce": nonce}))


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    request = context.get("request")
    menu = context.get("site_menu")
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    csrf_token = context.get("csrf_token")
    key = (get_language(), authenticated, menu, csrf_token is not None)
    header = _headers.get_or_make(key, lambda: _header_template(menu, authenticated, with_csrf=csrf_token is not None))
    return mark_safe(  # noqa: S308 — the template is rendered, escaped HTML; the three values are escaped here
        header.format(
            csrf=escape(str(csrf_token)) if csrf_token is not None else "",
            user=escape(str(user)) if authenticated else "",
            path=escape(request.get_full_path()) if request is not None else "",
        )
    )


def _header_template(menu: Any, authenticated: bool, *, with_csrf: bool) -> str:
    items, current, submit_case_url = menu if menu else ((), (), "")
    html: str = render_to_string(
        "web/_site_header.html",
        {
            "nav_items": [
                {"url": url, "label": label, "current": i in current} for i, (url, label) in enumerate(items)
            ],
            "submit_case_url": submit_case_url,
            "authenticated": authenticated,
            "user_name": _STAND_INS["user"],
            "full_path": _STAND_INS["path"],
            "csrf_token": _STAND_INS["csrf"] if with_csrf else None,
        },
    )
    template = html.replace("{", "{{").replace("}", "}}")
    for name, stand_in in _STAND_INS.items():
        template = template.replace(stand_in, "{" + name + "}")
    return template
