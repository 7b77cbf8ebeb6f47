"""On PostgreSQL, make the access log append-only in the database itself."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FORBID = """
CREATE OR REPLACE FUNCTION core_access_log_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_accesslogentry_append_only
    BEFORE UPDATE OR DELETE ON core_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION core_access_log_forbid_change();
CREATE TRIGGER core_accesslogsubject_append_only
    BEFORE UPDATE OR DELETE ON core_accesslogsubject
    FOR EACH ROW EXECUTE FUNCTION core_access_log_forbid_change();
"""
ALLOW = """
DROP TRIGGER IF EXISTS core_accesslogentry_append_only ON core_accesslogentry;
DROP TRIGGER IF EXISTS core_accesslogsubject_append_only ON core_accesslogsubject;
DROP FUNCTION IF EXISTS core_access_log_forbid_change();
"""


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
