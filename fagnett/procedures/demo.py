"""Demo data for the procedures app."""


def build() -> None:
    return None
