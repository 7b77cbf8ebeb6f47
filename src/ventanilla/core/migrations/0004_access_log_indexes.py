# The access log is read a page at a time: by the auditor newest first by (at, id), where a
# date range starts the scan; by the citizen, a person's entries from the end of
# (person_id, entry), which replaces the index on person_id alone.
#
# The old index is dropped by name, not by altering the field: on SQLite altering a field
# rebuilds the table, which would drop the triggers that keep the log append-only.

from typing import Any

from django.db import migrations, models


def _drop_person_index(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("core", "AccessLogSubject")
    for name in schema_editor._constraint_names(model, ["person_id"], index=True):
        if name != "access_subject_person_entry":
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def _restore_person_index(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("core", "AccessLogSubject")
    field = model._meta.get_field("person_id")
    schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_access_log_append_only_sqlite"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="accesslogentry",
            index=models.Index(fields=["at", "id"], name="access_log_at_id"),
        ),
        migrations.AddIndex(
            model_name="accesslogsubject",
            index=models.Index(fields=["person_id", "entry"], name="access_subject_person_entry"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="accesslogsubject",
                    name="person_id",
                    field=models.UUIDField(),
                ),
            ],
            database_operations=[
                migrations.RunPython(_drop_person_index, _restore_person_index),
            ],
        ),
    ]
