"""Meetings: the year's plan, agendas, documents, attendance, minutes with approval, and action items."""

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.locking import VersionedModel
from fagnett.core.models import FreeCharField, FreeTextField, FreeURLField, HashedKey
from fagnett.core.uploads import random_upload_path
from fagnett.networks.models import Network
from fagnett.organisations.models import HealthTrust
from fagnett.topics.models import Topic


class Meeting(VersionedModel):
    class Form(models.TextChoices):
        DIGITAL = "digital", _("Digital")
        PHYSICAL = "physical", _("Physical")
        HYBRID = "hybrid", _("Hybrid")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        INVITED = "invited", _("Invitation sent")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    #: The colour of each status's tag (components/status_tag.html); a status not listed is neutral.
    STATUS_COLORS: ClassVar[dict[str, str]] = {
        Status.PLANNED: "info",
        Status.INVITED: "neutral",
        Status.HELD: "neutral",
        Status.CANCELLED: "neutral",
    }

    network = models.ForeignKey(Network, models.PROTECT, related_name="meetings", verbose_name=_("network"))
    title = FreeCharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    form = models.CharField(_("meeting form"), max_length=20, choices=Form.choices, default=Form.DIGITAL)
    location = FreeCharField(_("place"), max_length=300, blank=True)
    video_link = FreeURLField(_("video link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    uid = models.UUIDField(_("calendar id"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    invitation_sent_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)
    cancel_reason = FreeTextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["network", "starts_at"]), models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        return self.title or str(_("Meeting in %(network)s") % {"network": self.network.name})

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The meeting must end after it starts.")
        if self.form in (self.Form.PHYSICAL, self.Form.HYBRID) and not self.location:
            errors["location"] = _("Give the place for a physical or hybrid meeting.")
        if self.form in (self.Form.DIGITAL, self.Form.HYBRID) and not self.video_link:
            errors["video_link"] = _("Give the video link for a digital or hybrid meeting.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


#: Said in place of what an item of a case says, to someone who may not read the case.
CASE_WITHHELD = _("Only those who may read the case see what it is about.")


def withheld_case_title(case: Any) -> str:
    """What an agenda shows of a case to someone who may not read it: its number, «Sak 2026/014».

    The number says no more than the approved regional report, which the whole region reads, already does (how
    many cases each network received in a year), and it lets the reader ask the network about the case.
    """
    reference = getattr(case, "reference", "")
    return gettext("Case %(reference)s") % {"reference": reference} if reference else gettext("A case")


class AgendaItem(models.Model):
    """An item of a meeting's agenda. An item of a case (``case``) is the case's: see ``withholds_case``.

    Two independent things are said of an item: ``kind`` is where it came from (a standard item, a case from the
    case list, an item the secretary added) and decides how the agenda treats it (any other business last, the
    follow-up item lists the open action items); ``item_type`` is how the meeting treats it — as boards mark their
    items: for orientation, for discussion, or for decision, with a proposed resolution the minutes' decision starts
    from.
    """

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("Approval of the minutes of the last meeting")
        ORIENTATION = "orientation", _("Orientations")
        CASE = "case", _("Case")
        FOLLOW_UP = "follow_up", _("Follow-up of action items")
        # The value stays "discussion" (kept in the data); it is an item added by hand, whatever its type.
        DISCUSSION = "discussion", _("Item added by hand")
        AOB = "aob", _("Any other business")

    class ItemType(models.TextChoices):
        ORIENTATION = "orientation", _("For orientation")
        DISCUSSION = "discussion", _("For discussion")
        DECISION = "decision", _("For decision")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="agenda_items", verbose_name=_("meeting"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DISCUSSION)
    item_type = models.CharField(
        _("type of item"), max_length=20, choices=ItemType.choices, default=ItemType.DISCUSSION
    )
    title = FreeCharField(_("title"), max_length=300)
    description = FreeTextField(_("description"), blank=True)
    proposed_resolution = FreeTextField(
        _("proposed resolution"),
        blank=True,
        help_text=_(
            "For an item for decision: the resolution put to the meeting. The minutes' decision starts from it."
        ),
    )
    presenter = FreeCharField(_("presenter"), max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("minutes set aside"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case", models.SET_NULL, null=True, blank=True, related_name="agenda_items", verbose_name=_("case")
    )
    # The table was made when the relation was declared on Topic; kept, so no data moves.
    topics = models.ManyToManyField(
        Topic, blank=True, related_name="agenda_items", verbose_name=_("topics"), db_table="topics_topic_agenda_items"
    )

    history = HistoricalRecords()

    #: Whether the person the item is shown to may read its case, set for that person by the selectors
    #: (``meetings.selectors.mark_cases``). Until it is set, an item of a case is shown as to someone who may not.
    can_read_case: bool = False

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.item_type == self.ItemType.DECISION and not (self.proposed_resolution or "").strip():
            raise ValidationError({"proposed_resolution": _("An item for decision needs a proposed resolution.")})

    @property
    def is_decision(self) -> bool:
        return self.item_type == self.ItemType.DECISION

    @property
    def withholds_case(self) -> bool:
        """The item is a case's that the person may not read: everything written on it is the case's (the title and
        description were copied from the case, and the secretary writes about the case), so only its number shows."""
        return self.case_id is not None and not self.can_read_case

    @property
    def display_title(self) -> str:
        """The title for the person the item was marked for (``can_read_case``)."""
        return withheld_case_title(self.case) if self.withholds_case else self.title


class AgendaDocument(models.Model):
    item = models.ForeignKey(AgendaItem, models.CASCADE, related_name="documents", verbose_name=_("agenda item"))
    file = models.FileField(_("file"), upload_to=random_upload_path, max_length=300)
    original_name = FreeCharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=120)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("meetings:document", args=[self.pk])


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="attendance", verbose_name=_("meeting"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("person"))
    trust = models.ForeignKey(
        HealthTrust, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("represents")
    )
    status = models.CharField(_("attendance"), max_length=20, choices=Status.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once_per_person")]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_status_display()}"


class AttendanceReply(models.Model):
    """A person's answer to an invitation, given in Fagnett: coming, or not (forfall) with a reason.

    Replies are asked for here rather than through the calendar file (whose REPLY would go to the organiser's
    mailbox, which nothing reads), so the invitation asks for no RSVP and says where to answer.
    """

    class Answer(models.TextChoices):
        COMING = "coming", _("I am coming")
        NOT_COMING = "not_coming", _("I cannot come")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="replies", verbose_name=_("meeting"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("person"))
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices)
    reason = FreeTextField(_("reason"), blank=True)
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance reply")
        verbose_name_plural = _("attendance replies")
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendancereply_once_per_person")]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_answer_display()}"

    def clean(self) -> None:
        if self.answer == self.Answer.NOT_COMING and not (self.reason or "").strip():
            raise ValidationError({"reason": _("Say why you cannot come.")})


class DeputyInvitation(models.Model):
    """A deputy (vara) invited to one meeting because someone from their trust cannot come.

    Deputies are not invited with the members; each "I cannot come" from a person who represents a trust invites the
    trust's next deputy not yet invited to that meeting (``replaces`` is the person whose place they take).
    """

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="deputy_invitations", verbose_name=_("meeting"))
    deputy = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("deputy"))
    replaces = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("in place of")
    )
    trust = models.ForeignKey(
        HealthTrust, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("represents")
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["invited_at", "pk"]
        verbose_name = _("deputy invitation")
        verbose_name_plural = _("deputy invitations")
        constraints = [models.UniqueConstraint(fields=["meeting", "deputy"], name="deputyinvitation_once_per_deputy")]

    def __str__(self) -> str:
        return f"{self.deputy} → {self.meeting}"


class Minutes(VersionedModel):
    """One version of a meeting's minutes. Approved versions are locked; a correction is a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CIRCULATED = "circulated", _("Circulated for comments")
        APPROVED = "approved", _("Approved")

    #: The colour of each status's tag (components/status_tag.html); a status not listed is neutral.
    STATUS_COLORS: ClassVar[dict[str, str]] = {
        Status.DRAFT: "warning",
        Status.CIRCULATED: "info",
        Status.APPROVED: "success",
    }

    class ApprovedVia(models.TextChoices):
        LEADER = "leader", _("Approved by the leader")
        MEETING = "meeting", _("Approved at the next meeting")

    meeting = models.ForeignKey(Meeting, models.PROTECT, related_name="minutes", verbose_name=_("meeting"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    circulated_at = models.DateTimeField(_("circulated"), null=True, blank=True)
    comments_due = models.DateField(_("comments by"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_via = models.CharField(_("approved how"), max_length=20, choices=ApprovedVia.choices, blank=True)
    correction_reason = FreeTextField(_("reason for the correction"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "-version"]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [models.UniqueConstraint(fields=["meeting", "version"], name="minutes_unique_version")]

    def __str__(self) -> str:
        return f"{self.meeting} – {_('minutes')} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:minutes", args=[self.meeting_id, self.version])

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


class MinutesItem(models.Model):
    minutes = models.ForeignKey(Minutes, models.CASCADE, related_name="items", verbose_name=_("minutes"))
    agenda_item = models.ForeignKey(AgendaItem, models.PROTECT, related_name="+", verbose_name=_("agenda item"))
    summary = FreeTextField(_("summary"), blank=True)
    conclusion = FreeTextField(_("conclusion or recommendation"), blank=True)
    decision = FreeTextField(
        _("decision"), blank=True, help_text=_("The resolution the meeting adopted, for an item for decision.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["agenda_item__order", "agenda_item__pk"]
        verbose_name = _("minutes item")
        verbose_name_plural = _("minutes items")
        constraints = [models.UniqueConstraint(fields=["minutes", "agenda_item"], name="minutesitem_once_per_item")]

    def __str__(self) -> str:
        return str(self.agenda_item)

    @property
    def withholds_case(self) -> bool:
        """What the minutes say about a case the person may not read is the case's (see ``AgendaItem``)."""
        return self.agenda_item.withholds_case


class MinutesComment(models.Model):
    """A comment on circulated minutes: on one of their items, or (``item`` empty) on the minutes as a whole."""

    minutes = models.ForeignKey(Minutes, models.CASCADE, related_name="comments", verbose_name=_("minutes"))
    item = models.ForeignKey(
        MinutesItem, models.CASCADE, null=True, blank=True, related_name="comments", verbose_name=_("item")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author"))
    text = FreeTextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


class MinutesNoRemarks(models.Model):
    """A member's "no remarks" (ingen merknader) on circulated minutes: one click, one row per person and version."""

    minutes = models.ForeignKey(Minutes, models.CASCADE, related_name="no_remarks", verbose_name=_("minutes"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("person"))
    created_at = models.DateTimeField(_("given"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("no remarks")
        verbose_name_plural = _("no remarks")
        constraints = [models.UniqueConstraint(fields=["minutes", "person"], name="minutesnoremarks_once_per_person")]

    def __str__(self) -> str:
        return f"{self.person}: {self.minutes}"


class ActionItem(VersionedModel):
    """A follow-up with an owner and a due date; it stays on every agenda of the network until it is done.

    Closing it records what was done (``done_note``) and by whom; its owner, leader and secretary may close it, and
    several of them may try at once, so it carries a version (``core.locking``): the second to save is told.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    #: The colour of each status's tag (components/status_tag.html); overdue is said in words beside it.
    STATUS_COLORS: ClassVar[dict[str, str]] = {Status.OPEN: "info", Status.DONE: "success"}

    network = models.ForeignKey(Network, models.PROTECT, related_name="action_items", verbose_name=_("network"))
    title = FreeCharField(_("action"), max_length=300)
    description = FreeTextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="action_items", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("closed by")
    )
    done_note = FreeTextField(_("what was done"), blank=True)
    meeting = models.ForeignKey(
        Meeting, models.SET_NULL, null=True, blank=True, related_name="action_items", verbose_name=_("from meeting")
    )
    agenda_item = models.ForeignKey(
        AgendaItem, models.SET_NULL, null=True, blank=True, related_name="action_items", verbose_name=_("agenda item")
    )
    case = models.ForeignKey(
        "cases.Case", models.SET_NULL, null=True, blank=True, related_name="action_items", verbose_name=_("case")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    #: As ``AgendaItem.can_read_case``: set per person by the selectors; unset, an action item of a case is withheld.
    can_read_case: bool = False

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [
            # The network's open items, and (with ``done_at``) those open when a meeting began: the meeting page's
            # follow-up item reads the few dozen of them, not every item the network ever had (issue 23).
            models.Index(fields=["network", "status", "done_at"]),
            models.Index(fields=["owner", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def withholds_case(self) -> bool:
        return self.case_id is not None and not self.can_read_case

    @property
    def display_title(self) -> str:
        """The action for the person the item was marked for; someone who may not read its case sees its number."""
        if not self.withholds_case:
            return self.title
        reference = getattr(self.case, "reference", "")
        if not reference:
            return gettext("An action item of a case")
        return gettext("Action item of case %(reference)s") % {"reference": reference}

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date < timezone.localdate()


class CalendarFeed(HashedKey):
    """A secret address for subscribing to a person's or a network's meetings in a calendar program.

    The secret in the address is shown once, when it is made; only its hash is stored (``core.models.HashedKey``), so
    the database, a backup or the admin never hold a working address.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="calendar_feeds", verbose_name=_("person")
    )
    network = models.ForeignKey(
        Network, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("network")
    )

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user} – {self.network or _('my meetings')}"
