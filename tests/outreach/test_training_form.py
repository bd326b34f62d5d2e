"""Participants by institution are entered in the training form (new and edit); when they do
not add up to the participants by sex the form says so, naming the field, and saves nothing."""

import pytest

from bridgeway.outreach.models import Training
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

BASE = {"institution_type": "police", "country": "MD", "topic": "Indicators of trafficking",
        "planned_on": "2026-03-01", "status": "held", "held_on": "2026-03-01",
        "participants_female": "12", "participants_male": "8", "participants_sex_other": "0"}


def test_participants_by_institution_through_the_form_and_on_edit(cast):
    client = signed_in(cast.caseworker_a)
    page = client.get("/outreach/trainings/new/").content.decode()
    assert "Participants by institution: Labour inspection" in page
    r = client.post("/outreach/trainings/new/", {
        **BASE, "organisation": cast.org_a.pk, "participant_institutions.police": "15",
        "participant_institutions.labour_inspection": "5"})
    assert r.status_code == 302, r.content.decode()[:3000]
    training = Training.objects.get()
    assert training.participant_institutions == {"labour_inspection": 5, "police": 15}
    edit = client.get(f"/outreach/trainings/{training.pk}/edit/").content.decode()
    assert 'name="participant_institutions.police" value="15"' in edit
    form = {**BASE, "organisation": cast.org_a.pk, "version": "1",
            "original": '{"participant_institutions": {"police": 15, "labour_inspection": 5}}',
            "participant_institutions.police": "20", "participant_institutions.labour_inspection": "0"}
    r = client.post(f"/outreach/trainings/{training.pk}/edit/", form)
    assert r.status_code == 302, r.content.decode()[:3000]
    training.refresh_from_db()
    assert training.participant_institutions == {"police": 20}


def test_a_sum_that_does_not_match_names_the_field_and_saves_nothing(cast):
    client = signed_in(cast.caseworker_a)
    r = client.post("/outreach/trainings/new/", {
        **BASE, "organisation": cast.org_a.pk, "participant_institutions.police": "15"})
    assert r.status_code == 200
    assert "Participants by institution add up to 15, but by sex to 20." in r.content.decode()
    assert not Training.objects.exists()


@pytest.mark.parametrize("who", ["caseworker_b", "outsider", "coordinator"])
def test_others_get_404_on_the_training_form(cast, who):
    client = signed_in(cast.caseworker_a)
    client.post("/outreach/trainings/new/", {
        **BASE, "organisation": cast.org_a.pk, "participant_institutions.police": "20"})
    training = Training.objects.get()
    other = signed_in(getattr(cast, who))
    assert other.get(f"/outreach/trainings/{training.pk}/edit/").status_code == 404
    assert other.post(f"/outreach/trainings/{training.pk}/edit/", {
        **BASE, "version": "1", "participant_institutions.police": "1"}).status_code == 404
    training.refresh_from_db()
    assert training.participant_institutions == {"police": 20}
