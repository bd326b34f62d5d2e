"""StatRecord's lists stored as bit masks (issue 6, import speed): the vocabularies are
append-only, a list reads back as the codes stored (in vocabulary order), a code outside the
vocabulary is refused, the migration converts existing rows both ways, and without database
foreign-key constraints Django still cascades and protects."""

import importlib

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError

from bridgeway.cases import codes as case_codes
from bridgeway.orgs.codes import Service
from bridgeway.stats import codes, services
from bridgeway.stats.fields import CodeSetField
from bridgeway.stats.models import Dataset, StatRecord
from tests.factories import OrganisationFactory

# The vocabularies' order, pinned: a stored mask means these codes, bit by bit. Append new codes
# at the end (and here); never reorder or remove one.
_CONTROL = (
    "DebtBondage", "TakesEarnings", "RestrictsFinancialAccess", "Threats", "PsychologicalAbuse",
    "PhysicalAbuse", "SexualAbuse", "FalsePromises", "PsychoactiveSubstances",
    "RestrictsMovement", "RestrictsMedicalCare", "ExcessiveWorkingHours", "UsesChildren",
    "ThreatOfLawEnforcement", "WithholdsNecessities", "WithholdsDocuments", "Other",
    "NotSpecified")
PINNED = {
    "means_of_control": _CONTROL,
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
    "unreported": tuple(f"meansOfControl{c}" for c in _CONTROL) + (
         "isForcedLabour", "isSexualExploit", "isOtherExploit", "isSexAndLabour",
         "isForcedMarriage", "isForcedMilitary", "isOrganRemoval", "isSlaveryAndPractices",
         "typeOfLabourAgriculture", "typeOfLabourAquafarming", "typeOfLabourBegging",
         "typeOfLabourConstruction", "typeOfLabourDomesticWork", "typeOfLabourHospitality",
         "typeOfLabourIllicitActivities", "typeOfLabourManufacturing",
         "typeOfLabourMiningOrDrilling", "typeOfLabourPeddling", "typeOfLabourTransportation",
         "typeOfLabourOther", "typeOfLabourNotSpecified", "typeOfSexProstitution",
         "typeOfSexPornography", "typeOfSexRemoteInteractiveServices",
         "typeOfSexPrivateSexualServices", "recruiterRelationIntimatePartner",
         "recruiterRelationFriend", "recruiterRelationFamily", "recruiterRelationOther",
         "recruiterRelationUnknown"),
}
MIGRATION = importlib.import_module(
    "bridgeway.stats.migrations.0005_statrecord_code_sets_no_fk_constraints")


@pytest.mark.parametrize("name", list(PINNED))
def test_vocabulary_order_is_pinned_and_append_only(name):
    vocabulary = codes.CODE_SETS[name]
    assert vocabulary[:len(PINNED[name])] == PINNED[name]
    # The migration that converted the stored lists used the same bits.
    assert vocabulary[:len(MIGRATION.VOCABULARIES[name])] == MIGRATION.VOCABULARIES[name]
    field = StatRecord._meta.get_field(name)
    assert isinstance(field, CodeSetField) and field.codes == vocabulary
    assert len(vocabulary) <= 63 and len(set(vocabulary)) == len(vocabulary)


def test_every_code_a_writer_stores_is_in_its_vocabulary():
    assert set(codes.CODE_SETS["services"]) == set(Service.values)
    assert set(codes.CODE_SETS["recruitment_methods"]) == set(case_codes.RecruitmentMethod.values)
    assert set(codes.HTCDS_CONTROL_TO_CTDC.values()) <= set(codes.MEANS_OF_CONTROL_CODES)
    assert set(codes.HTCDS_EXPLOITATION_TO_STORE.values()) <= set(codes.EXPLOITATION_CODES)
    assert set(codes.HTCDS_RELATION_TO_STORE.values()) <= set(codes.RECRUITER_CODES)
    assert set(codes.HTCDS_SEX) <= set(codes.SEX_CODES)
    for name, kind, target in codes.CTDC_COLUMNS:
        if kind == "flag":
            assert codes.flag_code(name) in codes.CODE_SETS[target]
            assert name in codes.UNREPORTED_CODES


def test_more_than_63_codes_refused():
    with pytest.raises(ValueError, match="63"):
        CodeSetField(codes=[f"c{i}" for i in range(64)])


def test_lists_round_trip_as_masks(cast):
    ds = Dataset.objects.create(organisation=cast.org_a, kind="ctdc")
    record = StatRecord.objects.create(
        organisation=cast.org_a, dataset=ds, exploitation=["Surrogacy", "ForcedLabour"],
        services=["identification", "shelter"], unreported=[])
    record.refresh_from_db()
    # Read back in vocabulary order; an empty list stays empty.
    assert record.exploitation == ["ForcedLabour", "Surrogacy"]
    assert record.services == ["shelter", "identification"]
    assert record.unreported == [] and record.means_of_control == []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT exploitation, services FROM {StatRecord._meta.db_table} "
                       "WHERE id = %s", [record.pk])
        assert tuple(cursor.fetchone()) == (1 | 1 << 11, 1 | 1 << 12)
    assert list(StatRecord.objects.filter(pk=record.pk).values_list("exploitation", flat=True)) \
        == [["ForcedLabour", "Surrogacy"]]


def test_unknown_code_refused(cast):
    ds = Dataset.objects.create(organisation=cast.org_a, kind="ctdc")
    with pytest.raises(ValueError, match="Smuggling"), transaction.atomic():
        StatRecord.objects.create(organisation=cast.org_a, dataset=ds, exploitation=["Smuggling"])
    assert not StatRecord.objects.exists()


def test_deleting_a_dataset_deletes_its_records_and_organisations_stay_protected(cast):
    other = OrganisationFactory()
    ds = Dataset.objects.create(organisation=cast.org_a, kind="ctdc")
    kept = Dataset.objects.create(organisation=cast.org_a, kind="ctdc", label="kept")
    StatRecord.objects.create(organisation=cast.org_a, dataset=ds)
    StatRecord.objects.create(organisation=other, dataset=ds)
    StatRecord.objects.create(organisation=cast.org_a, dataset=kept)
    # No database constraint behind it: Django's PROTECT on StatRecord.organisation.
    with pytest.raises(ProtectedError):
        other.delete()
    services.dataset_delete(dataset=ds, actor=cast.supervisor_a)
    assert list(StatRecord.objects.values_list("dataset_id", flat=True)) == [kept.pk]
    other.delete()  # its records went with their dataset
    # Deleting a dataset finds its records by an index on dataset_id, which stays.
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, StatRecord._meta.db_table)
    indexed = [c["columns"] for c in found.values() if c["index"] or c["primary_key"]]
    assert ["dataset_id"] in indexed and ["organisation_id"] not in indexed
    assert ["organisation_id", "year_of_registration"] in indexed


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_migration_converts_stored_lists_both_ways():
    executor = MigrationExecutor(connection)
    before = [("stats", "0004_dataset_column")]
    after = [("stats", "0005_statrecord_code_sets_no_fk_constraints")]
    org = OrganisationFactory()
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        ds = old.get_model("stats", "Dataset").objects.create(organisation_id=org.pk, kind="ctdc")
        pk = old.get_model("stats", "StatRecord").objects.create(
            organisation_id=org.pk, dataset_id=ds.pk, exploitation=["SexualExploit"],
            means_of_control=["Threats", "DebtBondage"], services=["legal"],
            unreported=["typeOfSexPornography"]).pk

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        rec = new.get_model("stats", "StatRecord").objects.get(pk=pk)
        assert rec.exploitation == ["SexualExploit"]
        assert rec.means_of_control == ["DebtBondage", "Threats"]
        assert rec.services == ["legal"] and rec.unreported == ["typeOfSexPornography"]
        assert rec.labour_types == [] and rec.recruitment_methods == []

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        back = MigrationExecutor(connection).loader.project_state(before).apps
        rec = back.get_model("stats", "StatRecord").objects.get(pk=pk)
        assert rec.means_of_control == ["DebtBondage", "Threats"]
        assert rec.services == ["legal"] and rec.labour_types == []
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("stats"))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_migration_stops_at_a_code_outside_the_vocabulary():
    """Nothing is silently dropped: a stored code the vocabulary lacks stops the migration
    (rolled back), naming the code, not the record."""
    before = [("stats", "0004_dataset_column")]
    after = [("stats", "0005_statrecord_code_sets_no_fk_constraints")]
    org = OrganisationFactory()
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        ds = old.get_model("stats", "Dataset").objects.create(organisation_id=org.pk, kind="ctdc")
        record = old.get_model("stats", "StatRecord")
        record.objects.create(organisation_id=org.pk, dataset_id=ds.pk,
                              exploitation=["ForcedLabour", "Smuggling"])
        with pytest.raises(ValueError, match="Smuggling"):
            MigrationExecutor(connection).migrate(after)
        executor = MigrationExecutor(connection)
        assert ("stats", after[0][1]) not in executor.loader.applied_migrations
        assert list(record.objects.values_list("exploitation", flat=True)) == [
            ["ForcedLabour", "Smuggling"]]
        record.objects.all().delete()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("stats"))
