"""The demo world's outreach work (called by bridgeway.demo's demo_seed), written through the
services so it obeys the same rules as a person typing it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from bridgeway.orgs.models import Organisation
from bridgeway.outreach import services
from bridgeway.outreach.codes import Kind
from bridgeway.outreach.models import Facility

if TYPE_CHECKING:
    from bridgeway.accounts.models import User

FACILITIES = [
    ("Vadul lui Vodă temporary placement centre", "detention", "MD", "Chișinău",
     "Migration and Asylum Bureau"),
    ("Galați regional reception centre", "reception", "RO", "Galați",
     "General Inspectorate for Immigration"),
    ("Leușeni border crossing", "border_post", "MD", "Hîncești", "Border Police"),
]

# (kind, days ago, country, region, groups, female, male, 0-17, 18-59, 60+, victims)
ACTIVITIES = [
    ("outreach_round", 20, "MD", "Chișinău", ["seasonal_workers"], 24, 31, 3, 50, 2, 2),
    ("prevention", 45, "MD", "Bălți", ["youth", "children"], 60, 48, 90, 18, 0, 0),
    ("field_visit", 70, "RO", "Iași", ["domestic_workers"], 14, 2, 0, 16, 0, 1),
    ("economic_empowerment", 110, "RO", "Vaslui", ["women"], 22, 0, 0, 20, 2, 0),
    ("community_meeting", 150, "MD", "Cahul", ["refugees", "migrants"], 35, 29, 12, 48, 4, 3),
    ("outreach_round", 200, "RO", "Galați", ["refugees"], 40, 26, 20, 44, 2, 4),
    ("prevention", 260, "MD", "Orhei", ["children"], 70, 65, 135, 0, 0, 0),
    ("outreach_round", 320, "MD", "Chișinău", ["sex_workers"], 18, 3, 0, 21, 0, 2),
]


def already_seeded(network: Organisation) -> bool:
    return Facility.objects.filter(network=network).exists()


def seed_demo(*, network: Organisation, orgs: dict[str, Organisation],
              workers: dict[str, User]) -> None:
    """`orgs` and `workers` are keyed "a" (Lumina) and "b" (Pas cu Pas)."""
    if already_seeded(network):
        return
    today = timezone.localdate()
    a, b = orgs["a"], orgs["b"]
    wa, wb = workers["a"], workers["b"]
    facilities = [services.facility_add(actor=wa, org=a, data=services.FacilityData(
        name=name, facility_type=ftype, country=country, region=region, authority=authority,
        network_id=network.pk)) for name, ftype, country, region, authority in FACILITIES]
    for i, (kind, ago, country, region, groups, f, m, kids, adults, old, victims) in enumerate(
            ACTIVITIES):
        org, worker = (a, wa) if country == "MD" else (b, wb)
        services.record_create(kind=Kind.ACTIVITY, actor=worker, org=org, values={
            "kind": kind, "country": country, "region": region,
            "place": "Near the bus station" if i % 2 else "Market area",
            "started_on": today - timedelta(days=ago), "target_groups": groups,
            "reached_total": f + m, "reached_female": f, "reached_male": m,
            "reached_age_0_17": kids, "reached_age_18_59": adults, "reached_age_60": old,
            "languages": ["ro", "ru"] if country == "MD" else ["ro", "uk"],
            "materials": "Leaflets, hotline cards", "potential_victims": victims})

    def access(facility, ago, outcome, answered=None, **more):
        return services.record_create(kind=Kind.ACCESS, actor=wa, org=a, values={
            "facility": facility.pk, "requested_on": today - timedelta(days=ago),
            "outcome": outcome,
            "answered_on": today - timedelta(days=answered) if answered is not None else None,
            **more})

    access(facilities[0], 90, "granted", 85, visited_on=today - timedelta(days=80),
           presumed_victims=2, referrals_made=2, people_met="Head of the centre")
    access(facilities[1], 60, "conditions", 55, conditions=["escort", "no_private_interviews"],
           visited_on=today - timedelta(days=50), presumed_victims=1, referrals_made=1)
    refused = access(facilities[0], 40, "refused", 30,
                     reason_given="Access restricted for security reasons.")
    access(facilities[2], 30, "pending")  # waits on the home page (no answer after 14 days)
    services.incident_from_record(kind=Kind.ACCESS, record=refused, actor=wa, network=network,
                                  **services.incident_prefill(Kind.ACCESS, refused))
    training = {"country": "MD", "institution": "Chișinău police directorate"}
    services.record_create(kind=Kind.TRAINING, actor=wa, org=a, values={
        **training, "institution_type": "police", "topic": "Indicators of trafficking",
        "planned_on": today - timedelta(days=100), "status": "held",
        "held_on": today - timedelta(days=100), "participants_female": 9,
        "participants_male": 14, "participant_institutions": {"police": 23}, "hours": 6,
        "pre_score": 48, "post_score": 79, "basis": "request"})
    services.record_create(kind=Kind.TRAINING, actor=wa, org=a, values={
        **training, "institution_type": "labour_inspection", "institution": "Labour Inspectorate",
        "topic": "Labour exploitation in agriculture", "planned_on": today + timedelta(days=5),
        "basis": "agreement"})
    postponed = services.record_create(kind=Kind.TRAINING, actor=wa, org=a, values={
        **training, "institution_type": "border_guard", "institution": "Border Police",
        "topic": "Screening at the border", "planned_on": today - timedelta(days=20),
        "status": "postponed", "status_reason": "The ministry withdrew its agreement."})
    services.incident_from_record(kind=Kind.TRAINING, record=postponed, actor=wa,
                                  network=network,
                                  **services.incident_prefill(Kind.TRAINING, postponed))
