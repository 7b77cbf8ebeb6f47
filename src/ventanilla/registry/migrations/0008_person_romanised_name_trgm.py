"""On PostgreSQL, a trigram index of the romanised names, for a name typed in Latin letters
where names are written in Hangul (`selectors._romanised_search`): case-insensitive, as the
search's `UPPER(romanised_name) LIKE` tests are. Only names romanised are indexed, so a
profile without romanisation (Mexico) pays nothing for it on writes. Built concurrently:
the register takes registrations while it builds.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS registry_person_romanised_name_trgm "
            "ON registry_person USING gin (upper(romanised_name) gin_trgm_ops) "
            "WHERE romanised_name <> ''"
        )


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP INDEX CONCURRENTLY IF EXISTS registry_person_romanised_name_trgm"
        )


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("registry", "0007_person_death_source_reference")]
    operations = [migrations.RunPython(forward, backward)]
