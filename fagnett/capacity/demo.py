"""Demo capacity data for Helse Nord's ICU units (filled in by the capacity work)."""


def build() -> None:
    return None
