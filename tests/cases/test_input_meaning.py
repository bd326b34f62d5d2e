"""Input that means what it says: intake keeps every person field it accepts and refuses the
rest; invisible characters cannot split a name from its duplicate or fill a blank one; phones
are stored in E.164 and e-mail addresses checked, on the screens and through the API; existing
values and blind indexes are rebuilt by one command."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from bridgeway.cases import services
from bridgeway.cases.models import Case, Person
from bridgeway.protection import blind
from bridgeway.protection.models import AuditEvent, DataSubject, SubjectIndex
from bridgeway.protection.queries import possible_duplicates, subjects_by_name
from tests.cases.test_case_api import open_case
from tests.conftest import api, signed_in

pytestmark = pytest.mark.django_db

ZW = "\u200b\u200c\u200d\ufeff"


def person_of(response) -> Person:
    return Person.objects.get(case_id=response.json()["id"])


# --- intake stores what it accepts --------------------------------------------------------------

def test_api_intake_stores_address_and_identity_documents(cast):
    response = open_case(api(cast.caseworker_a), cast.org_a,
                         address={"city": "Chișinău", "country": "MD"},
                         identity_documents=[{"kind": "passport", "number": "AB 123456"}])
    assert response.status_code == 201, response.json()
    person = person_of(response)
    assert person.address == {"street": "", "city": "Chișinău", "state": "",
                               "postal_code": "", "country": "MD"}
    assert person.identity_documents == [{"kind": "passport", "number": "AB 123456"}]
    shown = api(cast.caseworker_a).get(f"/api/v1/cases/{response.json()['id']}/person/").json()
    assert shown["address"]["city"] == "Chișinău"
    assert shown["identity_documents"] == [{"kind": "passport", "number": "AB 123456"}]


def test_api_intake_refuses_an_unknown_person_key_naming_it(cast):
    response = open_case(api(cast.caseworker_a), cast.org_a, favourite_colour="blue")
    assert response.status_code == 400
    assert "favourite_colour" in response.json()["person"]
    assert not Case.objects.exists() and not DataSubject.objects.exists()


def test_api_intake_refuses_a_bad_address_or_document_naming_it(cast):
    client = api(cast.caseworker_a)
    bad_address = open_case(client, cast.org_a, address={"city": "X", "planet": "Mars"})
    assert bad_address.status_code == 400 and "planet" in bad_address.json()["person"]["address"]
    bad_country = open_case(client, cast.org_a, address={"country": "ZZ"})
    assert bad_country.status_code == 400 and "address" in bad_country.json()
    bad_doc = open_case(client, cast.org_a, identity_documents=[{"kind": "Library card",
                                                                 "number": "1"}])
    assert bad_doc.status_code == 400 and "identity_documents" in bad_doc.json()["person"]
    assert not Case.objects.exists() and not DataSubject.objects.exists()


# --- names: invisible characters ----------------------------------------------------------------

def test_clean_removes_format_characters_and_composes():
    assert blind.clean("  Zam\u200bfira\u00a0\u00a0Quill\ufeffbrook\u202e ") == \
        "Zamfira Quillbrook"
    assert blind.clean("Ana-Mari\u0061\u0301") == "Ana-Mariá"  # NFC: one code point
    assert blind.clean(ZW) == ""
    assert blind.normalise("Zam\u200bfira") == blind.normalise("Zamfira")


def test_zero_width_name_is_a_duplicate_and_found_by_name(cast):
    original = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                                  person=services.PersonData(first_name="Zamfira",
                                                             second_name="Quillbrook"))
    assert list(possible_duplicates(cast.org_a, "Zam\u200bfira Quill\u200bbrook")) == \
        [original.subject]
    # The API warns at intake (409) and writes nothing.
    response = open_case(api(cast.caseworker_a), cast.org_a, first_name="Zam\u200bfira",
                         second_name="Quill\u200bbrook", birth_date=None)
    assert response.status_code == 409
    assert response.json()["possible_duplicates"][0]["reference"] == original.reference
    assert Case.objects.count() == 1
    # Stored cleaned, and found by name either way.
    other = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                               person=services.PersonData(first_name="Ol\u200dga",
                                                          second_name="Vo\ufeffda"))
    assert other.subject.display_name == "Olga Voda"
    assert Person.objects.get(case=other).first_name == "Olga"
    assert list(subjects_by_name(cast.org_a, "Olga Voda", fuzzy=False)) == [other.subject]
    assert list(subjects_by_name(cast.org_a, "O\u200blga", fuzzy=False)) == [other.subject]


def test_zero_width_name_found_by_the_screen_search(cast):
    services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                       person=services.PersonData(first_name="Zam\u200bfira",
                                                  second_name="Quill\u200bbrook"))
    response = api(cast.caseworker_a).post("/api/v1/cases/search/",
                                           {"name": "Zamfira Quillbrook", "fuzzy": False},
                                           format="json")
    assert response.json()["count"] == 1


@pytest.mark.parametrize("field", ["first_name"])
def test_name_of_only_format_characters_is_blank(cast, field):
    client = api(cast.caseworker_a)
    response = open_case(client, cast.org_a, **{field: ZW})
    assert response.status_code == 400 and "first_name" in response.json()
    web = signed_in(cast.caseworker_a).post(reverse("cases:intake"), {
        "first_name": ZW, "opened_on": "", "confirm_new": "on"})
    assert web.status_code == 400
    assert "first name" in web.content.decode().lower()
    assert not Case.objects.exists() and not DataSubject.objects.exists()


def test_correction_cleans_the_name_and_refuses_a_blank_one(cast):
    case = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name="Ana"))
    with pytest.raises(Exception) as refused:
        services.person_update(case=case, actor=cast.caseworker_a, version=case.version,
                               data={"first_name": ZW})
    assert "first_name" in refused.value.message_dict
    services.person_update(case=case, actor=cast.caseworker_a, version=case.version,
                           data={"first_name": "Ma\u200brina"})
    assert Person.objects.get(case=case).first_name == "Marina"
    assert list(subjects_by_name(cast.org_a, "Marina", fuzzy=False)) == [case.subject]


# --- phones and e-mail --------------------------------------------------------------------------

def test_phone_is_stored_in_e164_with_the_organisation_country(cast):
    # Org A is in Moldova: a number as dialled there gets +373.
    case = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name="Ana", phone="069 123 456"))
    assert Person.objects.get(case=case).phone == "+37369123456"
    response = open_case(api(cast.caseworker_a), cast.org_a, first_name="Bo",
                         phone="+40 721 234 567")
    assert response.status_code == 201
    assert person_of(response).phone == "+40721234567"


@pytest.mark.parametrize("phone", ["call me maybe ☎", "123", "+999 1234"])
def test_invalid_phone_is_refused_naming_the_field(cast, phone):
    response = open_case(api(cast.caseworker_a), cast.org_a, phone=phone)
    assert response.status_code == 400 and "phone" in response.json()
    web = signed_in(cast.caseworker_a).post(reverse("cases:intake"), {
        "first_name": "Ana", "phone": phone, "confirm_new": "on"})
    assert web.status_code == 400 and "phone number" in web.content.decode()
    assert not Case.objects.exists() and not DataSubject.objects.exists()


def test_invalid_email_is_refused_naming_the_field(cast):
    response = open_case(api(cast.caseworker_a), cast.org_a, email="not-an-email")
    assert response.status_code == 400 and "email" in response.json()
    assert not Case.objects.exists()


def test_correction_puts_the_phone_in_e164_and_refuses_a_bad_one(cast):
    case = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name="Ana"))
    client = api(cast.caseworker_a)
    url = f"/api/v1/cases/{case.pk}/person/"
    bad = client.patch(url, {"version": case.version, "data": {"phone": "call me maybe ☎"}},
                       format="json")
    assert bad.status_code == 400 and "phone" in bad.json()
    bad = client.patch(url, {"version": case.version, "data": {"email": "not-an-email"}},
                       format="json")
    assert bad.status_code == 400 and "email" in bad.json()
    assert Person.objects.get(case=case).phone is None
    ok = client.patch(url, {"version": case.version, "data": {"phone": "069 123 456"}},
                      format="json")
    assert ok.status_code == 200 and ok.json()["phone"] == "+37369123456"


# --- rebuilding what was stored before ----------------------------------------------------------

def test_rebuild_command_cleans_old_values_and_indexes(cast):
    case = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name="Zamfira",
                                                         second_name="Quillbrook"))
    subject = case.subject
    # As recorded before the rule: invisible characters in the stored name, a local phone, and
    # indexes built from them.
    old = "Zam\u200bfira Quill\u200bbrook"
    subject.display_name = old
    subject.save(update_fields=["display_name"])
    person = Person.objects.get(case=case)
    person.subject = subject
    person.first_name, person.phone = "Zam\u200bfira", "069 123 456"
    person.save()
    SubjectIndex.objects.filter(subject=subject).delete()
    SubjectIndex.objects.bulk_create([
        SubjectIndex(subject=subject, organisation=cast.org_a, field="display_name", kind=k,
                     digest=d) for k, d in [("exact", blind.digest(
                         cast.org_a.pk, "display_name", "exact", "zam\u200bfira quill\u200bbrook"))]])
    assert not subjects_by_name(cast.org_a, "Zamfira", fuzzy=False).exists()

    call_command("blind_indexes_rebuild")

    subject.refresh_from_db()
    assert subject.display_name == "Zamfira Quillbrook"
    person = Person.objects.get(case=case)
    assert person.first_name == "Zamfira" and person.phone == "+37369123456"
    assert list(subjects_by_name(cast.org_a, "Zamfira", fuzzy=False)) == [subject]
    assert list(possible_duplicates(cast.org_a, "Zamfira Quillbrook")) == [subject]
    event = AuditEvent.objects.get(action="protection.blind_index.rebuilt")
    assert event.payload == {"subjects": 1}


def test_an_old_unparseable_phone_does_not_block_another_correction(cast):
    case = services.case_open(org=cast.org_a, actor=cast.caseworker_a,
                              person=services.PersonData(first_name="Ana"))
    Person.objects.filter(case=case).update(phone=None)
    person = Person.objects.get(case=case)
    person.subject = case.subject
    person.phone = "call me maybe"  # recorded before phones were checked
    person.save()
    result = services.person_update(case=case, actor=cast.caseworker_a, version=case.version,
                                    data={"gender": "Feminine"})
    assert result.fields == ["gender"]
    assert Person.objects.get(case=case).phone == "call me maybe"
