"""What the meetings app's busiest pages print, written in Python once per request (issue 23).

A list of a few hundred rows through the template engine costs a node, a lookup and a lazy-aware escape per cell;
the rows here are ``core.rows.RowMarkup``: the row's markup written once, every value escaped, the labels
translated once per request. The pages' templates print the result where their loops were.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote

from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fagnett.core.memo import ProcessMemo
from fagnett.core.rows import RowMarkup, url_pattern
from fagnett.core.templatetags.components import breadcrumbs, status_tag
from fagnett.meetings.models import ActionItem, AgendaItem, AttendanceReply, Meeting
from fagnett.meetings.selectors import ActionItemRow, DoneActionItemRow, PlanRow, TrustParticipation

OPEN_ACTION_ITEM = RowMarkup(
    "<tr><td>{title}{overdue}<br>"
    '<a class="ds-link" href="{history_url}">{history}<span class="ds-sr-only"> {title}</span></a></td>'
    '<td><a class="ds-link" href="{network_url}">{network}</a></td>'
    "<td>{due}</td>"
    "<td>{meeting}</td>"
    '<td><a class="ds-button" data-variant="secondary" data-size="sm" href="{close_url}?next={next}">'
    '{mark_done}<span class="ds-sr-only">: {title}</span></a></td></tr>'
)
DONE_ACTION_ITEM = RowMarkup("<li>{title} – {network} ({done}){note}</li>")


def open_action_item_rows(items: Iterable[ActionItemRow], *, back_to: str) -> SafeString:
    """ "My action items"' table rows; each item's "Mark as done" comes back to ``back_to``."""
    overdue = format_html(' <span class="ds-tag" data-color="danger">{}</span>', _("Overdue"))
    history, mark_done, no_meeting = _("History"), _("Mark as done"), SafeString("–")
    next_ = quote(back_to)
    return OPEN_ACTION_ITEM.rows(
        {
            "title": row.title,
            "overdue": overdue if row.overdue else "",
            "history_url": row.history_url,
            "history": history,
            "network_url": row.network_url,
            "network": row.network,
            "due": row.due,
            "meeting": format_html('<a class="ds-link" href="{}">{}</a>', row.meeting_url, row.meeting_date)
            if row.meeting_url
            else no_meeting,
            "close_url": row.close_url,
            "next": next_,
            "mark_done": mark_done,
        }
        for row in items
    )


def done_action_item_rows(items: Iterable[DoneActionItemRow]) -> SafeString:
    """The items done recently, as the list's items."""
    return DONE_ACTION_ITEM.rows(
        {
            "title": row.title,
            "network": row.network,
            "done": row.done,
            "note": format_html(': <span class="muted">{}</span>', row.done_note) if row.done_note else "",
        }
        for row in items
    )


def _label(translated: str) -> SafeString:
    """A label as ``{% translate %}`` printed it: the translation of a template's text is not escaped."""
    return mark_safe(translated)  # noqa: S308 -- the project's own messages


# --- The regional overview -----------------------------------------------------------------------------------------

NETWORK_PLAN = RowMarkup(
    '<tr><th scope="row"><a class="ds-link" href="{url}">{name}</a></th>'
    '<td class="numeric">{held}</td><td class="numeric">{planned}</td><td class="numeric">{cancelled}</td>'
    '<td class="numeric">{minimum}</td><td>{status}</td></tr>'
)
#: A trust with held meetings and nobody present at any of them.
GAP_CLASS = SafeString(' class="matrix__gap"')
TRUST_PARTICIPATION = RowMarkup(
    '<tr{gap_class}><th scope="row">{trust}{gap}</th><td class="numeric">{held}</td>'
    '<td class="numeric">{attended}</td><td class="numeric">{share} %</td><td class="numeric">{people}</td></tr>'
)


def network_plan_rows(rows: Iterable[PlanRow], *, year: int) -> SafeString:
    """The overview's table of networks: meetings held, planned and cancelled in ``year`` against each mandate's
    minimum, each network's name a link to its meetings of that year."""
    meetings_url = url_pattern("meetings:network_meetings")
    below = format_html('<span class="ds-tag" data-color="warning">{}</span>', _label(_("Below the minimum")))
    ok = format_html('<span class="ds-tag" data-color="success">{}</span>', _label(_("OK")))
    return NETWORK_PLAN.rows(
        {
            "url": f"{meetings_url(row.network.pk)}?year={year}",
            "name": row.network.name,
            "held": row.held,
            "planned": row.planned,
            "cancelled": row.cancelled,
            "minimum": row.minimum or "–",
            "status": below if row.below_minimum else ok,
        }
        for row in rows
    )


def participation_rows(rows: Iterable[TrustParticipation]) -> SafeString:
    """The participation table's rows: per trust the meetings held, those where someone of the trust was present,
    the share of them in whole per cent (as the ``widthratio`` tag rounded it), and the attendances; a trust with
    held meetings and nobody present is marked as not taking part."""
    not_taking_part = format_html(' <span class="ds-tag" data-color="danger">{}</span>', _label(_("Not taking part")))
    return TRUST_PARTICIPATION.rows(
        {
            "gap_class": GAP_CLASS if row.meetings_held and not row.meetings_attended else "",
            "trust": row.trust.name,
            "gap": not_taking_part if row.meetings_held and not row.meetings_attended else "",
            "held": row.meetings_held,
            "attended": row.meetings_attended,
            "share": round(row.meetings_attended / (row.meetings_held or 1) * 100),
            "people": row.people_present,
        }
        for row in rows
    )


# --- The meeting page ------------------------------------------------------------------------------------------------
#
# The rows of ``selectors.meeting_page`` (the answers to the invitation, the agenda with the follow-up item's action
# items) written as the page's templates wrote them, every piece repeated per row or item a ``RowMarkup`` (a
# ``format_html`` per row costs a lazy-aware escape per value). A form among them carries the request's CSRF token,
# given as ``csrf`` (``django.template.backends.utils.csrf_input``).


def _message(text: str, **values: Any) -> SafeString:
    """A translated message with its values put in as ``blocktranslate`` does: the values escaped, the text not."""
    return mark_safe(text % {name: escape(str(value)) for name, value in values.items()})  # noqa: S308


#: The meeting page's heads, kept under everything they print (``meeting_head``).
_HEADS: ProcessMemo[dict[str, Any]] = ProcessMemo(size=1024)


def meeting_head(meeting: Meeting) -> dict[str, Any]:
    """What the meeting page's head prints besides labels: the trail, the dates and times in the language's formats,
    the status tag and the addresses that take more than ids. Through the template's tags and filters they were a
    millisecond; here they are made once per process under a key of everything they are made from (the language,
    the time zone, the address prefix, the meeting's times, status and network), so a changed meeting or a renamed
    network gets a new key and a new head at once. The trail and the tag come from the same functions as
    ``{% breadcrumbs %}`` and ``{% status_tag %}``."""
    network = meeting.network
    key = (
        get_language(),
        timezone.get_current_timezone_name(),
        get_script_prefix(),
        meeting.pk,
        meeting.starts_at,
        meeting.ends_at,
        meeting.status,
        meeting.invitation_sent_at,
        network.pk,
        network.name,
    )
    return _HEADS.get_or_make(key, lambda: _meeting_head(meeting))


def _meeting_head(meeting: Meeting) -> dict[str, Any]:
    starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
    date = formats.date_format(starts, "DATE_FORMAT")
    network = meeting.network
    meetings_url = url_pattern("meetings:network_meetings")(network.pk)
    export_url = (reverse("meetings:export", args=[meeting.pk, kind]) for kind in ("pdf", "docx", "ics"))
    sent = meeting.invitation_sent_at
    return {
        "trail": breadcrumbs(
            _label(_("Networks")),
            "networks:list",
            network.name,
            network,
            _label(_("Meetings")),
            f"{meetings_url}?year={starts.year}",
            date,
        ).__html__(),
        "date": date,
        "weekday_date": formats.date_format(starts, "WEEKDAY_DATE_FORMAT"),
        "start": formats.time_format(starts, "TIME_FORMAT"),
        "end": formats.time_format(ends, "TIME_FORMAT"),
        "status": status_tag(meeting),
        "invitation_sent": formats.date_format(timezone.localtime(sent), "SHORT_DATETIME_FORMAT") if sent else "",
        "history_url": url_pattern("audit:history", "meeting")(meeting.pk),
        "export_urls": dict(zip(("pdf", "docx", "ics"), export_url, strict=True)),
        # The forms and links of those who keep the meeting, and the answer's form.
        "urls": {name.split(":")[1]: reverse(name, args=[meeting.pk]) for name in _MEETING_URLS},
    }


#: The addresses of the meeting page that take only the meeting's id.
_MEETING_URLS = (
    "meetings:invite",
    "meetings:update",
    "meetings:cancel",
    "meetings:pack",
    "meetings:reply",
    "meetings:agenda_item_add",
    "meetings:agenda_standard",
    "cases:agenda_cases",
    "meetings:attendance",
    "meetings:minutes_start",
)


REPLY = RowMarkup(
    '<tr><th scope="row">{person} <span class="muted">({role})</span>{deputy_for}</th>'
    "<td>{trust}</td><td>{answer}</td><td>{deputies}</td></tr>"
)
DEPUTY_FOR = RowMarkup(' <br> <span class="muted">{text}</span>')
ANSWER = RowMarkup('<span class="ds-tag" data-color="{color}">{label}</span>')
ANSWER_WITH_REASON = RowMarkup('<span class="ds-tag" data-color="{color}">{label}</span> <br> {reason}')


def reply_rows(rows: Iterable[dict[str, Any]]) -> SafeString:
    """The table of everyone invited with their answer (``MeetingPage.reply_rows``, for those who keep the
    meeting): in whose place a deputy came, the answer and its reason, the deputies invited in each one's place."""
    coming = AttendanceReply.Answer.COMING
    in_place_of = _("in place of %(name)s")
    invited = _("%(name)s invited %(at)s")
    not_answered = format_html('<span class="muted">{}</span>', _label(_("Not answered")))
    no_deputy = format_html('<span class="ds-tag" data-color="danger">{}</span>', _label(_("No deputy to invite")))
    html = []
    for row in rows:
        reply = row["reply"]
        if reply is None:
            answer = not_answered
        else:
            color = "success" if reply["answer"] == coming else "warning"
            answer = (
                ANSWER_WITH_REASON(color=color, label=reply["answer_label"], reason=reply["reason"])
                if reply["reason"]
                else ANSWER(color=color, label=reply["answer_label"])
            )
        if row["deputies"]:
            deputies = SafeString(
                " <br> ".join(_message(invited, name=d["deputy"], at=d["invited"]) for d in row["deputies"])
            )
        else:
            deputies = no_deputy if row["no_deputy"] else SafeString("")
        deputy_for = row["deputy_for"]
        html.append(
            REPLY(
                person=row["person"],
                role=row["role"],
                deputy_for=DEPUTY_FOR(text=_message(in_place_of, name=deputy_for)) if deputy_for else "",
                trust=row["trust_short_name"],
                answer=answer,
                deputies=deputies,
            )
        )
    return SafeString("".join(html))


AGENDA_ITEM = RowMarkup(
    '<li class="agenda__item" id="item-{pk}"><div class="agenda__head">'
    '<h3 class="ds-heading" data-size="xs">{order}. {title}</h3>'
    '<span class="ds-tag" data-color="{type_color}">{type_label}</span>{muted}</div>'
    "{body}{follow_up}{documents}{tools}</li>"
)
MUTED = RowMarkup(' <span class="muted">{text}</span>')
OPEN_CASE = RowMarkup(
    '<p class="ds-paragraph"><a class="ds-link" href="{url}">{label}<span class="ds-sr-only"> {title}</span></a></p>'
)
PARAGRAPH = RowMarkup('<p class="ds-paragraph">{text}</p>')
RESOLUTION = RowMarkup('<p class="ds-paragraph proposed-resolution"><strong>{label}:</strong> {text}</p>')
TOPICS = RowMarkup('<p class="ds-paragraph topic-tags"><span class="ds-sr-only">{label}:</span>{tags}</p>')
TOPIC = RowMarkup(' <span class="ds-tag" data-color="neutral">{name}</span>')
DOCUMENT = RowMarkup('<li><a class="ds-link" href="{url}">{name}</a> <span class="muted">({size})</span>{remove}</li>')
REMOVE_DOCUMENT = RowMarkup(
    ' <form method="post" action="{url}" class="inline-form">{csrf}<button class="ds-button" data-variant="tertiary" '
    'data-size="sm" type="submit">{label}<span class="ds-sr-only"> {name}</span></button></form>'
)
#: The tools of an agenda item for those who keep the meeting (``title``: the item's title, shown to screen readers).
TOOLS = RowMarkup(
    '<div class="agenda__tools"><a class="ds-link" href="{update_url}">{edit}<span class="ds-sr-only"> {title}</span>'
    "</a> {move}"
    '<form method="post" action="{delete_url}" class="inline-form">{csrf}<button class="ds-button" '
    'data-variant="tertiary" data-size="sm" type="submit">{remove}<span class="ds-sr-only"> {title}</span></button>'
    '</form> <form method="post" action="{upload_url}" enctype="multipart/form-data" class="upload-form"> {csrf} '
    '<label class="ds-label" data-weight="regular" for="file-{pk}">{attach}<span class="ds-sr-only"> {to} {title}'
    '</span></label> <input class="ds-input" type="file" name="file" id="file-{pk}" required> '
    '<button class="ds-button" data-variant="secondary" data-size="sm" type="submit">{upload}</button> </form></div>'
)
MOVE = RowMarkup(
    '<form method="post" action="{move_url}" class="inline-form"> {csrf} '
    '<button class="ds-button" data-variant="tertiary" data-size="sm" name="direction" value="up" type="submit">'
    '{up}<span class="ds-sr-only"> {title}</span></button> '
    '<button class="ds-button" data-variant="tertiary" data-size="sm" name="direction" value="down" type="submit">'
    '{down}<span class="ds-sr-only"> {title}</span></button> </form> '
)


@dataclass(frozen=True)
class _AgendaLabels:
    """What every agenda item may say, translated once per request."""

    withheld: SafeString
    open_case: SafeString
    proposed: SafeString
    not_written: SafeString
    topics: SafeString
    edit: SafeString
    up: SafeString
    down: SafeString
    remove: SafeString
    attach: SafeString
    to: SafeString
    upload: SafeString
    minutes: str


def agenda_items(
    items: Iterable[dict[str, Any]],
    *,
    action_items: list[dict[str, Any]],
    network_id: int,
    tools: bool,
    can_manage: bool,
    can_see_documents: bool,
    csrf: SafeString,
) -> SafeString:
    """The agenda's items (``MeetingPage.items``) as the list's items: each item's head, what it is about (or that
    only the case's readers may see it), the follow-up item's action items, the documents, and for those who keep
    the meeting (``tools``) the links and forms to change it."""
    labels = _AgendaLabels(
        withheld=format_html(
            '<p class="ds-paragraph muted">{}</p>', _label(_("Only those who may read the case see what it is about."))
        ),
        open_case=_label(_("Open the case")),
        proposed=_label(_("Proposed resolution")),
        not_written=format_html('<span class="muted">{}</span>', _label(_("Not written yet."))),
        topics=_label(_("Topics")),
        edit=_label(_("Edit")),
        up=_label(_("Move up")),
        down=_label(_("Move down")),
        remove=_label(_("Remove")),
        attach=_label(_("Attach a document")),
        to=_label(_("to")),
        upload=_label(_("Upload")),
        minutes=_("%(n)s min"),
    )
    follow_up = None  # written once, for the follow-up item
    no_follow_up = SafeString("")
    html = []
    for item in items:
        if item["kind"] == AgendaItem.Kind.FOLLOW_UP:
            if follow_up is None:
                follow_up = followup_list(action_items, network_id=network_id, can_see_documents=can_see_documents)
            follow = follow_up
        else:
            follow = no_follow_up
        html.append(
            AGENDA_ITEM(
                pk=item["pk"],
                order=item["order"],
                title=item["display_title"],
                type_color="accent" if item["is_decision"] else "neutral",
                type_label=item["type_label"],
                muted=_agenda_muted(item, labels),
                body=labels.withheld if item["withholds_case"] else _agenda_body(item, labels),
                follow_up=follow,
                documents=_documents(item["documents"], can_manage=can_manage, remove=labels.remove, csrf=csrf),
                tools=_tools(item, labels, csrf=csrf) if tools else "",
            )
        )
    return SafeString("".join(html))


def _agenda_muted(item: dict[str, Any], labels: _AgendaLabels) -> SafeString | str:
    """Who presents the item and how long it takes, after its type (only the duration for a withheld case's)."""
    duration = item["duration_minutes"]
    minutes = _message(labels.minutes, n=duration) if duration else ""
    if item["withholds_case"]:
        return MUTED(text=minutes) if minutes else ""
    presenter = item["presenter"]
    if not (presenter or minutes):
        return ""
    between = " · " if presenter and minutes else ""
    return MUTED(text=SafeString(f"{escape(presenter)}{between}{minutes}"))


def _agenda_body(item: dict[str, Any], labels: _AgendaLabels) -> SafeString:
    parts = []
    if item["case_id"]:
        parts.append(OPEN_CASE(url=item["case_url"], label=labels.open_case, title=item["title"]))
    if item["description"]:
        parts.append(PARAGRAPH(text=linebreaksbr(item["description"])))
    if item["is_decision"]:
        resolution = item["proposed_resolution"]
        text = linebreaksbr(resolution) if resolution else labels.not_written
        parts.append(RESOLUTION(label=labels.proposed, text=text))
    if item["topics"]:
        parts.append(TOPICS(label=labels.topics, tags=TOPIC.rows({"name": name} for name in item["topics"])))
    return SafeString("".join(parts))


def _documents(
    documents: list[dict[str, Any]], *, can_manage: bool, remove: SafeString, csrf: SafeString
) -> SafeString | str:
    if not documents:
        return ""
    rows = DOCUMENT.rows(
        {
            "url": d["url"],
            "name": d["original_name"],
            "size": filesizeformat(d["size"]),
            "remove": REMOVE_DOCUMENT(url=d["delete_url"], csrf=csrf, label=remove, name=d["original_name"])
            if can_manage
            else "",
        }
        for d in documents
    )
    return format_html('<ul class="ds-list plain-list documents">{}</ul>', rows)


def _tools(item: dict[str, Any], labels: _AgendaLabels, *, csrf: SafeString) -> SafeString:
    title = item["display_title"]
    move = (
        ""
        if item["kind"] == AgendaItem.Kind.AOB
        else MOVE(move_url=item["move_url"], csrf=csrf, up=labels.up, down=labels.down, title=title)
    )
    return TOOLS(
        pk=item["pk"],
        title=title,
        update_url=item["update_url"],
        edit=labels.edit,
        move=move,
        delete_url=item["delete_url"],
        csrf=csrf,
        remove=labels.remove,
        upload_url=item["upload_url"],
        attach=labels.attach,
        to=labels.to,
        upload=labels.upload,
    )


FOLLOW_UP = RowMarkup("<li>{title} – {owner}, {due_label} {due}{status}</li>")
#: An action item with its history, for those who see the meeting's documents (the title is the item's own).
FOLLOW_UP_WITH_HISTORY = RowMarkup(
    "<li>{title} – {owner}, {due_label} {due}{status} "
    '<a class="ds-link" href="{history_url}">{history}<span class="ds-sr-only"> {title}</span></a></li>'
)
DONE_WITH_NOTE = RowMarkup("{done} <br>{what} {note}")


def followup_list(rows: list[dict[str, Any]], *, network_id: int, can_see_documents: bool) -> SafeString:
    """The follow-up item's action items (``MeetingPage.action_items``): each one's owner and due date, done (with
    what was done) or overdue, and its history for those who see the meeting's documents; then the network's
    follow-up register."""
    if rows:
        due_label, history = _label(_("due")), _label(_("History"))
        done = format_html(' <span class="ds-tag" data-color="success">{}</span>', _label(_("Done")))
        what = format_html('<span class="muted">{}:</span>', _label(_("What was done")))
        overdue = format_html(' <span class="ds-tag" data-color="danger">{}</span>', _label(_("Overdue")))
        items = []
        for a in rows:
            withheld = a["withholds_case"]
            status: SafeString | str
            if a["status"] == ActionItem.Status.DONE:
                status = (
                    DONE_WITH_NOTE(done=done, what=what, note=a["done_note"])
                    if a["done_note"] and not withheld
                    else done
                )
            else:
                status = overdue if a["is_overdue"] else ""
            values = {"title": a["display_title"], "owner": a["owner"], "due_label": due_label, "due": a["due"]}
            if can_see_documents and not withheld:
                items.append(
                    FOLLOW_UP_WITH_HISTORY(**values, status=status, history_url=a["history_url"], history=history)
                )
            else:
                items.append(FOLLOW_UP(**values, status=status))
        html = format_html('<ul class="ds-list plain-list">{}</ul>', SafeString("".join(items)))
    else:
        html = format_html('<p class="ds-paragraph muted">{}</p>', _label(_("No open action items.")))
    if can_see_documents:
        html = format_html(
            '{}<p class="ds-paragraph"><a class="ds-link" href="{}">{}</a></p>',
            html,
            reverse("meetings:followup", args=[network_id]),
            _label(_("The network's follow-up register")),
        )
    return html
