"""Demo data for the budget app."""


def build() -> None:
    return None
