"""Names are now cleaned of invisible characters (protection.blind.clean) and phones stored in
E.164: stored values and blind indexes recorded before are brought to that form by the
`blind_indexes_rebuild` command, which this migration runs once. It is the command, not a copy of
its logic, so a database restored from an older backup can be fixed the same way by hand."""

from django.core.management import call_command
from django.db import migrations


def rebuild(apps, schema_editor):
    # Nothing to do on a fresh database (and the command uses today's models, which a later
    # migration may extend: it must only run where there are persons to fix).
    if not apps.get_model("protection", "DataSubject").objects.exists():
        return
    call_command("blind_indexes_rebuild")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_decision_awaiting_index"),
        ("protection", "0005_erased_subject_index"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
