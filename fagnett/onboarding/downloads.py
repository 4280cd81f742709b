"""A large region import carried out as a background job (``core.downloads``), registered in
``OnboardingConfig.ready()``.

The job's point is what it imports; its file is the import's receipt (what it created, changed and left, per sheet),
and the download's page links to the import's own page. The builder checks the person's permission again (they may
have lost it since confirming), imports with ``services.region_import_confirm`` — one transaction, all or nothing —
and, if that fails, puts the import back to waiting for confirmation and fails the job with a message for the person.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fagnett.accounts.models import User
from fagnett.core.downloads import Built, DownloadRefused, Progress
from fagnett.core.permissions import require_perm
from fagnett.onboarding import services
from fagnett.onboarding.models import RegionImport
from fagnett.onboarding.schema import SHEETS

logger = logging.getLogger(__name__)

#: the most problems the job's message names (the message has room for about 500 characters)
PROBLEMS_NAMED = 3


def build(owner: User, params: dict[str, Any], progress: Progress) -> Built:
    record = RegionImport.objects.select_related("region").get(pk=params["region_import"])
    try:
        require_perm(owner, "onboarding.manage_region", record.region)
    except PermissionDenied:
        services.region_import_release(record)
        raise DownloadRefused(_("You may no longer import into this region, so nothing was imported.")) from None
    try:
        record = services.region_import_confirm(user=owner, region_import=record, queued=True)
    except ValidationError as error:  # imported by another job meanwhile: nothing to put back
        raise DownloadRefused(" ".join(error.messages)) from None
    except services.ImportRefused as refused:  # the region changed since the preview
        services.region_import_release(record)
        message = ngettext(
            "Nothing was imported: the files have a problem.",
            "Nothing was imported: the files have %(count)s problems.",
            refused.count,
        ) % {"count": refused.count}
        raise DownloadRefused(" ".join([message, *(str(p) for p in refused.problems[:PROBLEMS_NAMED])])) from None
    except Exception:
        logger.exception("Import %s failed in its background job", record.pk)
        services.region_import_release(record)
        raise DownloadRefused(
            _(
                "The import failed and nothing was imported. Try again; if it fails again, tell the person who runs "
                "Fagnett."
            )
        ) from None
    return Built(receipt(record).encode(), f"import-{record.pk}.txt", "text/plain; charset=utf-8")


def receipt(record: RegionImport) -> str:
    """What the import did, per sheet, as plain text in the person's language."""
    lines = [str(record.change_reason), ""]
    for code, counts in record.counts.items():
        title = SHEETS[code].title if code in SHEETS else code
        lines.append(
            _("%(sheet)s: %(created)s created, %(changed)s changed, %(unchanged)s unchanged")
            % {
                "sheet": title,
                "created": counts.get("created", 0),
                "changed": counts.get("changed", 0),
                "unchanged": counts.get("unchanged", 0),
            }
        )
    return "\n".join(lines) + "\n"


def register() -> None:
    from fagnett.core import downloads

    downloads.register(services.JOB_KIND, build)
