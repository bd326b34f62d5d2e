"""The identification screen as used in an interview: an assessment date (a decision dated on
the interview day is accepted), the live result from the server, the set's own translations
(English where a label is missing, flagged), provenance behind "Source"."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bridgeway.cases import services
from bridgeway.cases.indicator_sets import DEFAULT_FILE, import_payload, set_for
from bridgeway.cases.models import Assessment, Decision, IndicatorSet
from bridgeway.cases.set_translations import localise
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

DECEIVED = "adult_labour.deceptive_recruitment.1"


def open_case(cast):
    return services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name="Ana", second_name="Pop",
                                                         birth_date=dt.date(1990, 5, 5)),
                              exploitation_types=["ForcedLabour"])


def _shipped() -> dict:
    return json.loads(DEFAULT_FILE.read_text("utf-8"))


def test_the_shipped_sets_carry_their_translations_in_every_interface_language():
    for data in _shipped()["sets"]:
        for lang in ("uk", "ro", "fr", "ru", "ar"):
            shown = localise(data, lang=lang)
            assert shown.has_language and shown.missing == 0, (data["id"], lang)
            assert not shown.label.fallback and not shown.provenance.fallback
    shown = localise(_shipped()["sets"][0], lang="uk")
    assert shown.texts()[DECEIVED] == "Обман щодо характеру роботи, місця чи роботодавця"


def test_the_assessment_date_defaults_to_today_and_a_decision_that_day_is_accepted(cast):
    case = open_case(cast)
    client = signed_in(cast.caseworker_a)
    url = reverse("cases:assess", args=[case.pk])
    page = client.get(url).content.decode()
    assert f'name="assessed_on" value="{timezone.localdate().isoformat()}"' in page
    interview = timezone.localdate() - dt.timedelta(days=2)
    set_ = set_for(child=False, sexual=False)
    response = client.post(url, {"set": set_.pk, "assessed_on": interview.isoformat(),
                                 "ind": [DECEIVED], f"src_{DECEIVED}": "self_report"})
    assert response.status_code == 302
    assessment = Assessment.objects.get(case=case)
    assert assessment.assessed_on == interview
    # The decision dated on the interview day (before the assessment was typed in) stands.
    response = client.post(reverse("cases:decide", args=[case.pk]), {
        "assessment": str(assessment.pk), "status": "PossibleVictimOfTrafficking",
        "decided_on": interview.isoformat()})
    assert response.status_code == 302
    assert Decision.objects.get(case=case).decided_on == interview


def test_a_bad_or_future_assessment_date_names_the_field_and_saves_nothing(cast):
    case = open_case(cast)
    client = signed_in(cast.caseworker_a)
    url = reverse("cases:assess", args=[case.pk])
    set_ = set_for(child=False, sexual=False)
    for value, message in (("2026-02-31", "Enter a valid date."),
                           ((timezone.localdate() + dt.timedelta(days=1)).isoformat(),
                            "The date is in the future.")):
        response = client.post(url, {"set": set_.pk, "assessed_on": value, "ind": [DECEIVED],
                                     f"note_{DECEIVED}": "kept"})
        assert response.status_code == 400
        page = response.content.decode()
        assert 'id="assessed-on-error"' in page and message in page
        assert 'value="kept"' in page  # the form comes back as sent
    assert not Assessment.objects.filter(case=case).exists()


def test_the_live_result_follows_the_ticks_and_only_for_who_may_see_the_case(cast):
    case = open_case(cast)
    set_ = set_for(child=False, sexual=False)
    url = reverse("cases:assess_result", args=[case.pk])
    client = signed_in(cast.caseworker_a)
    empty = client.post(url, {"set": set_.pk}).content.decode()
    assert "No indicator ticked yet." in empty
    ids = [i["id"] for d in set_.data["dimensions"] for i in d["indicators"]]
    everything = client.post(url, {"set": set_.pk, "ind": ids}).content.decode()
    assert "The indicators ticked point to trafficking" in everything
    one = client.post(url, {"set": set_.pk, "ind": [DECEIVED]}).content.decode()
    assert "Not (yet) pointing to trafficking" in one
    assert "Deceptive recruitment" in one and "1 strong" in one
    # In Ukrainian, with the set's own dimension labels.
    uk = client.post(url, {"set": set_.pk, "ind": [DECEIVED]},
                     HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "Вербування шляхом обману" in uk
    assert not Assessment.objects.exists()  # nothing saved
    for other in (cast.caseworker_b, cast.agency_poc, cast.outsider):
        assert signed_in(other).post(url, {"set": set_.pk}).status_code == 404
    assert client.get(url).status_code == 405


def test_the_screen_reads_in_the_set_language_with_provenance_behind_source(cast):
    case = open_case(cast)
    client = signed_in(cast.caseworker_a)
    page = client.get(reverse("cases:assess", args=[case.pk]),
                      HTTP_ACCEPT_LANGUAGE="ro").content.decode()
    assert "Înșelat(ă) cu privire la natura muncii, locul sau angajatorul" in page
    assert "Indicatori ai traficului de adulți în scopul exploatării prin muncă" in page
    assert "data-translation-missing" not in page
    # Developers' provenance notes sit inside the folded "Source", not on the page itself.
    assert '<details class="set-source">' in page
    before, _sep, inside = page.partition('<details class="set-source">')
    assert "transcriere secundară" not in before and "transcriere secundară" in inside
    # Dimensions fold away; the source and note of an indicator sit beside its tick.
    assert page.count('<details class="card dimension"') == 6


def _national(translations) -> bytes:
    data = _shipped()
    one = data["sets"][0]
    one["id"] = "md_labour"
    for dim in one["dimensions"]:
        for ind in dim["indicators"]:
            ind["id"] = ind["id"].replace("adult_labour.", "md_labour.")
    one["for_child"], one["for_sexual_exploitation"] = False, False
    one["translations"] = translations
    return json.dumps({"sets": [one]}).encode()


def test_an_imported_set_missing_a_translated_label_falls_back_to_english_flagged(cast):
    uk = dict(_shipped()["sets"][0]["translations"]["uk"])
    indicators = dict(uk["indicators"])
    del indicators[DECEIVED]
    uk["indicators"] = {k.replace("adult_labour.", "md_labour."): v
                        for k, v in indicators.items()}
    imported = import_payload(_national({"uk": uk}), actor=cast.platform_admin)[0]
    shown = localise(imported.data, label=imported.label, lang="uk")
    assert shown.flagged and shown.missing == 1
    by_id = {i["id"]: i for d in shown.dimensions for i in d["indicators"]}
    assert by_id["md_labour.deceptive_recruitment.1"]["fallback"]
    assert by_id["md_labour.deceptive_recruitment.1"]["text"] == (
        "Deceived about the nature of the job, location or employer")
    assert by_id["md_labour.deceptive_recruitment.2"]["text"] == "Обман щодо умов праці"
    # A language the set does not have at all: English, flagged as a whole.
    assert not localise(imported.data, lang="fr").has_language
    # On screen: the warning and the EN mark beside the untranslated text.
    case = open_case(cast)
    page = signed_in(cast.caseworker_a).get(
        reverse("cases:assess", args=[case.pk]) + f"?set={imported.pk}",
        HTTP_ACCEPT_LANGUAGE="uk").content.decode()
    assert "data-translation-missing" in page
    assert '<span lang="en">Deceived about the nature of the job, location or employer</span>' \
        in page


def test_translations_naming_unknown_ids_or_not_text_are_refused_naming_the_place(cast):
    before = IndicatorSet.objects.count()
    for translations, words in (
            ({"uk": {"indicators": {"md_labour.nowhere.1": "x"}}},
             "translations.uk.indicators names id(s) the set does not have: "
             "md_labour.nowhere.1"),
            ({"uk": {"label": 5}}, "translations.uk.label must be text"),
            ({"UK!": {}}, "is not a language code"),
            ({"uk": {"labels": {}}}, "unknown key(s) labels")):
        with pytest.raises(ValidationError) as exc:
            import_payload(_national(translations), actor=cast.platform_admin)
        assert any(words in m for m in exc.value.messages), exc.value.messages
    assert IndicatorSet.objects.count() == before


def test_the_api_previews_the_result_without_saving_and_only_for_the_case_team(cast):
    from tests.conftest import api

    case = open_case(cast)
    set_ = set_for(child=False, sexual=False)
    url = f"/api/v1/cases/{case.pk}/assessment-preview/"
    response = api(cast.caseworker_a).post(url, {"indicator_set": set_.pk,
                                                 "indicators": [DECEIVED, "made.up"]},
                                           format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["indicates_trafficking"] is False and body["ticked"] == 1
    assert body["why"]["dimensions"][0]["why"].startswith("not positive: 1 strong")
    assert api(cast.caseworker_a).post(url, {"indicator_set": 0},
                                       format="json").json() == {
        "indicator_set": ["Unknown indicator set."]}
    for other in (cast.caseworker_b, cast.outsider):
        assert api(other).post(url, {"indicator_set": set_.pk}, format="json").status_code == 404
    assert not Assessment.objects.exists()
