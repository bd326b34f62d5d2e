"""Where the time of every screen goes (issue 19): each demo role signs in and opens every page
its menu offers, plus the pages one click further that the load test mixes in (a case page, the
name search, a referral), in one process with production settings (DEBUG off, PostgreSQL, the
manifest static storage, the TLS proxy flag). Per screen it prints the median server time, the
SQL statements and their time, the template time (outermost render only, so a panel rendered
inside a page is not counted twice, less the SQL run from inside the template; it includes the
context processors), the rest (Python: middleware, view, forms), the Python function calls of
one request (cProfile) and the HTML size; then the empty signed-in request (`/healthz`) as the
floor.

One-time set-up of the demo database (bench.settings_prod holds published bench keys):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_perf \\
        DJANGO_SETTINGS_MODULE=bench.settings_prod BRIDGEWAY_DB_STATEMENT_TIMEOUT_MS=0
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py createcachetable
    .venv/bin/python manage.py demo_seed && .venv/bin/python manage.py collectstatic --noinput

Then:  .venv/bin/python bench/bench_screens.py [--repeat 30] [--role caseworker.a]
       [--markdown] [--profile /orgs/ --role admin.a]   (cProfile of one page, top 30)
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_prod")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

# One person per role of the demo (bridgeway/demo/data.py).
ROLES = [
    ("caseworker.a", "caseworker"),
    ("supervisor.a", "supervisor"),
    ("admin.a", "organisation admin"),
    ("dpo.a", "data protection officer"),
    ("police", "agency point of contact"),
    ("coordinator", "network coordinator"),
    ("researcher", "researcher"),
    ("admin", "platform admin (superuser)"),
]


class Meter:
    """SQL statements and their time, and the outermost template render's time, per request."""

    def __init__(self):
        self.sql_n = 0
        self.sql_s = 0.0
        self.tpl_s = 0.0
        self.sql_in_tpl_s = 0.0
        self._depth = 0

    def reset(self):
        self.sql_n, self.sql_s, self.tpl_s, self.sql_in_tpl_s = 0, 0.0, 0.0, 0.0

    def sql(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            self.sql_s += spent
            self.sql_n += 1
            if self._depth:
                self.sql_in_tpl_s += spent

    def install_template_timer(self):
        from django.template.backends.django import Template

        original = Template.render
        meter = self

        def render(self, context=None, request=None):
            meter._depth += 1
            start = time.perf_counter()
            try:
                return original(self, context, request)
            finally:
                meter._depth -= 1
                if meter._depth == 0:
                    meter.tpl_s += time.perf_counter() - start

        Template.render = render


def client_for(email):
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.get(email=email)
    client = Client(headers={"X-Forwarded-Proto": "https"})
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return user, client


def extra_pages(user):
    """Pages one click from the menu that the load test uses too: the newest case the person may
    open, the name search (one POST, as the list's form sends it) and a referral."""
    from bridgeway.cases.queries import cases_visible_to
    from bridgeway.referrals.queries import incoming_for, outgoing_for

    pages = []
    case = cases_visible_to(user).select_related("subject").order_by("-opened_on").first()
    if case is not None:
        pages.append(("GET", f"/cases/{case.pk}/", "case page", None))
        surname = case.subject.display_name.split()[-1]
        pages.append(("POST", "/cases/", "name search", {
            "organisation": case.organisation_id, "q": surname, "fuzzy": "on"}))
    referral = (incoming_for(user) | outgoing_for(user)).order_by("-sent_at").first()
    if referral is not None:
        pages.append(("GET", f"/referrals/{referral.pk}/", "referral page", None))
    return pages


def screens_of(user):
    from bridgeway.core.registry import menu_for

    seen, pages = set(), []
    for url, label, _key in menu_for(user):
        if url not in seen and not url.startswith(("/accounts/logout", "/admin/")):
            seen.add(url)
            pages.append(("GET", url, str(label), None))
    return pages + extra_pages(user)


def request(client, method, url, data):
    if method == "POST":
        return client.post(url, urlencode(data),
                           content_type="application/x-www-form-urlencoded")
    return client.get(url)


def measure(client, meter, method, url, data, repeat):
    for _ in range(3):  # warm up (caches, the first compile of every template)
        response = request(client, method, url, data)
    if response.status_code != 200:
        return None
    walls, sqls, sql_ns, tpls = [], [], [], []
    with connection.execute_wrapper(meter.sql):
        for _ in range(repeat):
            meter.reset()
            start = time.perf_counter()
            response = request(client, method, url, data)
            walls.append(time.perf_counter() - start)
            sqls.append(meter.sql_s)
            sql_ns.append(meter.sql_n)
            tpls.append(meter.tpl_s - meter.sql_in_tpl_s)
    profiler = cProfile.Profile()
    profiler.enable()
    request(client, method, url, data)
    profiler.disable()
    calls = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
    med = statistics.median
    return {"wall": med(walls), "sql": med(sqls), "sql_n": max(sql_ns), "tpl": med(tpls),
            "calls": calls, "kb": len(response.content) / 1024}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--role", action="append", help="e-mail local part (repeatable)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--profile", help="a URL: print cProfile's top 30 for it and stop")
    args = parser.parse_args()

    from bridgeway.demo.data import email

    roles = [(r, label) for r, label in ROLES if not args.role or r in args.role]
    meter = Meter()
    meter.install_template_timer()
    if args.profile:
        _user, client = client_for(email(roles[0][0]))
        for _ in range(3):
            client.get(args.profile)
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [client.get(args.profile) for _ in range(10)])
        stats = pstats.Stats(profiler)
        stats.sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(
            os.environ.get("BENCH_FILTER", ""), 30)
        return

    rows, walls = [], []
    floor = None
    for local, label in roles:
        user, client = client_for(email(local))
        if floor is None:
            floor = measure(client, meter, "GET", "/healthz", None, args.repeat * 3)
        for method, url, title, data in screens_of(user):
            result = measure(client, meter, method, url, data, args.repeat)
            if result is None:
                rows.append((label, title, url, None))
                continue
            walls.append(result["wall"])
            rows.append((label, title, url, result))
    assert floor is not None
    print(f"database: {connection.vendor}; DEBUG off; median of {args.repeat} requests per "
          "screen, in one process")
    if args.markdown:
        print("\n| role | screen | server ms | SQL ms | SQL statements | template ms | "
              "other ms | Python calls | KB |\n|---|---|---|---|---|---|---|---|---|")
    else:
        print(f"\n{'role':27} {'screen':22} {'url':24} {'server':>7} {'SQL ms':>7} {'n':>3} "
              f"{'tpl ms':>7} {'other':>7} {'calls':>7} {'KB':>6}")
    for label, title, url, r in [("(any)", "empty request", "/healthz", floor), *rows]:
        if r is None:
            print(f"{label:27} {title:22} {url:24} not 200")
            continue
        other = r["wall"] - r["sql"] - r["tpl"]
        cells = (f"{r['wall'] * 1e3:.1f}", f"{r['sql'] * 1e3:.1f}", str(r["sql_n"]),
                 f"{r['tpl'] * 1e3:.1f}", f"{other * 1e3:.1f}", f"{r['calls']:,}",
                 f"{r['kb']:.1f}")
        if args.markdown:
            print(f"| {label} | {title} (`{url}`) | " + " | ".join(cells) + " |")
        else:
            print(f"{label:27} {title[:22]:22} {url[:24]:24} {cells[0]:>7} {cells[1]:>7} "
                  f"{cells[2]:>3} {cells[3]:>7} {cells[4]:>7} {cells[5]:>7} {cells[6]:>6}")
    over = [(label, title, r["wall"]) for label, title, _u, r in rows if r and r["wall"] > 0.010]
    print(f"\nscreens: {len(walls)}; median of the medians {statistics.median(walls) * 1e3:.1f} ms; "
          f"slowest {max(walls) * 1e3:.1f} ms; empty request {floor['wall'] * 1e3:.2f} ms; "
          f"over 10 ms (goal: none): {len(over)}")


if __name__ == "__main__":
    main()
