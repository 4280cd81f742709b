"""E-mail that leaves only after the transaction that caused it has committed."""

from collections.abc import Iterable
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def mail_on_commit(*, recipients: Iterable[Any], template: str, context: dict[str, Any]) -> None:
    """Send ``template`` to each recipient, in their own language, once the transaction commits.

    ``template`` names a pair ``mail/<template>_subject.txt`` and ``mail/<template>_body.txt``.
    """
    people = [person for person in recipients if getattr(person, "email", "")]

    def send() -> None:
        for person in people:
            with translation.override(getattr(person, "language", None) or "nb"):
                subject = render_to_string(f"mail/{template}_subject.txt", {**context, "recipient": person})
                body = render_to_string(f"mail/{template}_body.txt", {**context, "recipient": person})
            send_mail(" ".join(subject.split()), body, None, [person.email])

    transaction.on_commit(send)
