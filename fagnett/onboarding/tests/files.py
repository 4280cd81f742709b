"""Workbooks as a coordinator fills them in: the downloaded template, with rows typed into its sheets."""

import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import load_workbook

from fagnett.onboarding.schema import CODES_SHEET, KINDS
from fagnett.onboarding.services import Upload
from fagnett.onboarding.workbooks import template

Rows = Mapping[str, Sequence[Mapping[str, Any]]]


def filled(kind: str, rows: Rows, *, trusts: Sequence[str] = (), networks: Sequence[str] = ()) -> bytes:
    """The template of ``kind`` with ``rows`` (sheet code → rows of column code → value) typed in, in the order of
    the template's columns; a sheet code not in the template is left out."""
    return fill(template(kind=KINDS[kind], trusts=trusts, networks=networks), rows)


def fill(template_data: bytes, rows: Rows) -> bytes:
    """A template (as downloaded) with ``rows`` typed into its sheets, found by the codes on its hidden sheet."""
    book = load_workbook(io.BytesIO(template_data))
    columns: dict[str, tuple[str, dict[str, int]]] = {}
    for row in list(book[CODES_SHEET].iter_rows(values_only=True))[1:]:
        _kind, title, sheet_code, index, code = row
        columns.setdefault(str(sheet_code), (str(title), {}))[1][str(code)] = int(index)  # type: ignore[arg-type]
    for sheet_code, items in rows.items():
        title, by_code = columns[sheet_code]
        sheet = book[title]
        for number, item in enumerate(items, start=2):
            for code, value in item.items():
                sheet.cell(row=number, column=by_code[code], value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(kind: str, rows: Rows, name: str = "") -> Upload:
    return Upload(kind, name or f"{KINDS[kind].filename}.xlsx", filled(kind, rows))
