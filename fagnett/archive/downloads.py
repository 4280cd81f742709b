"""The Noark 5 archive extract as a background job (``core.downloads``), registered in ``ArchiveConfig.ready()``.
The builder checks the owner's permission and the period's bounds again when it runs."""

import datetime
from typing import Any

from fagnett.accounts.models import User
from fagnett.archive.noark import build_package, package_problems
from fagnett.core.downloads import Built, DownloadRefused, Progress
from fagnett.core.permissions import require_perm

KIND = "archive.extract"


def filename(network_id: int, start: datetime.date, end: datetime.date) -> str:
    return f"arkivuttrekk-{network_id}-{start.isoformat()}-{end.isoformat()}.zip"


def build(owner: User, params: dict[str, Any], progress: Progress) -> Built:
    from fagnett.networks.selectors import network_get

    network = network_get(user=owner, network_id=params["network_id"])
    require_perm(owner, "archive.export", network)
    start, end = datetime.date.fromisoformat(params["start"]), datetime.date.fromisoformat(params["end"])
    problems = list(package_problems(network=network, start=start, end=end))
    if problems:
        raise DownloadRefused(" ".join(str(problem) for problem in problems))
    progress(10)
    exported_by = owner.get_full_name() or owner.get_username()
    content = build_package(network=network, start=start, end=end, exported_by=exported_by)
    return Built(content, filename(network.pk, start, end), "application/zip")


def register() -> None:
    from fagnett.core import downloads

    downloads.register(KIND, build)
