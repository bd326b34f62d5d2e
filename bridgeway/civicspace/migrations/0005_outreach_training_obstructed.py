from django.db import migrations


def seed(apps, schema_editor):
    RestrictionType = apps.get_model("civicspace", "RestrictionType")
    RestrictionType.objects.get_or_create(code="training_obstructed", network=None,
                                          defaults={"family": "operational_access"})


def unseed(apps, schema_editor):
    apps.get_model("civicspace", "RestrictionType").objects.filter(
        code="training_obstructed", network=None).delete()


class Migration(migrations.Migration):
    """Outreach reports postponed or suspended trainings for state institutions as incidents of
    this type ("denied_facility_access" already covers refused access to facilities)."""

    dependencies = [("civicspace", "0004_incident_language")]
    operations = [migrations.RunPython(seed, unseed)]
