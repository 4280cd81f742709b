"""``perm_checker``: the batch form of ``user.has_perm(perm, obj)`` gives the same answer for every person and object,
and builds the authentication backends once rather than on each check; a rule's registered batch form
(``batch_rule``) answers in django-rules' place with the rule's answer."""

from typing import Any

import pytest
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from rules.predicates import Predicate

from fagnett.cases.models import Case
from fagnett.cases.tests.factories import make_case
from fagnett.core.permissions import batch_rules, perm_checker
from tests.factories import World, make_user

pytestmark = pytest.mark.django_db


class RefusingBackend:
    """A backend that vetoes every permission, as Django lets a backend do by raising ``PermissionDenied``."""

    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def has_perm(self, user: Any, perm: str, obj: Any = None) -> bool:
        raise PermissionDenied


def _cases(world: World) -> list[Case]:
    return [
        make_case(world),
        make_case(world, status=Case.Status.ACCEPTED, submitted_by=world["leader"], trust=world.trusts_a[2]),
        make_case(world, network=world.other_network, submitted_by=world["other_member"]),
        make_case(world, network=world.network_b, submitted_by=world["fagsjef_b"], trust=world.trust_b),
        make_case(world, network=None, trust=None),  # not routed to a network yet
    ]


def test_the_cases_rule_has_a_batch_form() -> None:
    assert batch_rules() == ["cases.view_case"]


@pytest.mark.parametrize("perm", sorted({"cases.view_case", "cases.route_case", "cases.work_case", *batch_rules()}))
def test_the_same_answer_as_has_perm(world: World, perm: str) -> None:
    cases = _cases(world)
    people: list[Any] = [*world.people.values(), AnonymousUser()]
    people.append(make_user("admin", is_superuser=True))
    people.append(make_user("retired_admin", is_superuser=True, is_active=False))
    answers = []
    for person in people:
        check = perm_checker(person, perm)
        for case in cases:
            expected = person.has_perm(perm, case)
            assert check(case) is expected, (person, case.pk)
            answers.append(expected)
    assert True in answers and False in answers  # the comparison covers both outcomes


def test_a_refusing_backend_refuses(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    case = make_case(world)
    assert perm_checker(world["coordinator"], "cases.view_case")(case)
    settings.AUTHENTICATION_BACKENDS = [f"{__name__}.RefusingBackend", *settings.AUTHENTICATION_BACKENDS]
    assert world["coordinator"].has_perm("cases.view_case", case) is False
    assert perm_checker(world["coordinator"], "cases.view_case")(case) is False


def test_the_backends_are_built_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _cases(world)
    built = []
    real = auth.get_backends

    def counting() -> list[Any]:
        built.append(1)
        return real()

    monkeypatch.setattr(auth, "get_backends", counting)
    check = perm_checker(world["leader"], "cases.view_case")
    assert [check(case) for case in cases] == [True, True, False, False, False]
    assert len(built) == 1


def test_a_batch_form_answers_without_the_rules_machinery(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = _cases(world)
    expected = [world["leader"].has_perm("cases.view_case", case) for case in cases]
    check = perm_checker(world["leader"], "cases.view_case")

    def not_asked(*args: Any) -> bool:
        raise AssertionError("django-rules was asked")

    monkeypatch.setattr(Predicate, "test", not_asked)
    assert [check(case) for case in cases] == expected == [True, True, False, False, False]
