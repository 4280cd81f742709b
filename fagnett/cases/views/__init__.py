"""Thin views for cases, one module per subject; the package re-exports every view for ``urls.py``."""

from fagnett.cases.views.common_cases import (
    common_case_create,
    common_case_detail,
    common_case_export,
    common_case_list,
)
from fagnett.cases.views.detail import case_comment, case_consult, case_detail, case_topics
from fagnett.cases.views.files import attachment_download, case_attach, case_export
from fagnett.cases.views.lists import case_list, my_cases, network_cases, unrouted_cases
from fagnett.cases.views.meetings import action_item_add, agenda_cases
from fagnett.cases.views.recommendations import recommendation_agenda, recommendation_send
from fagnett.cases.views.workflow import (
    case_close,
    case_decide,
    case_recommend,
    case_respond,
    case_responsible,
    case_route,
    case_start,
    case_submit,
)

__all__ = [
    "action_item_add",
    "agenda_cases",
    "attachment_download",
    "case_attach",
    "case_close",
    "case_comment",
    "case_consult",
    "case_decide",
    "case_detail",
    "case_export",
    "case_list",
    "case_recommend",
    "case_respond",
    "case_responsible",
    "case_route",
    "case_start",
    "case_submit",
    "case_topics",
    "common_case_create",
    "common_case_detail",
    "common_case_export",
    "common_case_list",
    "my_cases",
    "network_cases",
    "recommendation_agenda",
    "recommendation_send",
    "unrouted_cases",
]
