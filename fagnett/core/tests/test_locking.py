"""The pieces of optimistic locking that need no record: the version a form sends, and the comparison.

Saving through real models (the compare-and-set, history, concurrency) and the walk that keeps every app on these
pieces are in ``tests/test_locking.py``.
"""

from types import SimpleNamespace

import pytest
from django import forms

from fagnett.core.exceptions import ConflictError
from fagnett.core.locking import NO_VERSION, VersionedForm, check_version


class NoteForm(VersionedForm):
    note = forms.IntegerField(required=False)


@pytest.mark.parametrize(
    ("posted", "version"),
    [
        ({"lock_version": "4"}, 4),
        ({}, NO_VERSION),  # the page sent no version
        ({"lock_version": ""}, NO_VERSION),
        ({"lock_version": "4; DROP"}, NO_VERSION),  # garbled
        ({"lock_version": "1.5"}, NO_VERSION),
    ],
)
def test_a_missing_or_garbled_version_counts_as_none_seen_and_is_never_a_form_error(
    posted: dict[str, str], version: int
) -> None:
    form = NoteForm(posted)
    assert form.is_valid(), form.errors
    assert form.version == version


def test_the_version_is_a_hidden_field_that_takes_its_value_from_initial() -> None:
    form = NoteForm(initial={"lock_version": 7})
    assert form.fields["lock_version"].widget.is_hidden
    assert 'name="lock_version" value="7"' in str(form["lock_version"])
    assert form.version_of(SimpleNamespace(lock_version=8)) == 8
    assert form.version_of(None) == NO_VERSION


def test_a_prefixed_form_reads_its_own_version() -> None:
    form = NoteForm({"a-lock_version": "3", "lock_version": "9"}, prefix="a")
    assert form.is_valid() and form.version == 3


def test_check_version_compares_the_saved_version_with_the_one_the_person_saw() -> None:
    saved = SimpleNamespace(lock_version=3)
    check_version(saved, 3)
    check_version(saved, None)  # not a person's form: nothing compared
    check_version(None, NO_VERSION)  # nothing saved yet, and the form saw nothing
    with pytest.raises(ConflictError) as error:
        check_version(saved, 2)
    assert error.value.current is saved
    with pytest.raises(ConflictError) as error:
        check_version(saved, NO_VERSION)  # a form that sent no version never overwrites
    with pytest.raises(ConflictError) as error:
        check_version(None, 1)  # the form saw a record that is gone
    assert error.value.current is None


def test_check_version_compares_other_names_of_a_version() -> None:
    """A versioned copy (a mandate's number) or a token (a capacity entry's ``pk.lock_version``)."""
    mandate = SimpleNamespace(version=2, lock_version=1)
    check_version(mandate, 2, saved_version=mandate.version)
    with pytest.raises(ConflictError):
        check_version(mandate, 1, saved_version=mandate.version)
    check_version(None, "", saved_version="")
    with pytest.raises(ConflictError):
        check_version(SimpleNamespace(), "5.1", saved_version="5.2")
