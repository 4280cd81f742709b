"""Demo data for the cases app."""


def build() -> None:
    return None
