"""The helpline's part of the demo world: Lumina's helpline and public form, the network's
form, a few weeks of contacts (one repeat caller, one linked to a case), web-form submissions
waiting in triage and one held for moderation. Called once by demo_seed; checks on its own
whether it already ran."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from bridgeway.cases import queries as case_queries
from bridgeway.helpline import services
from bridgeway.helpline.models import HelplineSettings
from bridgeway.helpline.services import ContactData

CONTACTS = [
    # (days ago, channel, outcome, topics, language, caller, reach, summary)
    (30, "phone", "information", ["labour_rights", "x:ForcedLabour"], "ro", "person",
     "+37369111222", "Asked about wages withheld on a farm abroad."),
    (21, "whatsapp", "referred_external", ["migration_status"], "ru", "relative", "", ""),
    (14, "phone", "information", ["labour_rights"], "ro", "person", "+373 69 111 222",
     "Called again: the employer still keeps the passport."),
    (9, "telegram", "dropped", [], "uk", "", "", ""),
    (6, "chat", "information", ["shelter", "safety"], "ro", "professional", "", ""),
    (3, "phone", "case_opened", ["x:SexualExploitation", "ilo:coercion_at_destination"], "ro",
     "person", "+37369111222", "Third call: agreed to meet a caseworker."),
    (1, "email", "prank", [], "en", "public", "", ""),
]

SUBMISSIONS = [
    ("uk", {"what_happened": "Мені обіцяли роботу в Польщі, а тепер не віддають паспорт.",
            "reach": "@olenasafe", "reach_channel": "telegram", "safe_times": "після 19:00",
            "may_leave_message": "no"}),
    ("ro", {"what_happened": "Fratele meu lucrează fără contract și nu poate pleca.",
            "reach": "+40722000111", "reach_channel": "whatsapp", "may_leave_message": "yes"}),
]


def already_seeded(org: Any) -> bool:
    return HelplineSettings.objects.filter(organisation=org).exists()


def seed_demo(orgs: dict, people: dict) -> None:
    lumina, network = orgs["lumina"], orgs["network"]
    if already_seeded(lumina):
        return
    services.settings_set(org=lumina, actor=people["supervisor.a"], slug="lumina",
                          form_enabled=True,
                          form_fields=["what_happened", "reach", "reach_channel", "safe_times",
                                       "language", "may_leave_message", "on_behalf"],
                          form_languages=["ru"], daily_quota=50, retention_months=12,
                          form_labels={"what_happened": {"ru": "Что случилось?"}},
                          form_intro={"ro": "Vă răspundem în 24 de ore, în zilele lucrătoare.",
                                      "uk": "Ми відповімо протягом доби в робочі дні."})
    services.settings_ensure(orgs["pascupas"])
    services.settings_set(org=network, actor=people["coordinator"], slug="two-rivers",
                          form_enabled=True, form_fields=["what_happened", "reach",
                                                          "reach_channel", "language"],
                          form_languages=[], daily_quota=50, retention_months=12)
    operator = people["caseworker.a"]
    now = timezone.now()
    rng = random.Random(20)
    third_call = None
    for days, channel, outcome, topics, language, caller, reach, summary in CONTACTS:
        contact = services.contact_record(org=lumina, actor=operator, data=ContactData(
            channel=channel, outcome=outcome, topics=topics, language=language,
            caller_type=caller, reach=reach, reach_kind="phone" if reach else "",
            summary=summary, duration_minutes=rng.randint(2, 25),
            started_at=now - timedelta(days=days, hours=rng.randint(0, 8))))
        if outcome == "case_opened":
            third_call = contact
    case = (case_queries.cases_visible_to(people["supervisor.a"])
            .filter(organisation=lumina).order_by("opened_on").first())
    if third_call is not None and case is not None:
        services.contact_link_case(contact=third_call, actor=people["supervisor.a"], case=case)
    services.contact_record(org=lumina, actor=operator, data=ContactData(
        channel="phone", outcome="information", topics=["legal"], language="ro",
        started_at=now - timedelta(days=2), follow_up="Call back with the lawyer's answer.",
        follow_up_due=(now + timedelta(days=1)).date()))
    for language, answers in SUBMISSIONS:
        services.public_submission(org=lumina, answers=answers, language=language)
    services.public_submission(org=lumina, answers={"what_happened": "Need help, no JS."},
                               language="en", held_reason="no_proof")
