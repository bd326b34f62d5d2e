from django.db import migrations

# The network view adds up one year of activities and access requests across a network's
# organisations. On PostgreSQL these indexes carry every column it reads, so it is answered by an
# index-only scan instead of visiting ~25,000 table rows a year (bench/bench_outreach.py).
# SQLite has no INCLUDE: there the plain indexes of 0001 serve.
INDEXES = [
    ("outreach_activity_network_view", "outreach_activity", "organisation_id, started_on",
     "country, kind, reached_total, reached_female, reached_male, reached_age_0_17, "
     "potential_victims"),
    ("outreach_access_network_view", "outreach_accessrequest", "organisation_id, requested_on",
     "facility_id, outcome"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, columns, include in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns}) "
                              f"INCLUDE ({include})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _columns, _include in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
