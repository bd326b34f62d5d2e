"""On PostgreSQL, refuse UPDATE and DELETE on audit events at the database itself.

The hash chain detects tampering on any database; this trigger also prevents it for anyone who
is not the table's owner (who could drop it). SQLite gets no trigger: the test suite's flush
between tests deletes rows, and SQLite has no separate TRUNCATE to exempt.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION bridgeway_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER protection_auditevent_append_only
    BEFORE UPDATE OR DELETE ON protection_auditevent
    FOR EACH ROW EXECUTE FUNCTION bridgeway_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS protection_auditevent_append_only ON protection_auditevent;
DROP FUNCTION IF EXISTS bridgeway_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("protection", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
