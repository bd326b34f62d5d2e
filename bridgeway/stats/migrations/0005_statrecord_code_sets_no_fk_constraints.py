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
    batch = []
    for rec in record.objects.order_by("pk").only("pk", *(n + source for n in names)).iterator(
            chunk_size=BATCH):
        for name in names:
            value = getattr(rec, name + source)
            setattr(rec, name + target, list(value or []))
        batch.append(rec)
        if len(batch) >= BATCH:
            record.objects.bulk_update(batch, [n + target for n in names])
            batch = []
    if batch:
        record.objects.bulk_update(batch, [n + target for n in names])


def lists_to_masks(apps, schema_editor):
    _copy(apps, "", "_bits")


def masks_to_lists(apps, schema_editor):
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
