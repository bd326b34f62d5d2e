"""The demo world. Each app is seeded through its services (and, for what no service offers, the
app's own `demo` module); a part added later checks on its own whether it already ran and is one
line in `handle`."""

import random
from datetime import date, timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from bridgeway.accounts.queries import user_requires_mfa
from bridgeway.cases import demo as cases_demo
from bridgeway.cases import services as cases
from bridgeway.civicspace import demo as civic_demo
from bridgeway.civicspace import services as civic
from bridgeway.demo import data as demo
from bridgeway.estimation import demo as estimation_demo
from bridgeway.funding import demo as funding_demo
from bridgeway.helpline import demo as helpline_demo
from bridgeway.orgs import services
from bridgeway.orgs.models import Organisation
from bridgeway.outreach import demo as outreach_demo
from bridgeway.protection import services as protection
from bridgeway.referrals import services as referrals
from bridgeway.stats import demo as stats_demo
from bridgeway.surveys import demo as surveys_demo

User = get_user_model()


class Command(BaseCommand):
    help = "Create the demo world once (DEBUG only) and print the demo logins."

    def handle(self, *args, **options):
        if not settings.BRIDGEWAY_DEMO_ALLOWED:
            raise CommandError("demo_seed refuses to run with DEBUG off: demo accounts have "
                               "published passwords. Set BRIDGEWAY_DEBUG=1 on a test machine.")
        if User.objects.filter(email=demo.email("admin")).exists():
            self.stdout.write("Demo data already present; not loading it again.")
        else:
            self._seed()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        # Parts added later, each checking on its own whether it already ran: one line each.
        self._seed_civic_space()
        self._seed_surveys()
        self._seed_helpline()
        self._seed_statistics()
        self._seed_outreach()
        self._print_logins()

    @transaction.atomic
    def _seed(self):
        root = User.objects.create_superuser(email=demo.email("admin"), password=demo.DEMO_PASSWORD,
                                             full_name="Platform Admin")
        orgs: dict[str, Organisation] = {}
        for spec in demo.ORGS:
            orgs[spec.key] = services.organisation_create(
                actor=root, name=spec.name, org_type=spec.org_type, country=spec.country,
                city=spec.city, languages=list(spec.languages), description=spec.description)
        people = {}
        for local, name, _roles in demo.PEOPLE:
            people[local] = User.objects.create_user(email=demo.email(local),
                                                     password=demo.DEMO_PASSWORD, full_name=name)
        admin_of = {}
        for org_key, local in demo.ADMINS.items():
            services.membership_grant(org=orgs[org_key], user=people[local], role="org_admin",
                                      actor=root)
            admin_of[org_key] = people[local]
        for local, _name, roles in demo.PEOPLE:
            for org_key, role in roles:
                if role == "org_admin" and admin_of.get(org_key) == people[local]:
                    continue
                services.membership_grant(org=orgs[org_key], user=people[local], role=role,
                                          actor=admin_of[org_key])
        for spec in demo.ORGS:
            if spec.services:
                services.organisation_services_set(
                    org=orgs[spec.key], actor=admin_of[spec.key],
                    services=[{"service": s, "countries": list(c), "area": a}
                              for s, c, a in spec.services])
        network = orgs["network"]
        for key in demo.NETWORK_MEMBERS:
            services.network_member_add(network=network, member=orgs[key],
                                        actor=admin_of["network"])
        self._seed_directory(orgs, people, admin_of)
        for user in [root, *people.values()]:
            if user_requires_mfa(user):
                TOTP.activate(user, generate_totp_secret())
        self._seed_persons(orgs, people)
        estimation_demo.seed_demo(orgs, people)
        funding_demo.seed_demo(orgs, {key: people[local] for key, local in demo.ADMINS.items()})

    def _seed_directory(self, orgs, people, admin_of):
        for org_key, local, function, phone, mail, hours, languages, other in demo.CONTACTS:
            services.contact_add(org=orgs[org_key], actor=admin_of[org_key], user=people[local],
                                 function=function, phone=phone, email=mail, availability=hours,
                                 languages=list(languages), alternative_channel=other)
        name, convener, level, country, description, members, meetings = demo.TASK_FORCE
        actor = admin_of[convener]
        mechanism = services.mechanism_create(actor=actor, convener=orgs[convener], name=name,
                                              level=level, country=country,
                                              description=description)
        for org_key, role in members:
            services.mechanism_member_add(mechanism=mechanism, actor=actor,
                                          organisation=orgs[org_key], role=role)
        today = timezone.localdate()
        for days_ago, present, agenda, decisions in meetings:
            services.meeting_record(mechanism=mechanism, actor=actor,
                                    held_on=today - timedelta(days=days_ago),
                                    attendees=[orgs[k] for k in present], agenda=agenda,
                                    decisions=decisions)

    def _seed_persons(self, orgs, people):
        caseworkers = {"lumina": people["caseworker.a"], "pascupas": people["caseworker.b"]}
        today = timezone.localdate()
        for org_key, name, purposes, closed_years_ago in demo.PERSONS:
            actor = caseworkers[org_key]
            subject = protection.subject_create(org=orgs[org_key], actor=actor, display_name=name)
            for purpose in purposes:
                protection.consent_record(
                    subject=subject, actor=actor, purpose=purpose, method="written",
                    given_on=today - timedelta(days=30),
                    recipient_type="NGO" if purpose == "referral" else "")
            if closed_years_ago:
                protection.retention_anchor_set(
                    subject=subject, actor=actor,
                    anchor=today - timedelta(days=365 * closed_years_ago + 10))
        protection.retention_scan()
        self._seed_cases(orgs, people)

    def _seed_cases(self, orgs, people):
        """About 40 cases across the network's CSOs, each with a story: context, trafficking
        events, services, a support plan, tasks, notes, and on some an assessment with a
        decision. Seeded from a fixed number, so the world is the same every time."""
        rng = random.Random(2026)
        staff = {"lumina": (people["caseworker.a"], people["supervisor.a"]),
                 "pascupas": (people["caseworker.b"], people["caseworker.b"]),
                 "openroads": (people["caseworker.openroads"], people["caseworker.openroads"]),
                 "harbour": (people["caseworker.harbour"], people["supervisor.harbour"])}
        used: set[str] = set()
        for org_key, count in demo.CASES_PER_ORG.items():
            worker, supervisor = staff[org_key]
            for i in range(count):
                self._seed_case(rng, orgs[org_key], worker, supervisor, i, used)
        self._seed_referrals(orgs, people)

    def _seed_case(self, rng, org, worker, supervisor, i, used):
        today = timezone.localdate()
        child = i % 5 == 4
        story = rng.choice([s for s in demo.CASE_STORIES if s[7] == child])
        types, industry, recruited, controls, relationship, (where, place), wanted, _c = story
        citizenship, _script, women, men, surnames = rng.choice(demo.NAME_POOLS)
        feminine = rng.random() < (0.5 if "ForcedLabour" in types else 0.85)
        while True:  # one name per person: the duplicate warning stays meaningful in the demo
            first = rng.choice(women if feminine else men)
            second = rng.choice(surnames)[1 if feminine else 0]
            if f"{first} {second}" not in used:
                used.add(f"{first} {second}")
                break
        age = rng.randint(13, 17) if child else rng.randint(19, 52)
        opened = today - timedelta(days=rng.randint(20, 700))
        birth = opened - timedelta(days=365 * age + rng.randint(0, 300))
        case = cases.case_open(
            org=org, actor=worker, opened_on=opened, exploitation_types=list(types),
            person=cases.PersonData(first_name=first, second_name=second, birth_date=birth,
                                    gender="Feminine" if feminine else "Masculine",
                                    citizenship=citizenship))
        case = cases.case_update(case=case, actor=worker, version=case.version, seen={}, data={
            "forced_labour_industry": industry, "recruitment_methods": list(recruited),
            "control_methods": list(controls), "relationship_to_trafficker": relationship,
            "recruitment_country": citizenship, "exploitation_country": where})
        recruited_on = opened - timedelta(days=rng.randint(120, 400))
        cases.event_add(case=case, actor=worker, kind="recruitment", country=citizenship,
                        date_from=recruited_on)
        if where != citizenship and i % 2 == 0:
            cases.event_add(case=case, actor=worker, kind="transit",
                            country=rng.choice(["RO", "HU", "PL", "BG"]),
                            date_from=recruited_on + timedelta(days=3),
                            date_to=recruited_on + timedelta(days=5))
        cases.event_add(case=case, actor=worker, kind="exploitation", country=where, place=place,
                        date_from=recruited_on + timedelta(days=7),
                        date_to=opened - timedelta(days=rng.randint(2, 60)))
        for n, service in enumerate(wanted[:1 + i % len(wanted)]):
            started = min(opened + timedelta(days=2 + 10 * n), today)
            done = started + timedelta(days=45) < today and n == 0 and i % 3 == 0
            cases.service_add(case=case, actor=worker, service=service, started_on=started,
                              ended_on=started + timedelta(days=45) if done else None,
                              outcome="completed" if done else "ongoing")
        for n, objective in enumerate(rng.sample(demo.PLAN_OBJECTIVES, 1 + i % 3)):
            row = cases.objective_add(case=case, actor=worker, objective=objective,
                                      due_on=opened + timedelta(days=90 * (n + 1)))
            if n == 0 and (today - opened).days > 120:
                cases.objective_done(objective=row, actor=worker)
        if i % 2 == 0:
            cases.task_add(case=case, actor=worker, title=rng.choice(demo.CASE_TASKS),
                           due_on=today + timedelta(days=rng.randint(-5, 20)))
        for body in rng.sample(demo.CASE_NOTES, 1 + i % 2):
            cases.note_add(case=case, actor=worker, body=body)
        if i % 3 == 0:
            sexual = "SexualExploitation" in types
            indicator_set = cases_demo.set_for(child=case.is_child, sexual=sexual)
            picks = sorted(indicator_set.indicator_ids())
            entries = [cases.IndicatorEntry(x) for x in rng.sample(picks, min(9, len(picks)))]
            assessment = cases.assessment_record(case=case, actor=worker,
                                                 indicator_set=indicator_set, entries=entries)
            cases.decision_record(case=case, actor=supervisor, assessment=assessment,
                                  status="ActualVictimOfTrafficking" if i % 2 else
                                  "PossibleVictimOfTrafficking")
        # The first cases stay active: the demo referrals start from them.
        if i >= 3 and i % 4 == 3:
            cases.case_set_status(case=case, actor=worker, status="FollowUp")
        elif i >= 3 and i % 7 == 5:
            cases.case_set_status(case=case, actor=worker, status="Closed", reason="goals_met")

    def _seed_referrals(self, orgs, people):
        """One pending to the police unit, one accepted across the border, one cross-border
        (TRM) sent on a supervisor's override, and one coming in to Lumina."""
        today = timezone.localdate()

        lumina, pascupas = (cases_demo.open_cases(orgs["lumina"]),
                            cases_demo.open_cases(orgs["pascupas"]))
        plan = [
            # (case, sender key, actor, recipient key, recipient type, sections, services,
            #  reason, urgency, consent?)
            (lumina[0], people["caseworker.a"], "police", "LawEnforcement",
             ["identity", "victim_context", "identification"], ["identification"],
             "AdditionalServicesRequired", "urgent", True),
            (lumina[1], people["caseworker.a"], "pascupas", "NGO",
             ["identity", "contact", "needs"], ["job_counselling"],
             "MigrationOrChangeOfLocation", "normal", True),
            (lumina[2], people["supervisor.a"], "io", "InternationalOrganisation",
             ["identity", "victim_context"], ["return_reintegration"],
             "MigrationOrChangeOfLocation", "low", False),
            (pascupas[0], people["caseworker.b"], "lumina", "NGO",
             ["victim_context", "needs"], ["psychological"], "AdditionalServicesRequired",
             "normal", True),
        ]
        sent = []
        for case, actor, to, kind, sections, wanted, reason, urgency, with_consent in plan:
            if with_consent:
                protection.consent_record(subject=case.subject, actor=actor, purpose="referral",
                                          method="written", recipient_type=kind,
                                          given_on=today - timedelta(days=3))
            sent.append(referrals.referral_send(
                case=case, actor=actor, recipient=orgs[to], sections=sections, services=wanted,
                reason=reason, urgency=urgency,
                override_reason="" if with_consent else
                "The person is leaving tomorrow and asked for help with return by phone."))
        referrals.referral_accept(referral=sent[1], actor=people["caseworker.b"])

    @transaction.atomic
    def _seed_outreach(self):
        """Outreach work of Lumina and Pas cu Pas (checks on its own whether it already ran)."""
        network = Organisation.objects.filter(name=demo.ORGS[0].name).first()
        if network is None:
            return
        orgs = {spec.key: Organisation.objects.get(name=spec.name) for spec in demo.ORGS}
        outreach_demo.seed_demo(
            network=network, orgs={"a": orgs["lumina"], "b": orgs["pascupas"]},
            workers={"a": User.objects.get(email=demo.email("caseworker.a")),
                     "b": User.objects.get(email=demo.email("caseworker.b"))})

    @transaction.atomic
    def _seed_civic_space(self):
        """Added later than the rest, so it checks on its own whether it already ran."""
        network = Organisation.objects.filter(name=demo.ORGS[0].name).first()
        if network is None or civic_demo.already_seeded(network):
            return
        civic.restriction_types_seed()
        orgs = {spec.key: Organisation.objects.get(name=spec.name) for spec in demo.ORGS}
        coordinator = User.objects.get(email=demo.email("coordinator"))
        reporters = {"lumina": User.objects.get(email=demo.email("admin.a")),
                     "pascupas": User.objects.get(email=demo.email("admin.b")),
                     "harbour": User.objects.get(email=demo.email("admin.harbour"))}
        types = civic_demo.platform_restriction_type_ids()
        for (org_key, title, day, country, actors, codes, visibility, status, text,
             anonymous) in demo.CIVIC_INCIDENTS:
            incident = civic.incident_report(
                actor=reporters[org_key], reporting_org=orgs[org_key], network=network,
                data=civic.IncidentData(
                    title=title, started_on=date.fromisoformat(day), country=country,
                    description=text, actors=list(actors), type_ids=[types[c] for c in codes],
                    visibility=visibility, language="en",
                    affected=[civic.Affected(organisation_id=orgs[org_key].pk, anonymous=anonymous,
                                             description="A member organisation of the network")],
                    sources=[civic.SourceData(url="https://example.org/demo-source",
                                              title="Demo source", is_public=True)]))
            steps = {"under_review": ["under_review"], "verified": ["verified"],
                     "published": ["verified", "published"], "rejected": ["rejected"]}
            for to in steps.get(status, []):
                civic.incident_transition(incident=incident, actor=coordinator, to=to,
                                          reason="Could not be confirmed by a second source.")
        for country, start, end, rating, trend, why in demo.CIVIC_ASSESSMENTS:
            civic.assessment_record(network=network, actor=coordinator, country=country,
                                    period_start=date.fromisoformat(start),
                                    period_end=date.fromisoformat(end) if end else None,
                                    rating=rating, trend=trend, justification=why)
        for country, title, kind, stage, opened, answers in demo.CIVIC_CONSULTATIONS:
            c = civic.consultation_add(network=network, actor=coordinator, country=country,
                                       title=title, kind=kind, stage=stage,
                                       opened_on=date.fromisoformat(opened),
                                       url="https://example.org/demo-consultation")
            for org_key, invited, submitted, method, feedback in answers:
                civic.participation_set(consultation=c, actor=coordinator,
                                        organisation=orgs[org_key], invited=invited,
                                        submitted=submitted, method=method, feedback=feedback)

    @transaction.atomic
    def _seed_surveys(self):
        """The member survey of the network, answered by its four member organisations."""
        network = Organisation.objects.filter(name=demo.ORGS[0].name).first()
        if network is None or surveys_demo.already_seeded(network):
            return
        orgs = {spec.key: Organisation.objects.get(name=spec.name) for spec in demo.ORGS}
        respondents = {key: User.objects.get(email=demo.email(local)) for key, local in
                       (("lumina", "admin.a"), ("pascupas", "admin.b"),
                        ("openroads", "admin.openroads"), ("harbour", "admin.harbour"))}
        surveys_demo.seed(network=network, coordinator=User.objects.get(
            email=demo.email("coordinator")), orgs=orgs, respondents=respondents)
        # The survey's funding questions feed the network's funding view.
        funding_demo.map_survey(network, User.objects.get(email=demo.email("coordinator")))

    def _seed_helpline(self):
        """Added later than the rest, so it checks on its own whether it already ran."""
        orgs = {spec.key: Organisation.objects.filter(name=spec.name).first()
                for spec in demo.ORGS}
        if orgs["lumina"] is None or helpline_demo.already_seeded(orgs["lumina"]):
            return
        people = {local: User.objects.get(email=demo.email(local))
                  for local in ("caseworker.a", "supervisor.a", "coordinator")}
        with transaction.atomic():
            helpline_demo.seed_demo(orgs, people)
    def _seed_statistics(self):
        """The network's generated statistics and one published release (checks on its own
        whether it already ran; creates the second approver on a demo seeded before it)."""
        network = Organisation.objects.filter(name=demo.ORGS[0].name).first()
        if network is None:
            return
        coordinator = User.objects.get(email=demo.email("coordinator"))
        approver = User.objects.filter(email=demo.email("statistician")).first()
        if approver is None:
            approver = User.objects.create_user(email=demo.email("statistician"),
                                                password=demo.DEMO_PASSWORD,
                                                full_name="Tudor Ciobanu")
            services.membership_grant(org=network, user=approver, role="network_coordinator",
                                      actor=coordinator)
        stats_demo.seed_demo(network=network, importer=coordinator, approver=approver)

    def _print_logins(self):
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD})\n")
        self.stdout.write("Two-factor codes: add the TOTP secret to an authenticator app, or run\n"
                          "  BRIDGEWAY_DEBUG=1 .venv/bin/python manage.py demo_totp <e-mail>\n\n")
        rows = [("admin", "Platform Admin", "platform administrator (superuser)")] + [
            (local, name, ", ".join(f"{role} @ {org}" for org, role in roles) or "no organisation")
            for local, name, roles in demo.PEOPLE
        ]
        for local, name, roles in rows:
            user = User.objects.get(email=demo.email(local))
            auth = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
            secret = decrypt(auth.data["secret"]) if auth else "-"
            self.stdout.write(f"  {user.email:38} {name:18} TOTP {secret:34} {roles}")
        self.stdout.write("")
