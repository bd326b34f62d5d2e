"""Demo world for estimation: three organisations of a network whose cases overlap by
construction (the same fictional persons registered by two or three of them, sometimes with a
typo), each taking part in the network's linkage with a shared demo secret and encoded. In
organisations that hold no other case, the capture-history table a linkage run finds is the
construction, `PATTERNS`; in the demo world their other cases add single-list persons.

Every name here is fictional. The demo secret is published, like the demo passwords: never use it
for real data.
"""

from __future__ import annotations

from datetime import date, timedelta

DEMO_SECRET = b"two-rivers-demo-linkage-secret-not-for-real-data"

# How many persons each pattern of lists (A, B, C) holds: 1 = in that organisation's cases.
PATTERNS = {"100": 12, "010": 10, "001": 8, "110": 5, "101": 4, "011": 3, "111": 2}

FIRST_NAMES = [
    "Aurelia", "Brândușa", "Crina", "Dana", "Emilia", "Felicia", "Gabriela", "Iulia", "Jana",
    "Larisa", "Magda", "Nadia", "Otilia", "Paula", "Raluca", "Silvia", "Teodora", "Ursula",
    "Valentina", "Zina", "Alina", "Bianca", "Corina", "Delia", "Eugenia", "Flavia", "Ilinca",
    "Lavinia", "Nicoleta", "Olga", "Petra", "Rodica", "Sanda", "Simona", "Tamara", "Veronica",
    "Xenia", "Yana", "Zoia", "Adela", "Carmen", "Doriana", "Elvira", "Fabiola",
]
SURNAMES = [
    "Albu", "Bejan", "Ciobanu", "Donici", "Enache", "Florea", "Grosu", "Harea", "Istrati",
    "Jitaru", "Lazăr", "Manole", "Nistor", "Olaru", "Pavel", "Sîrbu", "Tănase", "Ursu",
    "Vasilache", "Zamfir", "Apostol", "Bălan", "Cazacu", "Dobre", "Ene", "Frunză", "Gheorghiu",
    "Hodorogea", "Iordache", "Jalbă", "Lungeanu", "Mocanu", "Neagu", "Oprea", "Pîrvu", "Radu",
    "Sandu", "Talpă", "Ungureanu", "Voicu", "Zaharia", "Moldovan", "Cristea", "Bostan",
]


# One person the first organisation registered twice (a supervisor's duplicate check finds it).
REGISTERED_TWICE = ("Aurelia", "Bostan", date(1988, 6, 14))


def case_count() -> int:
    """How many cases the demo opens: the construction (a person in two lists is two cases)
    and the person registered twice."""
    return sum(n * pattern.count("1") for pattern, n in PATTERNS.items()) + 2


def persons() -> list[tuple[str, str, date, str]]:
    """(first name, surname, date of birth, pattern), one per constructed person."""
    out = []
    i = 0
    for pattern, n in PATTERNS.items():
        for _k in range(n):
            out.append((FIRST_NAMES[i], SURNAMES[i], date(1979, 3, 1) + timedelta(days=211 * i),
                        pattern))
            i += 1
    return out


def _typo(name: str) -> str:
    """The same name as another organisation might have typed it: one letter dropped."""
    return name[:2] + name[3:] if len(name) > 4 else name


def overlapping_lists(*, network, lists, secret: bytes = DEMO_SECRET) -> dict[str, int]:
    """Registers the constructed persons in the three organisations of `lists` — each
    (organisation, a caseworker or supervisor who opens the cases, a supervisor or administrator
    who turns participation on) — makes them take part with `secret`, and computes their
    encodings. Returns the capture histories the construction implies (PATTERNS)."""
    from bridgeway.cases import services as cases
    from bridgeway.estimation import services

    if len(lists) != 3:
        raise ValueError("three organisations")
    opened = date.today() - timedelta(days=60)
    for n, (first, surname, born, pattern) in enumerate(persons()):
        for position, (org, worker, _admin) in enumerate(lists):
            if pattern[position] != "1":
                continue
            # The second organisation types every third shared surname with a letter missing.
            typed = _typo(surname) if position == 1 and pattern.count("1") > 1 and n % 3 == 0 \
                else surname
            cases.case_open(org=org, actor=worker, opened_on=opened,
                            person=cases.PersonData(first_name=first, second_name=typed,
                                                    birth_date=born, gender="Feminine"))
    for org, _worker, admin in lists:
        services.participation_set(network=network, org=org, actor=admin, enabled=True,
                                   secret=secret)
        job = services.encoding_job_create(network=network, org=org, actor=admin)
        # With a database task queue the worker would do it later; the demo is ready at once
        # (a job already done by an immediate backend is skipped).
        services.encoding_job_run(job.pk)
    return dict(PATTERNS)


def seed_demo(orgs: dict, people: dict) -> None:
    """The demo seeder's one call: Lumina (A), Pas cu Pas (B) and Safe Harbour (C) of the Two
    Rivers network, and one person registered twice at Lumina."""
    from bridgeway.cases import services as cases

    first, surname, born = REGISTERED_TWICE
    for _twice in range(2):
        cases.case_open(org=orgs["lumina"], actor=people["supervisor.a"],
                        person=cases.PersonData(first_name=first, second_name=surname,
                                                birth_date=born, gender="Feminine"))
    overlapping_lists(network=orgs["network"], lists=[
        (orgs["lumina"], people["supervisor.a"], people["supervisor.a"]),
        (orgs["pascupas"], people["caseworker.b"], people["admin.b"]),
        (orgs["harbour"], people["supervisor.harbour"], people["supervisor.harbour"]),
    ])
