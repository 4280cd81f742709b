"""core/workflow.py on its own: a table of steps refuses, guards and answers ``available`` as it says."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fagnett.core.workflow import Step, Workflow


@dataclass
class Record:
    state: str
    owner: str = ""
    parent: str = "the parent"


@dataclass
class Person:
    perms: set[str]
    asked: list[tuple[str, Any]]

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        self.asked.append((perm, obj))
        return perm in self.perms


FLOW = Workflow(
    "demo",
    steps=(
        Step("submit", sources=["draft"], perm="app.write", target="submitted"),
        Step(
            "claim",
            sources=["draft", "submitted"],
            perm="app.write",
            guard=lambda r: not r.owner,
            guard_message=lambda r: f"Already claimed by {r.owner}.",
            guard_field="owner",
        ),
        Step("accept", sources=["submitted"], perm="app.review", target="accepted", refusal="Only a submitted one."),
    ),
    refusal=lambda r: f"Not possible while {r.state}.",
    status_field="state",
)


def test_require_refuses_by_status_with_the_workflows_or_the_steps_own_message() -> None:
    FLOW.require("submit", Record("draft"))
    with pytest.raises(ValidationError) as refused:
        FLOW.require("submit", Record("accepted"))
    assert refused.value.messages == ["Not possible while accepted."]
    with pytest.raises(ValidationError) as refused:
        FLOW.require("accept", Record("draft"))
    assert refused.value.messages == ["Only a submitted one."]


def test_a_guard_refuses_after_the_status_with_its_message_on_its_field() -> None:
    FLOW.require("claim", Record("submitted"))
    with pytest.raises(ValidationError) as refused:
        FLOW.require("claim", Record("submitted", owner="Kari"))
    assert refused.value.message_dict == {"owner": ["Already claimed by Kari."]}
    with pytest.raises(ValidationError) as refused:  # the status is checked first
        FLOW.require("claim", Record("accepted", owner="Kari"))
    assert refused.value.messages == ["Not possible while accepted."]
    assert not FLOW.allows("claim", Record("draft", owner="Kari"))
    assert FLOW.allows("claim", Record("draft"))


def test_available_is_permission_and_status_and_guard_asking_each_permission_once() -> None:
    writer = Person({"app.write"}, [])
    assert FLOW.available(writer, Record("draft")) == {"submit": True, "claim": True, "accept": False}
    assert writer.asked == [("app.write", Record("draft"))]  # accept's status rules it out before asking
    assert FLOW.available(writer, Record("draft", owner="Kari")) == {"submit": True, "claim": False, "accept": False}
    reviewer = Person({"app.review"}, [])
    assert FLOW.available(reviewer, Record("submitted")) == {"submit": False, "claim": False, "accept": True}
    assert FLOW.available(reviewer, Record("accepted")) == dict.fromkeys(["submit", "claim", "accept"], False)


def test_permissions_are_asked_on_the_object_the_workflow_names() -> None:
    flow = Workflow(
        "on parent", steps=(FLOW["submit"],), refusal="No.", status_field="state", perm_object=lambda r: r.parent
    )
    person = Person({"app.write"}, [])
    assert flow.may(person, "submit", Record("draft"))
    flow.require_permission(person, "submit", Record("draft"))
    assert {obj for _, obj in person.asked} == {"the parent"}
    with pytest.raises(PermissionDenied):
        flow.require_permission(Person(set(), []), "submit", Record("draft"))


def test_a_table_is_checked_when_it_is_declared() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        Workflow("twice", steps=(FLOW["submit"], FLOW["submit"]), refusal="No.")
    with pytest.raises(ValueError, match="has no refusal"):
        Workflow("silent", steps=(FLOW["submit"],))
    with pytest.raises(ValueError, match="needs the message"):
        Step("guarded", sources=["draft"], perm="app.write", guard=lambda r: True)
    with pytest.raises(KeyError, match="no step 'publish'"):
        FLOW["publish"]
    assert FLOW.sources("claim") == frozenset({"draft", "submitted"})
