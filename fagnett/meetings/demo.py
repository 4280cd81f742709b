"""Demo data for the meetings app."""


def build() -> None:
    return None
