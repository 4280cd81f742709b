"""What a browser would submit from a page's form, for the load run's virtual users and the page sweep."""

from __future__ import annotations

import lxml.html


def form_data(html: bytes, *, action: str | None = None, field: str | None = None) -> dict[str, list[str]]:
    """The values a browser would submit from the page's POST form: the one whose action ends with ``action``
    and/or that has a field whose name starts with ``field``."""
    document = lxml.html.fromstring(html)
    for form in document.forms:
        if (form.method or "").upper() != "POST":
            continue
        if action is not None and not (form.get("action") or "").endswith(action):
            continue
        if field is not None and not any(name.startswith(field) for name in form.inputs.keys()):  # noqa: SIM118
            continue
        values: dict[str, list[str]] = {}
        for name, value in form.form_values():
            values.setdefault(name, []).append(value)
        return values
    raise LookupError(f"no POST form with action {action!r} / field {field!r}")
