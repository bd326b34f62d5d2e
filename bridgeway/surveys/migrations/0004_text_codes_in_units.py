"""Sealed answers counted from the submission units: the units of submissions submitted before
this change get, beside their clear answers' codes, the question's own code for each sealed
answer they hold (found from the texts' places; no text is opened, no key needed). Units exist
only for submitted answers now (reopening deletes them): those of reopened answers go. Reversing
leaves both as they are: the earlier counting ignores the codes and writes units again on the
next submission. A unit is unique per submission, repeat and entry (it always was; the key is now
how the counting finds a submission's own unit)."""

from collections import defaultdict

from django.db import migrations, models

BATCH = 500


def add_text_codes(apps, schema_editor):
    from bridgeway.surveys.tally import analyze_tables, units_of_submission

    Submission = apps.get_model("surveys", "Submission")
    SubmissionText = apps.get_model("surveys", "SubmissionText")
    SubmissionUnit = apps.get_model("surveys", "SubmissionUnit")
    SurveyCode = apps.get_model("surveys", "SurveyCode")
    FormVersion = apps.get_model("surveys", "FormVersion")
    SubmissionUnit.objects.exclude(submission__status="submitted").delete()
    ids = list(SubmissionText.objects.filter(submission__counted=True,
                                             submission__status="submitted")
               .order_by("submission_id").values_list("submission_id", flat=True).distinct())
    specs: dict[int, dict] = {}
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        places: dict[int, list[str]] = defaultdict(list)
        for sub_id, place in SubmissionText.objects.filter(submission_id__in=batch) \
                .values_list("submission_id", "place"):
            places[sub_id].append(place)
        units = []
        for sub in Submission.objects.filter(pk__in=batch).only("pk", "survey_id", "version_id",
                                                                "answers"):
            if sub.version_id not in specs:
                specs[sub.version_id] = FormVersion.objects.get(pk=sub.version_id).spec
            answers = sub.answers if isinstance(sub.answers, dict) else {}
            for unit in units_of_submission(specs[sub.version_id], answers, places[sub.pk]):
                units.append((sub, *unit))
        codes: dict[int, dict[tuple[str, str], int]] = {}
        for survey_id in {sub.survey_id for sub, *_rest in units}:
            wanted = {pair for sub, _r, _e, coded, _n in units if sub.survey_id == survey_id
                      for pair in coded}
            wanted |= {(q, "") for sub, _r, _e, _c, numbers in units
                       if sub.survey_id == survey_id for q, _v in numbers}
            SurveyCode.objects.bulk_create([SurveyCode(survey_id=survey_id, question=q, value=v)
                                            for q, v in wanted], ignore_conflicts=True)
            codes[survey_id] = {(q, v): pk for pk, q, v in SurveyCode.objects.filter(
                survey_id=survey_id).values_list("pk", "question", "value")}
        SubmissionUnit.objects.filter(submission_id__in=batch).delete()
        SubmissionUnit.objects.bulk_create(
            SubmissionUnit(submission_id=sub.pk, survey_id=sub.survey_id, repeat=repeat,
                           entry=entry, codes=[codes[sub.survey_id][p] for p in coded],
                           number_codes=[codes[sub.survey_id][(q, "")] for q, _v in numbers],
                           numbers=[v for _q, v in numbers])
            for sub, repeat, entry, coded, numbers in units)
    analyze_tables()


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0003_submission_units"),
    ]

    operations = [
        # The index first: on PostgreSQL an index cannot be built in a transaction that has
        # already written rows with deferred foreign-key checks pending.
        migrations.AddConstraint(
            model_name="submissionunit",
            constraint=models.UniqueConstraint(models.F("submission"), models.F("repeat"),
                                               models.F("entry"),
                                               name="survey_unit_one_per_entry"),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(condition=models.Q(("counted", False), ("status", "submitted")),
                               fields=["survey"], name="survey_sub_uncounted"),
        ),
        migrations.RunPython(add_text_codes, migrations.RunPython.noop, elidable=True),
    ]
