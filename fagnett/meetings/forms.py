import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from fagnett.core.forms import LinkField, MultiLineField, SingleLineField, choice, model_choice
from fagnett.core.locking import VersionedForm
from fagnett.meetings.models import AgendaItem, Attendance, AttendanceReply, Meeting, Minutes
from fagnett.networks.forms import DateInput
from fagnett.networks.models import Network
from fagnett.topics.selectors import topic_choices


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class PlanRowForm(forms.Form):
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    start = forms.TimeField(label=_("Starts"), widget=TimeInput())
    end = forms.TimeField(label=_("Ends"), widget=TimeInput())
    form = forms.ChoiceField(label=_("Meeting form"), choices=Meeting.Form.choices)
    location = SingleLineField(label=_("Place"), required=False)
    video_link = LinkField(label=_("Video link"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The meeting must end after it starts."))
        return data


PlanFormSet = forms.formset_factory(PlanRowForm, extra=0, max_num=24, validate_max=True)


class MeetingForm(VersionedForm, PlanRowForm):
    """One meeting changed: a planned row with a title, and a date that must be given."""

    field_order = ["title"]

    title = SingleLineField(label=_("Title"), required=False, max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput())


class CancelForm(forms.Form):
    reason = MultiLineField(
        label=_("Why is the meeting cancelled?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The reason goes to everyone invited."),
    )


class AgendaItemForm(forms.ModelForm):
    """An item as the meeting treats it (its type); where it came from (``kind``) is set by how it was made."""

    class Meta:
        model = AgendaItem
        fields = ["item_type", "title", "description", "proposed_resolution", "presenter", "duration_minutes"]
        widgets = {
            "item_type": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "proposed_resolution": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, region_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "item_type").choices = AgendaItem.ItemType.choices  # no empty choice for the radio buttons
        chosen = self.instance.topics.all() if self.instance.pk else None
        self.fields["topics"] = forms.ModelMultipleChoiceField(
            label=_("Topics"),
            queryset=topic_choices(region_id=region_id, chosen=chosen),
            required=False,
            initial=list(chosen) if chosen is not None else [],
            widget=forms.CheckboxSelectMultiple,
            help_text=_("From the region's list; the annual report counts the networks that worked on each topic."),
        )


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG or text, at most 10 MB."),
    )


class AttendanceForm(forms.Form):
    def __init__(self, *args: Any, rows: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            person = row["person"]
            label = f"{person}" + (f" ({row['trust'].short_name})" if row["trust"] else "")
            self.fields[f"person_{person.pk}"] = forms.ChoiceField(
                label=label,
                choices=Attendance.Status.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=row["status"] or None,
            )

    def statuses(self) -> dict[int, str]:
        return {int(name.removeprefix("person_")): value for name, value in self.cleaned_data.items() if value}


class ReplyForm(forms.Form):
    """An invited person's answer: coming, or not with a reason (forfall)."""

    answer = forms.ChoiceField(
        label=_("Are you coming?"), choices=AttendanceReply.Answer.choices, widget=forms.RadioSelect
    )
    reason = MultiLineField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed if you cannot come. The network's leader and secretary read it."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answer") == AttendanceReply.Answer.NOT_COMING and not data.get("reason"):
            self.add_error("reason", _("Say why you cannot come."))
        return data


class MinutesForm(VersionedForm):
    def __init__(self, *args: Any, minutes: Minutes, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = []
        self.decision_fields: dict[int, str] = {}
        for item in minutes.items.select_related("agenda_item").order_by("agenda_item__order"):
            number = item.agenda_item.order
            summary = f"summary_{item.agenda_item_id}"
            conclusion = f"conclusion_{item.agenda_item_id}"
            self.fields[summary] = MultiLineField(
                label=_("%(number)s. %(title)s – summary") % {"number": number, "title": item.agenda_item.title},
                required=False,
                initial=item.summary,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            self.fields[conclusion] = MultiLineField(
                label=_("%(number)s. %(title)s – conclusion or recommendation")
                % {"number": number, "title": item.agenda_item.title},
                required=False,
                initial=item.conclusion,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            decision = ""
            # The decision is asked for items for decision, and kept editable where one was written before.
            if item.agenda_item.is_decision or item.decision:
                decision = f"decision_{item.agenda_item_id}"
                self.fields[decision] = MultiLineField(
                    label=_("%(number)s. %(title)s – decision") % {"number": number, "title": item.agenda_item.title},
                    required=False,
                    initial=item.decision,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    help_text=_("Proposed resolution: %(text)s") % {"text": item.agenda_item.proposed_resolution}
                    if item.agenda_item.proposed_resolution
                    else "",
                )
                self.decision_fields[item.agenda_item_id] = decision
            self.sections.append((item.agenda_item, summary, conclusion, decision))
        self.fields["lock_version"].initial = minutes.lock_version

    def texts(self) -> dict[int, tuple[str, str]]:
        return {
            item.pk: (self.cleaned_data[summary], self.cleaned_data[conclusion])
            for item, summary, conclusion, _decision in self.sections
        }

    def decisions(self) -> dict[int, str]:
        return {pk: self.cleaned_data[name] for pk, name in self.decision_fields.items()}


class ActionItemRowForm(forms.Form):
    agenda_item = forms.TypedChoiceField(label=_("Agenda item"), coerce=int, required=False)
    title = SingleLineField(label=_("Action"), required=False, max_length=300)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DateInput())

    def __init__(self, *args: Any, items: list[Any], people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "agenda_item").choices = [("", "–"), *((i.pk, f"{i.order}. {i.display_title}") for i in items)]
        choice(self, "owner").choices = [("", "–"), *((p.pk, str(p)) for p in people)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [bool(data.get(n)) for n in ("agenda_item", "title", "owner", "due_date")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("An action item needs an agenda item, a text, an owner and a due date."))
        return data


ActionItemFormSet = forms.formset_factory(ActionItemRowForm, extra=2)


class CirculateForm(forms.Form):
    comments_due = forms.DateField(
        label=_("Comments by"),
        widget=DateInput(),
        initial=lambda: timezone.localdate() + datetime.timedelta(days=7),
    )


class CommentForm(forms.Form):
    item = forms.TypedChoiceField(label=_("On"), coerce=int, required=False, empty_value=None)
    text = MultiLineField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, items: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "item").choices = [
            ("", _("The minutes as a whole")),
            *((i.pk, f"{i.agenda_item.order}. {i.agenda_item.display_title}") for i in items),
        ]


class CorrectionForm(forms.Form):
    reason = MultiLineField(
        label=_("What is corrected, and why"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class CaseActionItemForm(forms.Form):
    title = SingleLineField(label=_("Action"), max_length=300)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    due_date = forms.DateField(label=_("Due"), widget=DateInput())

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "owner").choices = [("", "–"), *((p.pk, str(p)) for p in people)]

    def clean_due_date(self) -> datetime.date:
        due: datetime.date = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due


class MoveForm(forms.Form):
    """An agenda item's arrow buttons."""

    # Not required: a press without a direction moves down, as the button did before it had a form, so the
    # service still answers (403 for someone who may not change the agenda) instead of a 404 for everyone.
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))], required=False)


class MinutesApproveForm(forms.Form):
    """Who approved the minutes: the leader alone, or the network in a meeting or by circulation."""

    via = forms.ChoiceField(choices=Minutes.ApprovedVia.choices, initial=Minutes.ApprovedVia.LEADER, required=False)

    def clean_via(self) -> str:
        return self.cleaned_data["via"] or Minutes.ApprovedVia.LEADER


class ActionItemCloseForm(VersionedForm):
    """Close an action item with what was done (required), then go back to the page the person came from."""

    done_note = MultiLineField(
        label=_("What was done"),
        help_text=_("A few words the network can read in the follow-up register and on the next agenda."),
        max_length=4000,
        error_messages={"required": _("Write what was done. The action item is not closed without it.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    next = SingleLineField(required=False, max_length=2000, widget=forms.HiddenInput)


def _meeting_label(meeting: Meeting) -> str:
    day = formats.date_format(timezone.localtime(meeting.starts_at), "SHORT_DATE_FORMAT")
    return f"{day} – {meeting.title}" if meeting.title else day


class FollowUpFilterForm(forms.Form):
    """The follow-up register's filters: owner, meeting, status."""

    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    meeting = forms.TypedChoiceField(label=_("From meeting"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All statuses")),
            ("open", _("Open (overdue included)")),
            ("overdue", _("Overdue")),
            ("done", _("Done")),
        ],
    )

    def __init__(self, *args: Any, owners: list[Any], meetings: list[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "owner").choices = [("", _("All owners")), *((p.pk, str(p)) for p in owners)]
        choice(self, "meeting").choices = [
            ("", _("All meetings")),
            *((m.pk, _meeting_label(m)) for m in meetings),
        ]


class ReassignActionItemForm(forms.Form):
    """Another of the network's active people for an open action item; ``expected_owner`` is the owner shown."""

    owner = forms.TypedChoiceField(label=_("New owner"), coerce=int)
    expected_owner = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "–"), *((p.pk, str(p)) for p in people)]  # type: ignore[attr-defined]


class CalendarFeedForm(forms.Form):
    """A new calendar address: all the person's meetings, or one of their networks'."""

    network = forms.ModelChoiceField(
        label=_("Meetings of"),
        queryset=Network.objects.none(),
        required=False,
        empty_label=_("All my meetings"),
        error_messages={"invalid_choice": _("Choose one of your networks, or all your meetings.")},
    )

    def __init__(self, *args: Any, networks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "network").queryset = networks
