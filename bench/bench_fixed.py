"""The fixed cost of a signed-in request, piece by piece (issue 19, item 2), in one process with
production settings (bench.settings_prod: DEBUG off, PostgreSQL, the TLS proxy flag).

Each middleware's own time (its __call__ less the next one's), each context processor's, the SQL
statements, against the empty request: `/healthz` through the whole stack, `/bench/empty` (a
signed-in view that returns nothing, bench.urls), `/bench/empty-page` (the base template with the
menu and nothing else), "My account" and a case page (the access-log write). The menu is counted
afresh on every request (BRIDGEWAY_MENU_SECONDS=0) unless --kept-menu. Prints os.getloadavg().

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_perf \\
        .venv/bin/python bench/bench_fixed.py [--repeat 200] [--person caseworker.a]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_prod")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)
# Components are timed in this process's CPU time: on a machine shared with other work the wall
# clock mostly measures waiting for a core (and the database's own CPU shows as statements).
CLOCK = time.process_time
STATEMENTS = [0]


def _timed_call(name, original):
    def __call__(self, request):
        start = CLOCK()
        try:
            return original(self, request)
        finally:
            SPENT[name] += CLOCK() - start
    return __call__


def instrument():
    """Inclusive time of every middleware and context processor, and the SQL count."""
    for path in settings.MIDDLEWARE:
        cls = import_string(path)
        if "__call__" in cls.__dict__:
            cls.__call__ = _timed_call(path, cls.__dict__["__call__"])
        else:  # MiddlewareMixin: time through a subclass-free wrapper of its __call__
            cls.__call__ = _timed_call(path, cls.__call__)
    from django.template import engines

    engine = engines["django"].engine  # type: ignore[attr-defined]
    wrapped = []
    for processor in engine.template_context_processors:
        def timed(request, processor=processor):
            start = CLOCK()
            try:
                return processor(request)
            finally:
                SPENT[f"context processor {processor.__module__}.{processor.__name__}"] += \
                    CLOCK() - start
        wrapped.append(timed)
    engine.__dict__["template_context_processors"] = tuple(wrapped)

    def count(execute, sql, params, many, context):
        STATEMENTS[0] += 1
        return execute(sql, params, many, context)
    connection.execute_wrappers.append(count)


def own_times(spent: dict[str, float]) -> dict[str, float]:
    """A middleware's own time: its inclusive time less the next middleware's."""
    out = {}
    chain = [p for p in settings.MIDDLEWARE]
    for i, path in enumerate(chain):
        inner = spent.get(chain[i + 1], 0.0) if i + 1 < len(chain) else 0.0  # last: + view
        out[path] = spent.get(path, 0.0) - inner
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--person", default="caseworker.a")
    parser.add_argument("--kept-menu", action="store_true")
    args = parser.parse_args()
    from bench.bench_screens import client_for
    from bridgeway.cases.queries import cases_visible_to
    from bridgeway.demo.data import email

    instrument()
    user, client = client_for(email(args.person))
    case = cases_visible_to(user).order_by("-opened_on").first()
    pages = [("/healthz", "/healthz (session, user; no MFA check)"),
             ("/bench/empty", "empty signed-in view (full middleware)"),
             ("/bench/empty-page", "base template only (menu, context processors)"),
             ("/account/", "My account")]
    if case is not None:
        pages.append((f"/cases/{case.pk}/", "case page (access-log write)"))
    menu_seconds = settings.BRIDGEWAY_MENU_SECONDS if args.kept_menu else 0
    print(f"load average {os.getloadavg()}; {args.repeat} requests per page; menu "
          f"{'kept' if args.kept_menu else 'counted afresh on every request'}")
    rows = {}
    with override_settings(BRIDGEWAY_MENU_SECONDS=menu_seconds):
        for url, label in pages:
            for _ in range(5):
                assert client.get(url).status_code == 200, url
            times, parts, statements = [], defaultdict(list), []
            for _ in range(args.repeat):
                SPENT.clear()
                STATEMENTS[0] = 0
                start, cpu = time.perf_counter(), CLOCK()
                client.get(url)
                times.append((time.perf_counter() - start, CLOCK() - cpu))
                statements.append(STATEMENTS[0])
                own = own_times(SPENT)
                for key, value in list(own.items()) + [
                        (k, v) for k, v in SPENT.items() if k.startswith("context")]:
                    parts[key].append(value)
            rows[label] = (statistics.median(t for t, _c in times), max(statements),
                           statistics.median(c for _t, c in times),
                           {k: statistics.median(v) for k, v in parts.items()})
    floor = rows[pages[0][1]][2]
    print(f"\n{'request':50} {'wall ms':>8} {'CPU ms':>8} {'CPU vs /healthz':>16} {'SQL':>4}")
    for label, (median, statements, cpu, _parts) in rows.items():
        print(f"{label:50} {median * 1000:8.2f} {cpu * 1000:8.2f} {(cpu - floor) * 1000:+16.2f}"
              f" {statements:4}")
    print("\nper component, own median CPU ms (middleware: its __call__ less the next one's; the "
          "last one includes the view)")
    names = list(next(iter(rows.values()))[3])
    for _label, (_m, _s, _c, parts) in rows.items():
        names += [k for k in parts if k not in names]
    print(f"{'component':58}" + "".join(f"{label[:14]:>15}" for label in rows))
    for name in names:
        short = name.replace("django.middleware.", "").replace("django.contrib.", "")
        print(f"{short[:58]:58}" + "".join(
            f"{parts.get(name, 0.0) * 1000:15.3f}" for _m, _s, _c, parts in rows.values()))
    print(f"\nload average {os.getloadavg()}")


if __name__ == "__main__":
    main()
