"""CPU time per request of the load mix's screens, in one process (issue 19, session 28).

Wall-clock time means little on a machine shared with other work; the process's own CPU time
(`time.process_time`) does not count the time spent waiting for the CPU, so it is the figure to
compare between runs on a loaded machine. It does not count PostgreSQL's CPU either (the
statements are counted instead). Production-like settings (`bench.settings_prod`: DEBUG off, the
cached template loader, PostgreSQL, persistent connections), Django's test client, the demo
people of the load test (`bench/bench_load.py`). The screens are taken in turns (round robin), so
a change in the machine's load touches every screen alike; per screen the median over the rounds
of the mean CPU of `--per-round` requests, its minimum over the rounds (the least disturbed by
other work), and the Python function calls of one request (cProfile: deterministic, the column to
compare first on a loaded machine).

The menu is counted afresh once per person every BRIDGEWAY_MENU_SECONDS (10 s), as in production;
`--fresh-menu` counts it on every request instead (the worst case: a POST, a new session).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_perf19
    .venv/bin/python bench/bench_cpu.py [--rounds 15] [--per-round 10] [--role caseworker.a]
    .venv/bin/python bench/bench_cpu.py --profile "case page" [--role supervisor.a]  (cProfile)
    .venv/bin/python bench/bench_cpu.py --html DIR   (every screen's HTML, en and uk, normalised:
                                                     diff two runs' DIRs to prove the same output;
                                                     the demo's invented people only, and delete
                                                     DIR after the diff: the pages are decrypted)
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_prod")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.bench_screens import client_for, extra_pages, request  # noqa: E402

PEOPLE = ["caseworker.a", "supervisor.a", "police", "coordinator"]
MIX = [("/", "home"), ("/referrals/", "referral list"), ("/orgs/", "directory"),
       ("/cases/", "case list"), ("/stats/", "statistics")]
FLOORS = [("GET", "/healthz", "empty request (/healthz)", None),
          ("GET", "/bench/empty", "empty view, full stack", None),
          ("GET", "/bench/empty-page", "base template only", None)]


def screens(user):
    from bridgeway.core.registry import menu_for

    menu = {url for url, _label, _key in menu_for(user)}
    pages = [("GET", url, title, None) for url, title in MIX if url in menu]
    return pages + extra_pages(user)


# Per-request values that differ between two runs of the same page: tokens, nonces, the
# session's expiry, times that move with the clock.
NORMALISE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken" value=""'),
    (re.compile(r'nonce="[^"]+"'), 'nonce=""'),
    (re.compile(r'(csrf[-_]?token["\']?\s*[:=]\s*["\'])[^"\']+'), r"\1"),
    (re.compile(r'"X-CSRFToken"\s*:\s*"[^"]+"'), '"X-CSRFToken": ""'),
]


def normalise(html: str) -> str:
    for pattern, repl in NORMALISE:
        html = pattern.sub(repl, html)
    return html


def dump_html(directory: Path, people) -> None:
    from django.contrib.auth import get_user_model

    from bridgeway.demo.data import email

    directory.mkdir(parents=True, exist_ok=True)
    User = get_user_model()
    for local in people:
        user = User.objects.get(email=email(local))
        saved = user.preferred_language
        try:
            for lang in ("en", "uk"):
                User.objects.filter(pk=user.pk).update(preferred_language=lang)
                _user, client = client_for(email(local))
                for method, url, title, data in screens(user) + FLOORS[2:]:
                    response = request(client, method, url, data)
                    name = f"{local}-{lang}-{title.replace(' ', '_').replace('/', '')}.html"
                    (directory / name).write_text(
                        f"{response.status_code}\n" + normalise(response.content.decode()))
        finally:
            User.objects.filter(pk=user.pk).update(preferred_language=saved)
    print(f"wrote {len(list(directory.iterdir()))} pages to {directory}")


class Counter:
    """Statements per request, the CPU spent sending them and reading their rows (the driver's
    share, not the ORM's compiling), and the CPU of the outermost template render (the
    context processors and the menu included; lazy querysets run from a template count there)."""

    def __init__(self):
        self.n = 0
        self.sql_cpu = 0.0
        self.tpl_cpu = 0.0
        self._depth = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        start = time.process_time()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql_cpu += time.process_time() - start

    def install_template_timer(self):
        from django.template.backends.django import Template

        original = Template.render
        counter = self

        def render(self, context=None, request=None):
            counter._depth += 1
            start = time.process_time()
            try:
                return original(self, context, request)
            finally:
                counter._depth -= 1
                if counter._depth == 0:
                    counter.tpl_cpu += time.process_time() - start

        Template.render = render


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument("--role", action="append", help="e-mail local part (repeatable)")
    parser.add_argument("--fresh-menu", action="store_true")
    parser.add_argument("--profile", help="a screen's title: cProfile of 30 requests of it")
    parser.add_argument("--html", help="write every screen's normalised HTML (en, uk) here")
    args = parser.parse_args()

    from django.conf import settings

    from bridgeway.demo.data import email

    people = args.role or PEOPLE
    if args.fresh_menu:
        settings.BRIDGEWAY_MENU_SECONDS = 0
    if args.html:
        # Pages hold decrypted names: only ever from the demo database (bench settings).
        assert settings.BRIDGEWAY_DEMO_ALLOWED, "--html is for the demo database only"
        dump_html(Path(args.html), people)
        return

    cells = []  # (person, client, method, url, title, data)
    for local in people:
        user, client = client_for(email(local))
        pages = screens(user) + (FLOORS if local == people[0] else [])
        for method, url, title, data in pages:
            for _ in range(3):  # warm: template compile, caches
                response = request(client, method, url, data)
            assert response.status_code == 200, (local, url, response.status_code)
            cells.append((local, client, method, url, title, data))

    if args.profile:
        chosen = [c for c in cells if c[4] == args.profile][:1]
        assert chosen, f"no screen titled {args.profile!r}"
        _local, client, method, url, _title, data = chosen[0]
        # CPU time, not wall time: waiting for the CPU or for PostgreSQL is not the page's work.
        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(lambda: [request(client, method, url, data) for _ in range(30)])
        stats = pstats.Stats(profiler)
        for key in ("cumulative", "tottime"):
            stats.sort_stats(key).print_stats(os.environ.get("BENCH_FILTER", ""), 35)
        if os.environ.get("BENCH_CALLERS"):  # e.g. BENCH_CALLERS="trans_real.py:.*gettext"
            stats.print_callers(os.environ["BENCH_CALLERS"])
        return

    cpu = {id(c): [] for c in cells}
    sql_cpu = {id(c): [] for c in cells}
    tpl_cpu = {id(c): [] for c in cells}
    statements = {}
    counter = Counter()
    counter.install_template_timer()
    load = [os.getloadavg()]
    with connection.execute_wrapper(counter):
        for _ in range(args.rounds):
            for cell in cells:
                _local, client, method, url, _title, data = cell
                counter.n, counter.sql_cpu, counter.tpl_cpu = 0, 0.0, 0.0
                start = time.process_time()
                for _ in range(args.per_round):
                    request(client, method, url, data)
                cpu[id(cell)].append((time.process_time() - start) / args.per_round)
                sql_cpu[id(cell)].append(counter.sql_cpu / args.per_round)
                tpl_cpu[id(cell)].append(counter.tpl_cpu / args.per_round)
                statements[id(cell)] = max(statements.get(id(cell), 0), counter.n / args.per_round)
    load.append(os.getloadavg())
    # Python function calls of one request: deterministic, whatever the machine's load.
    calls = {}
    for cell in cells:
        _local, client, method, url, _title, data = cell
        profiler = cProfile.Profile()
        profiler.runcall(request, client, method, url, data)
        calls[id(cell)] = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
    print(f"database: {connection.vendor}; CPU ms per request (process_time), median of "
          f"{args.rounds} rounds x {args.per_round} requests; menu "
          f"{'afresh every request' if args.fresh_menu else 'as in production'}")
    before, after = (" ".join(f"{v:.2f}" for v in avg) for avg in load)
    print(f"load average before: {before}; after: {after}")
    print(f"\n{'person':14} {'screen':26} {'CPU ms':>7} {'min':>7} {'SQL/req':>7} "
          f"{'driver':>7} {'templ.':>7} {'calls':>7}")
    by_title: dict[str, list[float]] = {}
    for cell in cells:
        local, _c, _m, _url, title, _d = cell
        values = cpu[id(cell)]
        med = statistics.median(values) * 1e3
        by_title.setdefault(title, []).append(med)
        print(f"{local:14} {title:26} {med:7.2f} {min(values) * 1e3:7.2f} "
              f"{statements[id(cell)]:7.1f} {statistics.median(sql_cpu[id(cell)]) * 1e3:7.2f} "
              f"{statistics.median(tpl_cpu[id(cell)]) * 1e3:7.2f} {calls[id(cell)]:7d}")
    print("\nper screen, median over the people:")
    for title, values in by_title.items():
        print(f"  {title:26} {statistics.median(values):7.2f} ms")


if __name__ == "__main__":
    main()
