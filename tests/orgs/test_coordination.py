"""Coordination mechanisms (task forces): who sees them, their members and their meetings, who
manages them, and what bad input gets."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bridgeway.orgs import services
from bridgeway.orgs.models import CoordinationMechanism, MechanismMeeting, MechanismMember
from bridgeway.protection.models import AuditEvent
from tests.conftest import signed_in
from tests.factories import MembershipFactory, with_totp

pytestmark = pytest.mark.django_db


@pytest.fixture
def police_admin(cast):
    user = MembershipFactory(organisation=cast.police, role="org_admin").user
    with_totp(user)
    return user


@pytest.fixture
def task_force(cast, police_admin):
    """Convened by the police; Org A is a full member. Org B is not in it."""
    mechanism = services.mechanism_create(actor=police_admin, convener=cast.police,
                                          name="National Task Force", level="national",
                                          country="MD")
    services.mechanism_member_add(mechanism=mechanism, actor=police_admin,
                                  organisation=cast.org_a)
    services.meeting_record(mechanism=mechanism, actor=police_admin,
                            held_on=timezone.localdate() - timedelta(days=7),
                            attendees=[cast.police, cast.org_a], agenda="Referral times",
                            decisions="Answer within 48 hours")
    return mechanism


def test_convener_is_chair_and_csos_join_as_full_members(cast, task_force):
    roles = dict(task_force.members.values_list("organisation__name", "role"))
    assert roles == {"Police unit": "chair", "Org A": "member"}


# --- who sees what ------------------------------------------------------------------------

@pytest.mark.parametrize("who,status", [
    ("caseworker_a", 200), ("admin_b", 200), ("caseworker_b", 200), ("agency_poc", 200),
    ("coordinator", 200), ("platform_admin", 200), ("outsider", 404),
])
def test_mechanism_and_members_are_seen_by_every_member_of_any_organisation(cast, task_force,
                                                                            who, status):
    client = signed_in(getattr(cast, who))
    response = client.get(reverse("orgs:mechanism", args=[task_force.pk]))
    assert response.status_code == status
    api = client.get(f"/api/v1/task-forces/{task_force.pk}/")
    assert api.status_code == status
    if status == 200:
        assert "Org A" in response.content.decode()
        assert {m["organisation_name"] for m in api.json()["members"]} == {"Org A", "Police unit"}
    listed = client.get(reverse("orgs:mechanisms"))
    assert listed.status_code == 200
    names = {m.name for m in listed.context["page"].object_list}
    assert names == ({"National Task Force"} if status == 200 else set())


@pytest.mark.parametrize("who,status", [
    ("caseworker_a", 200), ("supervisor_a", 200), ("dpo_a", 200), ("agency_poc", 200),
    ("caseworker_b", 404), ("admin_b", 404), ("coordinator", 404), ("platform_admin", 404),
    ("outsider", 404),
])
def test_meetings_are_for_member_organisations_people_only(cast, task_force, who, status):
    client = signed_in(getattr(cast, who))
    response = client.get(reverse("orgs:mechanism_meetings", args=[task_force.pk]))
    assert response.status_code == status
    api = client.get(f"/api/v1/task-forces/{task_force.pk}/meetings/")
    assert api.status_code == status
    detail = client.get(reverse("orgs:mechanism", args=[task_force.pk])).content.decode()
    if status == 200:
        assert "Answer within 48 hours" in response.content.decode()
        assert api.json()["results"][0]["decisions"] == "Answer within 48 hours"
    assert "Answer within 48 hours" not in detail


def test_unlisted_member_is_hidden_from_people_outside_the_mechanism(cast, task_force,
                                                                     police_admin):
    services.mechanism_member_add(mechanism=task_force, actor=police_admin,
                                  organisation=cast.hidden)
    outside = signed_in(cast.caseworker_b).get(f"/api/v1/task-forces/{task_force.pk}/").json()
    inside = signed_in(cast.caseworker_a).get(f"/api/v1/task-forces/{task_force.pk}/").json()
    assert "Hidden CSO" not in {m["organisation_name"] for m in outside["members"]}
    assert "Hidden CSO" in {m["organisation_name"] for m in inside["members"]}


# --- who manages -------------------------------------------------------------------------

MANAGERS = [("police_admin", 200)] + [(who, 403) for who in (
    "agency_poc", "caseworker_a", "admin_a", "admin_b", "coordinator", "platform_admin")] + [
    ("outsider", 404)]


def _user(cast, police_admin, who):
    return police_admin if who == "police_admin" else getattr(cast, who)


@pytest.mark.parametrize("who,status", MANAGERS)
def test_only_the_conveners_admin_manages_the_mechanism(cast, police_admin, task_force, who,
                                                         status):
    client = signed_in(_user(cast, police_admin, who))
    for name in ("mechanism_edit", "mechanism_member_add", "meeting_add"):
        assert client.get(reverse(f"orgs:{name}", args=[task_force.pk])).status_code == status
    if status == 200:
        return
    before = (AuditEvent.objects.count(), MechanismMember.objects.count(),
              MechanismMeeting.objects.count())
    posts = [
        (reverse("orgs:mechanism_edit", args=[task_force.pk]),
         {"name": "Renamed", "level": "national", "country": "MD"}),
        (reverse("orgs:mechanism_member_add", args=[task_force.pk]),
         {"organisation": cast.org_b.pk, "role": "member"}),
        (reverse("orgs:meeting_add", args=[task_force.pk]),
         {"held_on": "2026-01-10", "attendees": [cast.police.pk]}),
        (reverse("orgs:mechanism_member_remove",
                 args=[task_force.pk, task_force.members.get(organisation=cast.org_a).pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == status, url
    api = f"/api/v1/task-forces/{task_force.pk}/"
    assert client.patch(api, {"name": "Renamed"},
                        content_type="application/json").status_code == status
    assert client.post(api + "members/", {"organisation": cast.org_b.pk},
                       content_type="application/json").status_code == status
    assert client.post(api + "meetings/", {"held_on": "2026-01-10",
                                           "attendees": [cast.police.pk]},
                       content_type="application/json").status_code in (status, 404)
    assert (AuditEvent.objects.count(), MechanismMember.objects.count(),
            MechanismMeeting.objects.count()) == before
    assert CoordinationMechanism.objects.get().name == "National Task Force"


@pytest.mark.parametrize("who,status", [
    ("admin_a", 302), ("platform_admin", 302), ("caseworker_a", 403), ("agency_poc", 403),
    ("outsider", 404),
])
def test_who_may_create_a_mechanism(cast, who, status):
    client = signed_in(getattr(cast, who))
    response = client.post(reverse("orgs:mechanism_create"), {
        "name": "Chișinău local task force", "convener": cast.org_a.pk, "level": "local",
        "country": "MD", "area": "Chișinău"})
    assert response.status_code == status
    assert CoordinationMechanism.objects.count() == (1 if status == 302 else 0)
    if status == 302:
        event = AuditEvent.objects.get(action="orgs.mechanism.created")
        assert event.payload == {"level": "local", "country": "MD", "convener": cast.org_a.pk}


def test_org_admin_cannot_name_another_organisation_as_convener(cast):
    client = signed_in(cast.admin_a)
    response = client.post(reverse("orgs:mechanism_create"), {
        "name": "Hijack", "convener": cast.police.pk, "level": "national", "country": "MD"})
    assert response.status_code == 400 and response.context["form"].errors["convener"]
    api = client.post("/api/v1/task-forces/", {"name": "Hijack", "convener": cast.police.pk,
                                               "country": "MD"}, content_type="application/json")
    assert api.status_code == 403
    assert not CoordinationMechanism.objects.exists()


def test_full_management_flow_is_audited(cast, police_admin, task_force):
    client = signed_in(police_admin)
    url = reverse("orgs:mechanism_member_add", args=[task_force.pk])
    assert client.post(url, {"organisation": cast.org_b.pk, "role": "member"}).status_code == 302
    assert client.post(reverse("orgs:meeting_add", args=[task_force.pk]), {
        "held_on": timezone.localdate().isoformat(),
        "attendees": [cast.police.pk, cast.org_b.pk], "agenda": "Shelter capacity",
    }).status_code == 302
    member_b = task_force.members.get(organisation=cast.org_b)
    assert client.post(reverse("orgs:mechanism_member_remove",
                               args=[task_force.pk, member_b.pk])).status_code == 302
    assert client.post(reverse("orgs:mechanism_edit", args=[task_force.pk]), {
        "name": "National Task Force", "level": "national", "country": "MD",
        "description": "Chaired by the police"}).status_code == 302
    actions = list(AuditEvent.objects.filter(action__startswith="orgs.mechanism.")
                   .order_by("seq").values_list("action", "payload"))
    assert actions[-4:] == [
        ("orgs.mechanism.member_added", {"member": cast.org_b.pk, "role": "member"}),
        ("orgs.mechanism.meeting_recorded", {"mechanism": task_force.pk, "attendees": 2}),
        ("orgs.mechanism.member_removed", {"member": cast.org_b.pk}),
        ("orgs.mechanism.updated", {"fields": ["description"]}),
    ]


def test_api_management_flow(cast, police_admin, task_force):
    client = signed_in(police_admin)
    api = f"/api/v1/task-forces/{task_force.pk}/"
    member = client.post(api + "members/", {"organisation": cast.org_b.pk},
                         content_type="application/json")
    assert member.status_code == 201 and member.json()["role"] == "member"
    meeting = client.post(api + "meetings/", {
        "held_on": str(timezone.localdate()), "attendees": [cast.org_b.pk],
        "decisions": "Joint training"}, content_type="application/json")
    assert meeting.status_code == 201
    assert client.delete(api + f"members/{member.json()['id']}/").status_code == 204
    created = client.post("/api/v1/task-forces/", {
        "name": "Local TF", "level": "local", "country": "MD", "area": "Bălți",
        "convener": cast.police.pk}, content_type="application/json")
    assert created.status_code == 201
    listed = client.get("/api/v1/task-forces/", {"level": "local"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["name"] for r in rows] == ["Local TF"]


# --- bad input ---------------------------------------------------------------------------

def _counts():
    return (AuditEvent.objects.count(), MechanismMember.objects.count(),
            MechanismMeeting.objects.count(), CoordinationMechanism.objects.count())


@pytest.mark.parametrize("data,field", [
    ({"held_on": (date.today() + timedelta(days=400)).isoformat()}, "held_on"),
    ({"held_on": ""}, "held_on"),
    ({"attendees": []}, "attendees"),
    ("not-a-member", "attendees"),
])
def test_bad_meeting_names_the_field_and_writes_nothing(cast, police_admin, task_force, data,
                                                        field):
    client = signed_in(police_admin)
    good = {"held_on": timezone.localdate().isoformat(), "attendees": [cast.police.pk]}
    if data == "not-a-member":
        data = {"attendees": [cast.police.pk, cast.org_b.pk]}
    before = _counts()
    response = client.post(reverse("orgs:meeting_add", args=[task_force.pk]), {**good, **data})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    api = client.post(f"/api/v1/task-forces/{task_force.pk}/meetings/", {**good, **data},
                      content_type="application/json")
    assert api.status_code == 400 and field in api.json()
    assert _counts() == before


def test_future_meeting_message_says_why(cast, police_admin, task_force):
    response = signed_in(police_admin).post(
        f"/api/v1/task-forces/{task_force.pk}/meetings/",
        {"held_on": "2099-01-01", "attendees": [cast.police.pk]}, content_type="application/json")
    assert "future" in response.json()["held_on"][0]


def test_not_a_member_message_through_the_api(cast, police_admin, task_force):
    response = signed_in(police_admin).post(
        f"/api/v1/task-forces/{task_force.pk}/meetings/",
        {"held_on": str(timezone.localdate()), "attendees": [cast.org_b.pk]},
        content_type="application/json")
    assert "Only member organisations" in response.json()["attendees"][0]


def test_duplicate_member_names_the_field_and_writes_nothing(cast, police_admin, task_force):
    client = signed_in(police_admin)
    before = _counts()
    response = client.post(reverse("orgs:mechanism_member_add", args=[task_force.pk]),
                           {"organisation": cast.org_a.pk, "role": "observer"})
    assert response.status_code == 400
    assert "already a member" in response.context["form"].errors["organisation"][0]
    api = client.post(f"/api/v1/task-forces/{task_force.pk}/members/",
                      {"organisation": cast.org_a.pk}, content_type="application/json")
    assert api.status_code == 400 and "already a member" in api.json()["organisation"][0]
    assert _counts() == before


def test_convener_cannot_be_removed(cast, police_admin, task_force):
    chair = task_force.members.get(organisation=cast.police)
    client = signed_in(police_admin)
    before = _counts()
    response = client.post(reverse("orgs:mechanism_member_remove", args=[task_force.pk, chair.pk]),
                           follow=True)
    assert "cannot leave" in response.content.decode()
    assert client.delete(f"/api/v1/task-forces/{task_force.pk}/members/{chair.pk}/"
                         ).status_code == 400
    assert _counts() == before


@pytest.mark.parametrize("changes,field", [
    ({"name": ""}, "name"),
    ({"country": "XX"}, "country"),
    ({"level": "regional"}, "level"),
    ({"name": "national task force"}, "name"),  # the same name in the same country
])
def test_bad_mechanism_input_names_the_field_and_writes_nothing(cast, police_admin, task_force,
                                                                changes, field):
    client = signed_in(police_admin)
    data = {"name": "Another", "convener": cast.police.pk, "level": "national", "country": "MD",
            **changes}
    before = _counts()
    response = client.post(reverse("orgs:mechanism_create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    api = client.post("/api/v1/task-forces/", data, content_type="application/json")
    assert api.status_code == 400 and field in api.json()
    assert _counts() == before


def test_meeting_form_warns_against_personal_data(cast, police_admin, task_force):
    page = signed_in(police_admin).get(reverse("orgs:meeting_add", args=[task_force.pk]))
    assert "Do not write any victim" in page.content.decode()


def test_menu_links_the_task_forces(cast):
    page = signed_in(cast.caseworker_a).get(reverse("home")).content.decode()
    assert reverse("orgs:mechanisms") in page
    assert reverse("orgs:mechanisms") not in signed_in(cast.outsider).get(
        reverse("home")).content.decode()
