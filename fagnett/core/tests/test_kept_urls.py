"""``{% url %}`` keeps each address pattern per process (``core/templatetags/kept_urls.py``) and writes exactly what
Django's tag writes."""

import pytest
from django.template import engines
from django.urls import NoReverseMatch, reverse

from fagnett.core.templatetags import kept_urls


def render(source: str, **context: object) -> str:
    return engines["django"].from_string(source).render(context)


def test_it_stands_in_for_djangos_tag_in_every_template() -> None:
    template = engines["django"].from_string("{% url 'home' %}")
    nodes = template.template.nodelist.get_nodes_by_type(kept_urls.KeptURLNode)  # type: ignore[attr-defined]
    assert len(nodes) == 1


@pytest.mark.parametrize(
    ("source", "name", "args"),
    [
        ("{% url 'home' %}", "home", []),
        ("{% url 'meetings:detail' 5 %}", "meetings:detail", [5]),
        ("{% url 'meetings:detail' n %}", "meetings:detail", [987654321]),
        ("{% url 'meetings:detail' 0 %}", "meetings:detail", [0]),
        ("{% url 'reports:regional_report' 3 2025 %}", "reports:regional_report", [3, 2025]),
        ("{% url 'meetings:export' 7 'pdf' %}", "meetings:export", [7, "pdf"]),  # a text argument: Django's tag
        ("{% url 'audit:history' 'meeting' 7 %}", "audit:history", ["meeting", 7]),
    ],
)
def test_the_address_is_what_reverse_writes(source: str, name: str, args: list[object]) -> None:
    kept_urls._kept.clear()
    for _ in range(2):  # reversed, then from the kept pattern
        assert render(source, n=987654321) == reverse(name, args=args)


def test_as_variable_escaping_and_ids_as_text() -> None:
    assert render("{% url 'meetings:detail' 12 as u %}<{{ u }}>") == "</meetings/12/>"
    assert render("{% url 'meetings:detail' '12' %}") == "/meetings/12/"  # text: Django's tag, same address
    with pytest.raises(NoReverseMatch):  # True is no id, to Django's tag either
        render("{% url 'networks:detail' pk %}", pk=True)


def test_what_django_refuses_is_refused_alike() -> None:
    with pytest.raises(NoReverseMatch):
        render("{% url 'meetings:detail' -1 %}")
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-page' %}")
    assert render("{% url 'no-such-page' as u %}[{{ u }}]") == "[]"


def test_a_converter_that_writes_numbers_otherwise_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Were a pattern's converter to pad numbers (0001), the template would not match what reverse writes for 1, and
    the pattern is not kept."""
    real = kept_urls.reverse

    def padded(name: str, args: list[object], current_app: str | None = None) -> str:
        return real(name, args=args, current_app=current_app).replace("/1/", "/0001/")

    monkeypatch.setattr(kept_urls, "reverse", padded)
    assert kept_urls._pattern("meetings:detail", 1, None) is None
    monkeypatch.undo()
    assert kept_urls._pattern("meetings:detail", 1, None) == "/meetings/{0}/"
