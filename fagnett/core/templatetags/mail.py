"""Absolute links for e-mails, which are read outside the site: ``{% load mail %}``.

``{% absolute_url meeting %}`` (an object with ``get_absolute_url``), ``{% absolute_url "/path/" %}`` or
``{% absolute_url "meetings:my_action_items" %}`` (a URL name and its arguments, as ``{% url %}`` takes them), each
prefixed with ``FAGNETT_SITE_URL``.
"""

from typing import Any

from django import template
from django.urls import reverse

from fagnett.core.mail import site_url

register = template.Library()


@register.simple_tag
def absolute_url(target: Any, *args: Any, **kwargs: Any) -> str:
    if hasattr(target, "get_absolute_url"):
        path = target.get_absolute_url()
    elif isinstance(target, str) and target.startswith("/"):
        path = target
    else:
        path = reverse(target, args=args or None, kwargs=kwargs or None)
    return site_url() + path
