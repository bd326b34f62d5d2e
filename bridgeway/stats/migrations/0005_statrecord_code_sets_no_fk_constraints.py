"""Issue 6, import speed: StatRecord's lists become bit masks over append-only vocabularies
(stats.fields.CodeSetField), and its two foreign keys lose their database constraints (Django
still cascades and protects); the single-column organisation index goes ((organisation, year)
covers it). Existing rows are converted both ways."""

import django.db.models.deletion
from django.db import migrations, models

import bridgeway.stats.fields

# The vocabularies as of this migration (bridgeway/stats/codes.py may only append to them).
VOCABULARIES = {
    "means_of_control": (
        "DebtBondage", "TakesEarnings", "RestrictsFinancialAccess", "Threats",
        "PsychologicalAbuse", "PhysicalAbuse", "SexualAbuse", "FalsePromises",
        "PsychoactiveSubstances", "RestrictsMovement", "RestrictsMedicalCare",
        "ExcessiveWorkingHours", "UsesChildren", "ThreatOfLawEnforcement",
        "WithholdsNecessities", "WithholdsDocuments", "Other", "NotSpecified"),
    "exploitation": (
        "ForcedLabour", "SexualExploit", "OtherExploit", "SexAndLabour", "ForcedMarriage",
        "ForcedMilitary", "OrganRemoval", "SlaveryAndPractices", "ChildLabour", "ForcedBegging",
        "ForcedAdoption", "Surrogacy"),
    "labour_types": (
        "Agriculture", "Aquafarming", "Begging", "Construction", "DomesticWork", "Hospitality",
        "IllicitActivities", "Manufacturing", "MiningOrDrilling", "Peddling", "Transportation",
        "Other", "NotSpecified"),
    "sex_types": ("Prostitution", "Pornography", "RemoteInteractiveServices",
                  "PrivateSexualServices"),
    "recruiter_relations": ("IntimatePartner", "Friend", "Family", "Other", "Unknown"),
    "recruitment_methods": (
        "AtAPlaceOfBusiness", "AtAnEducationalInstitution", "AtWork",
        "ThroughOnlineSocialNetworks", "ThroughAnOnlineAdvertisement", "ThroughATelevisionAdvert",
        "ThroughANewspaperAdvert", "ThroughFamilyOrFamilyEvents", "ThroughFriendsOrSocialEvents",
        "Other"),
    "services": (
        "shelter", "medical", "psychological", "legal", "education", "job_counselling",
        "economic_empowerment", "interpretation", "financial", "helpline", "outreach",
        "return_reintegration", "identification"),
    "unreported": (
        "meansOfControlDebtBondage", "meansOfControlTakesEarnings",
        "meansOfControlRestrictsFinancialAccess", "meansOfControlThreats",
        "meansOfControlPsychologicalAbuse", "meansOfControlPhysicalAbuse",
        "meansOfControlSexualAbuse", "meansOfControlFalsePromises",
        "meansOfControlPsychoactiveSubstances", "meansOfControlRestrictsMovement",
        "meansOfControlRestrictsMedicalCare", "meansOfControlExcessiveWorkingHours",
        "meansOfControlUsesChildren", "meansOfControlThreatOfLawEnforcement",
        "meansOfControlWithholdsNecessities", "meansOfControlWithholdsDocuments",
        "meansOfControlOther", "meansOfControlNotSpecified", "isForcedLabour", "isSexualExploit",
        "isOtherExploit", "isSexAndLabour", "isForcedMarriage", "isForcedMilitary",
        "isOrganRemoval", "isSlaveryAndPractices", "typeOfLabourAgriculture",
        "typeOfLabourAquafarming", "typeOfLabourBegging", "typeOfLabourConstruction",
        "typeOfLabourDomesticWork", "typeOfLabourHospitality", "typeOfLabourIllicitActivities",
        "typeOfLabourManufacturing", "typeOfLabourMiningOrDrilling", "typeOfLabourPeddling",
        "typeOfLabourTransportation", "typeOfLabourOther", "typeOfLabourNotSpecified",
        "typeOfSexProstitution", "typeOfSexPornography", "typeOfSexRemoteInteractiveServices",
        "typeOfSexPrivateSexualServices", "recruiterRelationIntimatePartner",
        "recruiterRelationFriend", "recruiterRelationFamily", "recruiterRelationOther",
        "recruiterRelationUnknown"),
}
BATCH = 2000


def _copy(apps, source: str, target: str) -> None:
    """Copies every list field from `<field><source>` to `<field><target>` (the field classes
    convert: JSON list <-> mask). A code outside the vocabulary stops the migration."""
    record = apps.get_model("stats", "StatRecord")
    names = list(VOCABULARIES)
    targets = {name: record._meta.get_field(name + target) for name in names}
    batch = []
    for rec in record.objects.order_by("pk").only("pk", *(n + source for n in names)).iterator(
            chunk_size=BATCH):
        for name in names:
            value = list(getattr(rec, name + source) or [])
            # A mask field refuses a code outside its vocabulary here, before any write.
            targets[name].get_prep_value(value)
            setattr(rec, name + target, value)
        batch.append(rec)
        if len(batch) >= BATCH:
            record.objects.bulk_update(batch, [n + target for n in names])
            batch = []
    if batch:
        record.objects.bulk_update(batch, [n + target for n in names])


def _sql_lists_to_masks(schema_editor) -> None:
    """PostgreSQL: one UPDATE (a million records in seconds, not minutes)."""
    sets, params = [], []
    with schema_editor.connection.cursor() as cursor:
        for name, codes in VOCABULARIES.items():
            cursor.execute(
                f"SELECT DISTINCT e FROM stats_statrecord, jsonb_array_elements_text({name}) e "
                f"WHERE jsonb_typeof({name}) = 'array' AND NOT e = ANY(%s::text[]) LIMIT 5",
                [list(codes)])
            unknown = [row[0] for row in cursor.fetchall()]
            if unknown:
                raise ValueError(f"stats_statrecord.{name} holds codes outside its vocabulary: "
                                 f"{', '.join(unknown)}")
            sets.append(
                f"{name}_bits = CASE WHEN jsonb_typeof({name}) = 'array' THEN COALESCE(("
                f"SELECT sum(1::bigint << (array_position(%s::text[], e) - 1))::bigint "
                f"FROM (SELECT DISTINCT e FROM jsonb_array_elements_text({name}) e) d), 0) "
                f"ELSE 0 END")
            params.append(list(codes))
        cursor.execute(f"UPDATE stats_statrecord SET {', '.join(sets)}", params)


def _sql_masks_to_lists(schema_editor) -> None:
    sets, params = [], []
    for name, codes in VOCABULARIES.items():
        sets.append(f"{name} = COALESCE((SELECT jsonb_agg(v ORDER BY i) FROM unnest(%s::text[]) "
                    f"WITH ORDINALITY u(v, i) WHERE ({name}_bits >> (i::int - 1)) & 1 = 1), "
                    f"'[]'::jsonb)")
        params.append(list(codes))
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"UPDATE stats_statrecord SET {', '.join(sets)}", params)


def lists_to_masks(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _sql_lists_to_masks(schema_editor)
    else:
        _copy(apps, "", "_bits")


def masks_to_lists(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _sql_masks_to_lists(schema_editor)
    else:
        _copy(apps, "_bits", "")


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0002_directory_contacts_mechanisms"),
        ("stats", "0004_dataset_column"),
    ]

    operations = [
        migrations.AlterField(
            model_name="statrecord",
            name="organisation",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="orgs.organisation"),
        ),
        migrations.AlterField(
            model_name="statrecord",
            name="dataset",
            field=models.ForeignKey(db_constraint=False,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="records", to="stats.dataset"),
        ),
        *[migrations.AddField(
            model_name="statrecord",
            name=name + "_bits",
            field=bridgeway.stats.fields.CodeSetField(codes=codes),
        ) for name, codes in VOCABULARIES.items()],
        migrations.RunPython(lists_to_masks, masks_to_lists),
        *[migrations.RemoveField(model_name="statrecord", name=name) for name in VOCABULARIES],
        *[migrations.RenameField(model_name="statrecord", old_name=name + "_bits", new_name=name)
          for name in VOCABULARIES],
    ]
