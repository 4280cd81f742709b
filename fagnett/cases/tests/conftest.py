from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files go to a fresh folder for each test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"
