"""A GIN index on the words of a case, for the case list's search on PostgreSQL (issue 23).

Without it, every search computed the Norwegian text-search vector of every case the person may see, twice (the
count and the page): ~285 ms of PostgreSQL for a coordinator at national scale; with it, 1.5-16 ms. The indexed
expression is the one ``cases.selectors`` searches with (``SearchVector`` in ``_search``, the same text in
``_search_sql``); PostgreSQL uses the index only for that exact expression, which
``test_case_list_page.py::test_the_words_search_can_use_its_index`` holds. SQLite searches by substring and gets no
index.
"""

from django.db import migrations

INDEX = "case_search_norwegian"

CREATE = f"""
    CREATE INDEX {INDEX} ON cases_case USING gin (
        to_tsvector('norwegian'::regconfig,
                    COALESCE(title, '') || ' ' || COALESCE(description, '') || ' ' || COALESCE(wanted, '') || ' '
                    || COALESCE(recommendation, '') || ' ' || COALESCE(decision, ''))
    )
"""


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_case_list_keyset_indexes")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
