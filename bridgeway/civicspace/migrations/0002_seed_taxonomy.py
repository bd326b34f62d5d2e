from django.db import migrations

# Codes and families only: labels are translated in bridgeway/civicspace/codes.py.
SEEDED = [
    ("burdensome_registration", "regulatory"), ("restrictive_ngo_law", "regulatory"),
    ("foreign_agent_label", "regulatory"), ("reporting_burden", "regulatory"),
    ("foreign_funding_restriction", "finance"), ("funding_cut", "finance"),
    ("discriminatory_criteria", "finance"), ("no_long_term_funding", "finance"),
    ("excluded_consultation", "participation"), ("feedback_ignored", "participation"),
    ("excluded_identification", "participation"), ("excluded_referral", "participation"),
    ("prosecution_migration", "safe_space"), ("harassment", "safe_space"),
    ("smear_campaign", "safe_space"), ("surveillance", "safe_space"),
    ("attack_on_staff", "safe_space"), ("denied_facility_access", "operational_access"),
    ("denied_hotspot_access", "operational_access"), ("denied_victim_access", "operational_access"),
]


def seed(apps, schema_editor):
    RestrictionType = apps.get_model("civicspace", "RestrictionType")
    for code, family in SEEDED:
        RestrictionType.objects.get_or_create(code=code, network=None, defaults={"family": family})


def unseed(apps, schema_editor):
    apps.get_model("civicspace", "RestrictionType").objects.filter(network=None).delete()


class Migration(migrations.Migration):
    dependencies = [("civicspace", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
