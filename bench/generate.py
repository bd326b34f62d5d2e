"""Synthetic cases at scale, through bulk inserts (not the UI path), with the same encryption and
blind indexes as real intake. Fictional names only."""

from __future__ import annotations

import random
import secrets
import time
from datetime import date, timedelta

NAMES_F = ["Olena", "Maria", "Ana", "Elena", "Iryna", "Natalia", "Oksana", "Tetiana", "Daniela",
           "Cristina", "Юлія", "Олена", "Наталія", "Ірина", "Оксана", "Svetlana", "Ludmila"]
NAMES_M = ["Ion", "Vasile", "Mihai", "Andrii", "Serhii", "Dumitru", "Oleh", "Андрій", "Сергій",
           "Іван", "Petru", "Nicolae"]
SURNAMES = ["Rusu", "Ceban", "Munteanu", "Lungu", "Botnaru", "Popescu", "Ionescu", "Turcanu",
            "Kovalenko", "Shevchuk", "Bondarenko", "Melnyk", "Tkachenko", "Коваленко", "Шевчук",
            "Бондаренко", "Мельник", "Ткаченко", "Rotari", "Cojocaru", "Moraru", "Kravchuk"]
EXPLOITATION = [["ForcedLabour"], ["SexualExploitation"], ["ForcedLabour", "Servitude"],
                ["ForcedBegging"], ["SexualExploitation", "ForcedMarriage"], ["ForcedLabour"]]
STATUSES = ["Active"] * 5 + ["FollowUp"] * 2 + ["Closed"] * 3


def generate(*, cases: int, orgs: int, seed: int = 2026, batch: int = 2000, log=print):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from bridgeway.cases.models import Case, Person
    from bridgeway.orgs.models import Membership, Organisation
    from bridgeway.protection import blind, crypto
    from bridgeway.protection.models import DataSubject, SubjectIndex

    rng = random.Random(seed)
    user_model = get_user_model()
    org_rows = Organisation.objects.bulk_create([
        Organisation(name=f"Bench CSO {i:03d}", org_type="NGO", country="MD", languages=["ro"])
        for i in range(orgs)])
    workers = {}
    for org in org_rows:
        worker = user_model.objects.create_user(email=f"worker{org.pk}@bench.test",
                                                full_name=f"Worker {org.pk}")
        supervisor = user_model.objects.create_user(email=f"sup{org.pk}@bench.test",
                                                    full_name=f"Supervisor {org.pk}")
        Membership.objects.bulk_create([
            Membership(user=worker, organisation=org, role="caseworker"),
            Membership(user=supervisor, organisation=org, role="supervisor")])
        workers[org.pk] = (worker, supervisor)
    today = date(2026, 11, 1)
    kek_id = "test-1"
    started = time.perf_counter()
    through = Case.assignees.through
    made = 0
    while made < cases:
        n = min(batch, cases - made)
        subjects, case_rows, people, index_rows, links = [], [], [], [], []
        for _ in range(n):
            org = org_rows[rng.randrange(orgs)]
            female = rng.random() < 0.7
            first = rng.choice(NAMES_F if female else NAMES_M)
            second = rng.choice(SURNAMES)
            name = f"{first} {second}"
            age = rng.randint(12, 60)
            birth = today - timedelta(days=365 * age + rng.randint(0, 364))
            subject = DataSubject(organisation=org, kek_id=kek_id,
                                  reference="P-" + secrets.token_hex(8).upper())
            key = crypto.new_data_key()
            subject.wrapped_key = crypto.wrap_data_key(key, key_id=kek_id,
                                                       subject_id=str(subject.pk))
            subject._data_key = key
            subject.display_name = name
            subjects.append(subject)
            for kind, digest in blind.name_entries(org.pk, "display_name", name):
                index_rows.append(SubjectIndex(subject=subject, organisation=org,
                                               field="display_name", kind=kind, digest=digest))
            opened = today - timedelta(days=rng.randint(0, 2000))
            case = Case(organisation=org, subject=subject,
                        reference="C-" + secrets.token_hex(8).upper(),
                        status=rng.choice(STATUSES), opened_on=opened,
                        is_child=age < 18, age_at_intake=age,
                        gender="Feminine" if female else "Masculine",
                        citizenship=rng.choice(["MD", "UA", "RO"]),
                        exploitation_types=rng.choice(EXPLOITATION))
            case_rows.append(case)
            people.append(Person(case=case, subject=subject, first_name=first,
                                 second_name=second, birth_date=birth))
            worker, _sup = workers[org.pk]
            links.append(through(case=case, user=worker))
        with transaction.atomic():
            DataSubject.objects.bulk_create(subjects)
            SubjectIndex.objects.bulk_create(index_rows)
            Case.objects.bulk_create(case_rows)
            Person.objects.bulk_create(people)
            through.objects.bulk_create(links)
        made += n
        if made % (batch * 25) == 0 or made == cases:
            rate = made / (time.perf_counter() - started)
            log(f"  generated {made:>9,} cases ({rate:,.0f}/s)")
    return org_rows, workers


def existing():
    """The organisations and users of an earlier `generate` run kept with --keep, or None."""
    from django.contrib.auth import get_user_model

    from bridgeway.orgs.models import Organisation

    org_rows = list(Organisation.objects.filter(name__startswith="Bench CSO").order_by("pk"))
    if not org_rows:
        return None
    users = {u.email: u for u in get_user_model().objects.filter(email__endswith="@bench.test")}
    return org_rows, {org.pk: (users[f"worker{org.pk}@bench.test"], users[f"sup{org.pk}@bench.test"])
                      for org in org_rows}


def generate_fast(*, cases: int, orgs: int, seed: int = 2026, templates: int = 2000, log=print):
    """`generate` at a million cases in minutes: `templates` cases (with their persons, keys and
    blind indexes) through `generate`, then the rest copied from them inside PostgreSQL
    (INSERT ... SELECT over generate_series) with new identifiers, references and dates. The
    copies carry their template's wrapped key and have no Person row and no blind index, so they
    are for screens that do not decrypt (lists, home queues, counts); a case page of a copy
    cannot be opened. Falls back to `generate` on SQLite or for small runs."""
    from django.db import connection, transaction

    from bridgeway.cases.models import Case
    from bridgeway.protection.models import DataSubject

    if connection.vendor != "postgresql" or cases <= templates:
        return generate(cases=cases, orgs=orgs, seed=seed, log=log)
    org_rows, workers = generate(cases=templates, orgs=orgs, seed=seed, log=log)
    subject_table = DataSubject._meta.db_table
    case_table = Case._meta.db_table
    through = Case.assignees.through._meta.db_table
    case_cols = [f.column for f in Case._meta.concrete_fields]
    subject_cols = [f.column for f in DataSubject._meta.concrete_fields]
    overrides_case = {
        "id": "md5('c' || g)::uuid",
        "subject_id": "md5('s' || g)::uuid",
        "reference": "'C-' || upper(substr(md5('cr' || g), 1, 16))",
        "opened_on": "t.opened_on - mod(g, 1500)",
        "created_at": "t.created_at - mod(g, 1500) * interval '1 day'",
        "updated_at": "t.updated_at - mod(g, 1500) * interval '1 day'",
        "merged_into_id": "NULL",
    }
    overrides_subject = {
        "id": "md5('s' || g)::uuid",
        "reference": "'P-' || upper(substr(md5('sr' || g), 1, 16))",
        "created_at": "s.created_at - mod(g, 1500) * interval '1 day'",
    }
    started = time.perf_counter()
    step = 100_000
    with connection.cursor() as cur:
        cur.execute("SET statement_timeout = 0")  # a copy of 100,000 rows takes its time
        cur.execute(f"CREATE TEMP TABLE bench_template AS SELECT row_number() OVER "
                    f"(ORDER BY id) - 1 AS n, * FROM {case_table}")
        for low in range(templates, cases, step):
            high = min(cases, low + step) - 1
            with transaction.atomic():
                subject_sel = ", ".join(overrides_subject.get(c, f"s.{c}") for c in subject_cols)
                cur.execute(
                    f"INSERT INTO {subject_table} ({', '.join(subject_cols)}) SELECT {subject_sel}"
                    f" FROM generate_series(%s, %s) g JOIN bench_template t ON t.n = mod(g, %s)"
                    f" JOIN {subject_table} s ON s.id = t.subject_id", [low, high, templates])
                case_sel = ", ".join(overrides_case.get(c, f"t.{c}") for c in case_cols)
                cur.execute(
                    f"INSERT INTO {case_table} ({', '.join(case_cols)}) SELECT {case_sel}"
                    f" FROM generate_series(%s, %s) g JOIN bench_template t ON t.n = mod(g, %s)",
                    [low, high, templates])
                cur.execute(
                    f"INSERT INTO {through} (case_id, user_id) SELECT md5('c' || g)::uuid, a.user_id"
                    f" FROM generate_series(%s, %s) g JOIN bench_template t ON t.n = mod(g, %s)"
                    f" JOIN {through} a ON a.case_id = t.id", [low, high, templates])
            rate = (high + 1 - templates) / (time.perf_counter() - started)
            log(f"  copied {high + 1:>9,} cases ({rate:,.0f}/s)")
        cur.execute("DROP TABLE bench_template")
    return org_rows, workers
