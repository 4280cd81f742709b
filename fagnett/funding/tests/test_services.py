import datetime
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from fagnett.budget.models import Grant
from fagnett.core.exceptions import ConflictError
from fagnett.funding import services
from fagnett.funding.models import Application, ApplicationEvent, BudgetLine, FundingCall
from fagnett.funding.tests.factories import LINES, TEXTS, add_fagsjef_a1, draft, endorsed, make_call, submitted
from fagnett.networks.models import Network
from tests.factories import World, appoint, make_network, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages below are checked in English, whatever catalogues are compiled."""
    with translation.override("en"):
        yield


# A valid national identity number (fødselsnummer) of a fictional person.
NATIONAL_ID = "01010750160"
TODAY = timezone.localdate


def kinds(application: Application) -> list[str]:
    return list(application.events.order_by("at", "pk").values_list("kind", flat=True))


class TestCalls:
    DATA = {
        "year": 2027,
        "title": "Regionale fagmidler 2027",
        "deadline": datetime.date(2027, 2, 1),
        "description": "",
        "amount_available": 1_000_000,
        "status": "open",
    }

    def test_coordinator_creates_and_edits_a_call(self, world: World) -> None:
        call = services.call_create(user=world["coordinator"], region=world.region_a, data=self.DATA)
        assert (call.region, call.year, call.created_by) == (world.region_a, 2027, world["coordinator"])
        changed = services.call_update(
            user=world["coordinator"], call=call, data={"deadline": datetime.date(2027, 2, 15)}, lock_version=1
        )
        assert changed.deadline == datetime.date(2027, 2, 15) and changed.lock_version == 2
        assert changed.history.count() == 2

    @pytest.mark.parametrize("role", ["director", "leader", "fagsjef", "employee", "coordinator_b"])
    def test_only_the_regions_coordinator_creates_calls(self, world: World, role: str) -> None:
        with pytest.raises(PermissionDenied):
            services.call_create(user=world[role], region=world.region_a, data=self.DATA)
        assert not FundingCall.objects.exists()

    def test_one_call_per_region_and_year(self, world: World) -> None:
        services.call_create(user=world["coordinator"], region=world.region_a, data=self.DATA)
        with pytest.raises(ValidationError) as error:
            services.call_create(user=world["coordinator"], region=world.region_a, data=self.DATA)
        assert "already has a call for 2027" in error.value.message_dict["year"][0]
        services.call_create(user=world["coordinator_b"], region=world.region_b, data=self.DATA)
        assert FundingCall.objects.count() == 2

    def test_a_stale_edit_is_refused(self, world: World) -> None:
        call = make_call(world)
        services.call_update(user=world["coordinator"], call=call, data={"title": "Ny tittel"}, lock_version=1)
        with pytest.raises(ConflictError):
            services.call_update(user=world["coordinator"], call=call, data={"title": "Annen"}, lock_version=1)
        call.refresh_from_db()
        assert call.title == "Ny tittel"

    def test_identity_number_in_the_description_is_refused(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            services.call_create(
                user=world["coordinator"],
                region=world.region_a,
                data={**self.DATA, "description": f"Kontakt {NATIONAL_ID}"},
            )
        assert "description" in error.value.message_dict


class TestDraft:
    def test_leader_applies_for_the_network_with_budget_lines(self, world: World) -> None:
        call = make_call(world)
        application = draft(world, call)
        assert (application.status, application.network, application.trust) == (
            "draft",
            world.network,
            world.trusts_a[0],
        )
        assert list(application.lines.values_list("kind", "amount", "order")) == [
            ("secretariat", 60_000, 0),
            ("catering", 15_000, 1),
        ]
        assert services.applied_total(application) == 75_000
        assert kinds(application) == ["created"]

    def test_secretary_may_apply_for_the_network(self, world: World) -> None:
        assert draft(world, make_call(world), user="secretary").applicant == world["secretary"]

    @pytest.mark.parametrize("role", ["member", "other_member", "rhf_rep", "coordinator"])
    def test_others_may_not_apply_for_the_network(self, world: World, role: str) -> None:
        call = make_call(world)
        with pytest.raises((PermissionDenied, ValidationError)):
            draft(world, call, user=role)
        assert not Application.objects.exists()

    def test_an_employee_applies_for_a_new_group(self, world: World) -> None:
        application = draft(world, make_call(world), user="employee", network=None)
        assert application.network is None and application.proposed_name == "Palliasjon"
        assert application.trust == world.trusts_a[1]
        assert application.applies_for == "Palliasjon"

    def test_a_new_group_needs_name_and_field(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            draft(world, make_call(world), user="employee", network=None, proposed_name="", proposed_field=" ")
        assert {"proposed_name", "proposed_field"} <= set(error.value.message_dict)
        assert not Application.objects.exists()

    @pytest.mark.parametrize("role", ["coordinator_b", "fagsjef_b"])
    def test_people_of_another_region_may_not_apply(self, world: World, role: str) -> None:
        with pytest.raises(PermissionDenied):
            draft(world, make_call(world), user=role, network=None)

    def test_an_rhf_employee_without_a_trust_is_told_why(self, world: World) -> None:
        rep = make_user("rep2", region_employer=world.region_a)
        appoint(world.network, rep, "secretary", trust=None)
        with pytest.raises(ValidationError) as error:
            services.application_create(user=rep, call=make_call(world), data=TEXTS, lines=LINES, network=world.network)
        assert "employed by a health trust" in error.value.messages[0]

    def test_closed_calls_and_past_deadlines_take_no_new_applications(self, world: World) -> None:
        with pytest.raises(PermissionDenied):
            draft(world, make_call(world, status=FundingCall.Status.CLOSED))
        with pytest.raises(PermissionDenied):
            draft(world, make_call(world, year=2020, deadline=TODAY() - datetime.timedelta(days=1)))

    def test_one_application_per_network_and_call(self, world: World) -> None:
        call = make_call(world)
        draft(world, call)
        with pytest.raises(ValidationError) as error:
            draft(world, call, user="secretary")
        assert "already has an application" in error.value.message_dict["network"][0]

    @pytest.mark.parametrize(
        ("lines", "key"),
        [
            ([services.LineInput("catering", "Lunsj", -500)], "lines.0.amount"),
            ([services.LineInput("catering", "Lunsj", 0)], "lines.0.amount"),
            ([LINES[0], services.LineInput("catering", "", 500)], "lines.1.description"),
            ([LINES[0], services.LineInput("holiday", "Tur", 500)], "lines.1.kind"),
            ([services.LineInput("speaker", f"Honorar til {NATIONAL_ID}", 500)], "lines.0.description"),
        ],
    )
    def test_a_bad_line_saves_nothing_and_names_the_line(
        self, world: World, lines: list[services.LineInput], key: str
    ) -> None:
        with pytest.raises(ValidationError) as error:
            draft(world, make_call(world), lines=lines)
        assert key in error.value.message_dict
        assert not Application.objects.exists() and not BudgetLine.objects.exists()

    def test_identity_number_in_the_purpose_is_refused(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            draft(world, make_call(world), purpose=f"Gjelder pasient {NATIONAL_ID[:6]} {NATIONAL_ID[6:]}")
        assert error.value.error_dict["purpose"][0].code == "national_id"
        assert not Application.objects.exists()

    def test_period_must_be_ordered(self, world: World) -> None:
        with pytest.raises(ValidationError) as error:
            draft(world, make_call(world), period_end=datetime.date(2026, 1, 1))
        assert "period_end" in error.value.message_dict

    def test_update_replaces_the_lines_all_or_nothing(self, world: World) -> None:
        application = draft(world, make_call(world))
        with pytest.raises(ValidationError):
            services.application_update(
                user=world["leader"],
                application=application,
                data={**TEXTS, "purpose": "Endret"},
                lines=[services.LineInput("speaker", "Foredrag", 9_000), services.LineInput("other", "X", -1)],
                lock_version=application.lock_version,
                network=world.network,
            )
        application.refresh_from_db()
        assert application.purpose == TEXTS["purpose"] and application.lines.count() == 2
        updated = services.application_update(
            user=world["leader"],
            application=application,
            data={**TEXTS, "purpose": "Endret"},
            lines=[services.LineInput("speaker", "Foredrag", 9_000)],
            lock_version=application.lock_version,
            network=world.network,
        )
        assert updated.purpose == "Endret" and services.applied_total(updated) == 9_000
        assert updated.lock_version == 2

    def test_a_stale_update_is_refused(self, world: World) -> None:
        application = draft(world, make_call(world))
        services.application_update(
            user=world["leader"],
            application=application,
            data=TEXTS,
            lines=LINES,
            lock_version=1,
            network=world.network,
        )
        with pytest.raises(ConflictError):
            services.application_update(
                user=world["leader"],
                application=application,
                data=TEXTS,
                lines=[],
                lock_version=1,
                network=world.network,
            )
        assert application.lines.count() == 2

    def test_only_the_applicant_edits_the_draft(self, world: World) -> None:
        application = draft(world, make_call(world))
        with pytest.raises(PermissionDenied):
            services.application_update(
                user=world["secretary"], application=application, data=TEXTS, lines=LINES, lock_version=1
            )


class TestSubmit:
    def test_submit_tells_the_trusts_fagsjef(self, world: World, django_capture_on_commit_callbacks) -> None:
        fagsjef = add_fagsjef_a1(world)
        application = draft(world, make_call(world))
        with django_capture_on_commit_callbacks(execute=True):
            submitted_ = services.application_submit(user=world["leader"], application=application, lock_version=1)
            assert mail.outbox == []  # nothing leaves before the commit
        assert submitted_.status == "submitted" and submitted_.submitted_at is not None
        assert [m.to for m in mail.outbox] == [[fagsjef.email]]
        assert world.network.name in mail.outbox[0].subject
        assert kinds(submitted_) == ["created", "submitted"]

    def test_submitting_after_the_deadline_is_refused_with_a_clear_message(self, world: World) -> None:
        call = make_call(world)
        application = draft(world, call)
        FundingCall.objects.filter(pk=call.pk).update(deadline=TODAY() - datetime.timedelta(days=1))
        application.refresh_from_db()
        with pytest.raises(ValidationError) as error:
            services.application_submit(user=world["leader"], application=application, lock_version=1)
        assert "deadline" in error.value.messages[0] and call.title in error.value.messages[0]
        application.refresh_from_db()
        assert application.status == "draft"

    def test_the_deadline_day_itself_is_in_time(self, world: World) -> None:
        call = make_call(world)
        application = draft(world, call)
        FundingCall.objects.filter(pk=call.pk).update(deadline=TODAY())
        application.refresh_from_db()
        assert services.application_submit(user=world["leader"], application=application, lock_version=1).status == (
            "submitted"
        )

    def test_a_closed_call_takes_no_submissions(self, world: World) -> None:
        call = make_call(world)
        application = draft(world, call)
        FundingCall.objects.filter(pk=call.pk).update(status=FundingCall.Status.CLOSED)
        application.refresh_from_db()
        with pytest.raises(ValidationError) as error:
            services.application_submit(user=world["leader"], application=application, lock_version=1)
        assert "closed" in error.value.messages[0]

    def test_an_application_without_budget_lines_cannot_be_submitted(self, world: World) -> None:
        application = draft(world, make_call(world), lines=[])
        with pytest.raises(ValidationError) as error:
            services.application_submit(user=world["leader"], application=application, lock_version=1)
        assert "at least one budget line" in error.value.messages[0]

    @pytest.mark.parametrize("role", ["secretary", "coordinator", "fagsjef", "director"])
    def test_only_the_applicant_submits(self, world: World, role: str) -> None:
        application = draft(world, make_call(world))
        with pytest.raises(PermissionDenied):
            services.application_submit(user=world[role], application=application, lock_version=1)

    def test_a_submitted_application_cannot_be_edited(self, world: World) -> None:
        application = submitted(world, make_call(world))
        with pytest.raises(PermissionDenied):
            services.application_update(
                user=world["leader"], application=application, data=TEXTS, lines=LINES, lock_version=2
            )


class TestEndorse:
    def test_the_fagsjef_of_the_applicants_trust_endorses(self, world: World) -> None:
        application = submitted(world, make_call(world))
        fagsjef = add_fagsjef_a1(world)
        endorsed_ = services.application_endorse(
            user=fagsjef, application=application, lock_version=application.lock_version, note="Forankret."
        )
        assert (endorsed_.status, endorsed_.endorsed_by) == ("endorsed", fagsjef)
        assert kinds(endorsed_)[-1] == "endorsed"
        assert endorsed_.events.get(kind="endorsed").text == "Forankret."

    @pytest.mark.parametrize("role", ["fagsjef", "fagsjef_b", "coordinator", "director", "leader"])
    def test_no_one_else_endorses(self, world: World, role: str) -> None:
        application = submitted(world, make_call(world))
        with pytest.raises(PermissionDenied):
            services.application_endorse(user=world[role], application=application, lock_version=2)

    def test_sending_back_needs_a_reason_and_tells_the_applicant(
        self, world: World, django_capture_on_commit_callbacks
    ) -> None:
        application = submitted(world, make_call(world))
        fagsjef = add_fagsjef_a1(world)
        with pytest.raises(ValidationError):
            services.application_return(user=fagsjef, application=application, reason=" ", lock_version=2)
        with django_capture_on_commit_callbacks(execute=True):
            returned = services.application_return(
                user=fagsjef, application=application, reason="Budsjettet må begrunnes.", lock_version=2
            )
        assert (returned.status, returned.returned_reason) == ("draft", "Budsjettet må begrunnes.")
        assert [m.to for m in mail.outbox] == [[world["leader"].email]]
        assert "Budsjettet må begrunnes." in mail.outbox[0].body
        # The applicant corrects and submits again; the reason is cleared.
        again = services.application_submit(user=world["leader"], application=returned, lock_version=3)
        assert again.status == "submitted" and again.returned_reason == ""
        assert kinds(again) == ["created", "submitted", "returned", "submitted"]

    def test_identity_number_in_the_endorsement_note_is_refused(self, world: World) -> None:
        application = submitted(world, make_call(world))
        with pytest.raises(ValidationError):
            services.application_endorse(
                user=add_fagsjef_a1(world), application=application, lock_version=2, note=NATIONAL_ID
            )
        application.refresh_from_db()
        assert application.status == "submitted"

    def test_a_draft_cannot_be_endorsed(self, world: World) -> None:
        application = draft(world, make_call(world))
        with pytest.raises(PermissionDenied):
            services.application_endorse(user=add_fagsjef_a1(world), application=application, lock_version=1)

    def test_a_stale_endorsement_is_refused(self, world: World) -> None:
        application = submitted(world, make_call(world))
        with pytest.raises(ConflictError):
            services.application_endorse(user=add_fagsjef_a1(world), application=application, lock_version=1)


class TestDecision:
    def grant(self, world: World, application: Application, amount: int = 70_000, **kwargs: object) -> Application:
        return services.application_grant(
            user=world["coordinator"],
            application=application,
            amount=amount,
            decision_reference="RHF 2026/12",
            lock_version=application.lock_version,
            **kwargs,  # type: ignore[arg-type]
        )

    def test_granting_records_the_grant_in_the_networks_budget_and_tells_both(
        self, world: World, django_capture_on_commit_callbacks
    ) -> None:
        call = make_call(world)
        application = endorsed(world, call)
        with django_capture_on_commit_callbacks(execute=True):
            granted = self.grant(world, application, reason="Godt begrunnet.")
        grant = Grant.objects.get()
        assert (grant.network, grant.amount, grant.period_start, grant.period_end) == (
            world.network,
            70_000,
            TEXTS["period_start"],
            TEXTS["period_end"],
        )
        assert (grant.source, grant.decision_reference, grant.recorded_by) == (
            call.title,
            "RHF 2026/12",
            world["coordinator"],
        )
        assert (granted.status, granted.amount_granted, granted.grant) == ("granted", 70_000, grant)
        assert kinds(granted) == ["created", "submitted", "endorsed", "granted"]
        assert sorted(m.to[0] for m in mail.outbox) == sorted([world["leader"].email, world["fagsjef_a1"].email])
        assert all(world.network.name in m.subject for m in mail.outbox)
        assert "70" in mail.outbox[0].body

    def test_the_whole_amount_may_be_granted_but_not_more(self, world: World) -> None:
        application = endorsed(world, make_call(world))
        with pytest.raises(ValidationError) as error:
            self.grant(world, application, amount=75_001)
        assert "75" in error.value.message_dict["amount_granted"][0]
        assert not Grant.objects.exists()
        application.refresh_from_db()
        assert application.status == "endorsed"
        assert self.grant(world, application, amount=75_000).amount_granted == 75_000

    @pytest.mark.parametrize("amount", [0, -1])
    def test_zero_or_negative_grants_are_refused(self, world: World, amount: int) -> None:
        application = endorsed(world, make_call(world))
        with pytest.raises(ValidationError):
            self.grant(world, application, amount=amount)
        assert not Grant.objects.exists()

    def test_a_proposed_group_becomes_a_planned_network(self, world: World) -> None:
        application = endorsed(world, make_call(world), user="employee", network=None)
        granted = self.grant(world, application, amount=50_000)
        network = Network.objects.get(name="Palliasjon")
        assert (network.region, network.field, network.status) == (world.region_a, "Palliativ medisin", "planned")
        assert granted.network == network and Grant.objects.get().network == network

    def test_a_proposed_group_may_be_linked_to_an_existing_network(self, world: World) -> None:
        application = endorsed(world, make_call(world), user="employee", network=None)
        granted = self.grant(world, application, network=world.other_network)
        assert granted.network == world.other_network
        assert not Network.objects.filter(name="Palliasjon").exists()

    def test_a_name_taken_in_the_region_is_refused_and_nothing_is_saved(self, world: World) -> None:
        application = endorsed(world, make_call(world), user="employee", network=None, proposed_name="Øye")
        with pytest.raises(ValidationError) as error:
            self.grant(world, application)
        assert "already exists" in error.value.message_dict["network"][0]
        assert not Grant.objects.exists()

    def test_a_network_of_another_region_cannot_be_chosen(self, world: World) -> None:
        application = endorsed(world, make_call(world), user="employee", network=None)
        with pytest.raises(ValidationError):
            self.grant(world, application, network=world.network_b)
        assert not Grant.objects.exists()
        assert Network.objects.filter(region=world.region_a).count() == 2

    def test_declining_needs_a_reason_and_tells_the_applicant(
        self, world: World, django_capture_on_commit_callbacks
    ) -> None:
        application = endorsed(world, make_call(world))
        with pytest.raises(ValidationError):
            services.application_decline(
                user=world["coordinator"], application=application, reason="", decision_reference="", lock_version=3
            )
        with django_capture_on_commit_callbacks(execute=True):
            declined = services.application_decline(
                user=world["coordinator"],
                application=application,
                reason="Rammen er brukt opp.",
                decision_reference="",
                lock_version=3,
            )
        assert declined.status == "declined" and not Grant.objects.exists()
        assert "Rammen er brukt opp." in mail.outbox[0].body
        assert {m.to[0] for m in mail.outbox} == {world["leader"].email, world["fagsjef_a1"].email}

    @pytest.mark.parametrize("role", ["director", "coordinator_b", "fagsjef", "leader"])
    def test_only_the_regions_coordinator_decides(self, world: World, role: str) -> None:
        application = endorsed(world, make_call(world))
        with pytest.raises(PermissionDenied):
            services.application_grant(
                user=world[role], application=application, amount=1, decision_reference="", lock_version=3
            )
        assert not Grant.objects.exists()

    def test_a_submitted_application_is_endorsed_before_a_decision(self, world: World) -> None:
        application = submitted(world, make_call(world))
        with pytest.raises(PermissionDenied):
            self.grant(world, application)

    def test_identity_number_in_the_decision_reason_is_refused(self, world: World) -> None:
        application = endorsed(world, make_call(world))
        with pytest.raises(ValidationError):
            self.grant(world, application, reason=f"Se {NATIONAL_ID}")
        assert not Grant.objects.exists()
        application.refresh_from_db()
        assert application.status == "endorsed"


def test_every_step_is_on_the_timeline_with_who(world: World) -> None:
    application = endorsed(world, make_call(world))
    services.application_grant(
        user=world["coordinator"], application=application, amount=1_000, decision_reference="", lock_version=3
    )
    actors = list(application.events.order_by("at", "pk").values_list("kind", "actor__username"))
    assert actors == [
        (ApplicationEvent.Kind.CREATED, "leader"),
        (ApplicationEvent.Kind.SUBMITTED, "leader"),
        (ApplicationEvent.Kind.ENDORSED, "fagsjef_a1"),
        (ApplicationEvent.Kind.GRANTED, "coordinator"),
    ]
    assert application.history.count() == 4


def test_make_network_in_other_region_is_unaffected(world: World) -> None:
    """Network names are unique per region only: the proposed group may share a name with another region's network."""
    make_network(world.region_b, name="Palliasjon")
    application = endorsed(world, make_call(world), user="employee", network=None)
    services.application_grant(
        user=world["coordinator"], application=application, amount=1_000, decision_reference="", lock_version=3
    )
    assert Network.objects.filter(name="Palliasjon").count() == 2
