"""On SQLite too, make the access log append-only in the database itself.

Emptying the whole database (``flush``) lifts the triggers for its transaction, as
PostgreSQL's ``TRUNCATE`` passes its row triggers. A later migration that alters these tables
makes SQLite rebuild them by copying, which drops the triggers: it must create them again.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLES = ("core_accesslogentry", "core_accesslogsubject")
EVENTS = ("update", "delete")


def _name(table: str, event: str) -> str:
    return f"{table}_no_{event}"


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in TABLES:
        for event in EVENTS:
            # One statement each: SQLite runs a single statement per execute.
            schema_editor.execute(
                f"CREATE TRIGGER {_name(table, event)} BEFORE {event.upper()} ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END"
            )


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for table in TABLES:
        for event in EVENTS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_name(table, event)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_access_log_append_only")]
    operations = [migrations.RunPython(forward, backward)]
