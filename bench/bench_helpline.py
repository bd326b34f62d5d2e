"""The helpline's public form under load (issue 20), through gunicorn on 127.0.0.1.

Creates a throw-away PostgreSQL database, migrates it, creates an organisation with its public
form and an operator, starts gunicorn (`--workers`, sync) on it with the settings' default
shared cache (the database cache: rate limits and ALTCHA replay protection are shared between
workers, as in production without Redis; the redis client is not installed here), then:

1. the page weight of the public form on first load (HTML, CSS, the quick-exit script, the
   icon; the ALTCHA widget script counted apart);
2. an operator's page (the triage list) alone: p50/p95;
3. valid submissions (a solved proof-of-work each, a time token older than the trap, distinct
   texts) at full speed: requests/s, p95, and how many arrived in triage;
4. an abusive flood without proof-of-work from one address (as a bot without JavaScript posts
   it: a time token fetched once, then the same post again and again), requests/s and p95,
   with the operator's page timed at the same time: the slowdown ratio;
5. a flood of forged posts (no time token, no proof): requests/s.

The proof-of-work challenges are made and solved before the timing starts (the client's work
is not the server's): made with the server's ALTCHA secret at the server's cost (PBKDF2, 5,000
iterations) but an easy key prefix, so the bench solves them quickly while the server does the
same verification as for a real one.

Goals: flood refused at >= 1,000 requests/s without slowing operators' pages by more than 20 %;
valid submissions >= 100/s; the form <= 30 KB on first load without the widget script.

Run:  /work/main/.venv/bin/python bench/bench_helpline.py [--valid 600] [--flood 6000]
      [--workers 3] [--concurrency 16] [--keep]
The deployment docs/operations.md advises (the public form on its own gunicorn, its processes
under SCHED_IDLE and its scheduling group weighing a tenth of the staff server's), the flood and
the operators' page alone taken in turn five times, against session 28's layout (nice 10, an
equal group) taken in the same rounds:
      bench/bench_helpline.py --redis redis://127.0.0.1:6379/13 --wrk --valid 1600 --inprocess 0 \
          --seconds 5 --split --workers 2 --rounds 5 --variants nice10+w2
The documented deployment alone (three public workers), as measured for the issue's figures:
      bench/bench_helpline.py --db bw_help20_bench --redis redis://127.0.0.1:6379/13 --wrk \
          --valid 1600 --inprocess 0 --seconds 8 --split --workers 3 --rounds 4
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# --db: each helper session its own database (the default is the one the docs' commands name)
DB = os.environ.get("BENCH_HELPLINE_DB", "bw_helpline_bench")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = _free_port()
# --redis: the shared cache of production (a Redis database of its own; only the rate-limit
# cache's keys, prefixed "rl:", and this bench's default-cache keys are deleted there).
REDIS = ""


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.update({
        "DJANGO_SETTINGS_MODULE": "bridgeway.settings",
        "BRIDGEWAY_DEBUG": "1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "BRIDGEWAY_HELPLINE_RATE_PER_HOUR": "10000000",
        "BRIDGEWAY_SSL_REDIRECT": "0",
    })
    if REDIS:
        e["BRIDGEWAY_REDIS_URL"] = REDIS
    else:
        e.pop("BRIDGEWAY_REDIS_URL", None)
        e.pop("REDIS_URL", None)
    return e


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, int(round(len(ordered) * p)) - 1))]


async def request(method: str, path: str, body: bytes = b"", headers: dict | None = None,
                  port: int = 0):
    """One HTTP/1.1 request on its own connection (gunicorn's sync workers close each one)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port or PORT)
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    for k, v in (headers or {}).items():
        head.append(f"{k}: {v}")
    if body:
        head.append("Content-Type: application/x-www-form-urlencoded")
    head.append(f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data.split(b" ", 2)[1]) if data else 0
    return status, data


async def run_many(make, count: int, concurrency: int):
    """`count` requests, `concurrency` at a time: (requests/s, latencies, statuses)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = list(range(count))

    async def worker():
        while queue:
            i = queue.pop()
            method, path, body, headers = make(i)
            start = time.perf_counter()
            status, _data = await request(method, path, body, headers)
            latencies.append(time.perf_counter() - start)
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    elapsed = time.perf_counter() - started
    return count / elapsed, latencies, statuses


def setup(keep: bool):
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {DB}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env(),
                   check=True)
    # the database cache tables too (the side-by-side run compares them with Redis)
    no_redis = {k: v for k, v in env().items() if k != "BRIDGEWAY_REDIS_URL"}
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=no_redis,
                   check=True)
    os.environ.update(env())
    import django

    django.setup()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    from bridgeway.helpline import services
    from bridgeway.orgs.models import Membership, Organisation

    if REDIS:
        _redis_sweep()
    else:
        cache.clear()
    org = Organisation.objects.create(name="Bench helpline", org_type="NGO", country="MD")
    conf = services.settings_ensure(org)
    conf.daily_quota = 10_000_000
    conf.save()
    user = get_user_model().objects.create_user(email="operator@bench.test",
                                                full_name="Operator")
    Membership.objects.create(user=user, organisation=org, role="caseworker")
    TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return conf, client.cookies["sessionid"].value


def _redis_sweep() -> None:
    import redis

    client = redis.Redis.from_url(REDIS)
    for pattern in ("rl:*", ":1:*"):
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)


def _solve_one(_i: int) -> str:
    from altcha import Payload, solve_challenge
    from altcha_django.challenge import build_challenge
    from django.conf import settings

    challenge = build_challenge(hmac_secret=settings.ALTCHA_HMAC_SECRET, key_prefix="0",
                                cost=settings.ALTCHA_CHALLENGE["cost"])
    solution = solve_challenge(challenge)
    return Payload(challenge, solution).to_base64()


def solved_proofs(n: int) -> list[str]:
    """Challenges signed with the server's secret at its cost, with an easy prefix (solved on
    all cores, before anything is timed)."""
    if n < 20:
        return [_solve_one(i) for i in range(n)]
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 2) as pool:
        return pool.map(_solve_one, range(n), chunksize=20)


def old_token(slug: str) -> str:
    from django.core import signing

    from bridgeway.helpline.abuse import _SALT

    return signing.dumps({"s": slug, "t": int((time.time() - 10) * 1000)}, salt=_SALT,
                         compress=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--valid", type=int, default=600)
    ap.add_argument("--flood", type=int, default=6000)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--redis", default="",
                    help="BRIDGEWAY_REDIS_URL for the rate-limit cache, e.g. "
                         "redis://127.0.0.1:6379/13 (default: the database cache)")
    ap.add_argument("--wrk", action="store_true",
                    help="load with wrk (C, far lighter than this Python client) for "
                         "--seconds each: valid submissions, then the flood")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--inprocess", type=int, default=40,
                    help="valid submissions and flood posts timed in this process first (CPU "
                         "ms and SQL statements per request, which the machine's load does not "
                         "change)")
    ap.add_argument("--inprocess-only", action="store_true")
    ap.add_argument("--side-by-side", type=int, default=0, metavar="PROOFS",
                    help="time the variants (database cache / Redis, flood guard or not) in "
                         "turns in this process with PROOFS valid submissions in all")
    ap.add_argument("--split", action="store_true",
                    help="as docs/operations.md advises: the public form served by its own "
                         "gunicorn under the SCHED_IDLE policy (--workers; see --public-idle) "
                         "and the staff pages by another (--staff-workers), the reverse proxy "
                         "sending /help/ to the first; the operator's page is timed on the "
                         "staff one")
    ap.add_argument("--staff-workers", type=int, default=2)
    ap.add_argument("--wrk-nice", type=int, default=0,
                    help="run wrk under this nice value: a real flood's sender does not share "
                         "the server's cores (0: same priority, the generator included)")
    ap.add_argument("--public-nice", type=int, default=0,
                    help="--split: the public form's gunicorn's nice value (session 28's "
                         "deployment: --no-public-idle --public-nice 10)")
    ap.add_argument("--public-idle", action=argparse.BooleanOptionalAction, default=True,
                    help="--split: the public form's gunicorn under the SCHED_IDLE policy "
                         "(chrt --idle 0, as docs/operations.md's CPUSchedulingPolicy=idle): it "
                         "runs only on CPU nobody else wants, and a staff request waking up "
                         "preempts it at once (default; --no-public-idle: the normal policy)")
    ap.add_argument("--public-autogroup", type=int, default=10,
                    help="--split: the nice value of the public server's autogroup (its session's "
                         "scheduling group, what decides the CPU shared between the two servers "
                         "when the kernel's autogroup is on; 10 weighs 110 against the staff "
                         "group's 1,024, as CPUWeight=10 against 100 does for a systemd service; "
                         "0: an equal share)")
    ap.add_argument("--public-cpus", default="",
                    help="--split: taskset CPU list for the public form's gunicorn (e.g. 1)")
    ap.add_argument("--staff-threads", type=int, default=1,
                    help="--split: threads per staff worker (> 1: gunicorn's gthread class)")
    ap.add_argument("--wrk-idle", action="store_true",
                    help="run wrk under SCHED_IDLE (chrt --idle 0): the generator stands for "
                         "another machine and takes only CPU nobody else wants")
    ap.add_argument("--rounds", type=int, default=1,
                    help="--wrk: alternate the operator page alone and during the flood this "
                         "many times (each --seconds long) with the same servers, and pool them")
    ap.add_argument("--variants", default="",
                    help="--wrk --split: more public servers taken in turn with the first in each "
                         "round, e.g. 'nice10,idle+w1,idle+wrkidle' (see variant())")
    ap.add_argument("--db", default="",
                    help="the throw-away PostgreSQL database's name (default "
                         "bw_helpline_bench; dropped and created again)")
    ap.add_argument("--profile", action="store_true",
                    help="cProfile the in-process valid submissions (top functions by own and "
                         "cumulative time)")
    args = ap.parse_args()
    global REDIS, DB
    REDIS = args.redis
    DB = args.db or DB
    from urllib.parse import urlencode

    conf, session = setup(args.keep)
    slug = conf.slug
    print(f"solving {args.valid + args.inprocess + args.side_by_side} proofs-of-work "
          "(client side, not timed) ...", flush=True)
    t0 = time.perf_counter()
    proofs = solved_proofs(args.valid + args.inprocess + args.side_by_side)
    if args.side_by_side:
        side_by_side(slug, proofs[-args.side_by_side:], urlencode)
        proofs = proofs[:-args.side_by_side]
    print(f"  {time.perf_counter() - t0:.1f} s")
    if args.inprocess:
        in_process(slug, proofs[args.valid:], urlencode, profile=args.profile)
        proofs = proofs[:args.valid]
    if args.inprocess_only:
        return
    binary = str(Path(sys.executable).with_name("gunicorn"))
    public_prefix: list[str] = []
    args.public_label = f"one gunicorn, w{args.workers}" if not args.split else "+".join(filter(None, (
        "idle" if args.public_idle else "", f"nice{args.public_nice}" if args.public_nice else "",
        f"ag{args.public_autogroup}" if args.split and args.public_autogroup else "",
        f"w{args.workers}", f"cpus{args.public_cpus}" if args.public_cpus else "",
        "wrkidle" if args.wrk_idle else "", f"wrknice{args.wrk_nice}" if args.wrk_nice else "")))
    if args.split:
        public_prefix += ["chrt", "--idle", "0"] if args.public_idle else []
        public_prefix += ["nice", "-n", str(args.public_nice)] if args.public_nice else []
        public_prefix += ["taskset", "-c", args.public_cpus] if args.public_cpus else []
    gunicorn = subprocess.Popen(
        public_prefix + [
            binary, "bridgeway.wsgi", "-w", str(args.workers), "-b", f"127.0.0.1:{PORT}",
            "--log-level", "warning"],
        cwd=ROOT, env=env(), start_new_session=True)
    staff = None
    global GUNICORN_PID, STAFF_PORT, WRK_PREFIX
    WRK_PREFIX = ((["chrt", "--idle", "0"] if args.wrk_idle else [])
                  + (["nice", "-n", str(args.wrk_nice)] if args.wrk_nice else []))
    if args.split:
        STAFF_PORT = _free_port()
        threads = ["--threads", str(args.staff_threads)] if args.staff_threads > 1 else []
        staff = subprocess.Popen(
            [binary, "bridgeway.wsgi", "-w", str(args.staff_workers), *threads, "-b",
             f"127.0.0.1:{STAFF_PORT}", "--log-level", "warning"],
            cwd=ROOT, env=env(), start_new_session=True)
    GUNICORN_PID = gunicorn.pid
    if args.split:
        print(f"public server's autogroup: "
              f"{set_autogroup_nice(gunicorn.pid, args.public_autogroup)}; the staff server's: "
              f"{set_autogroup_nice(staff.pid, 0) if staff else '-'}")
    try:
        wait_listening([PORT] + ([STAFF_PORT] if args.split else []))
        runner = measure_wrk if args.wrk else measure
        asyncio.run(runner(args, slug, session, proofs, urlencode))
    finally:
        for proc in (gunicorn, staff):
            if proc is not None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
        if not args.keep:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                                 autocommit=True) as c:
                c.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def in_process(slug, proofs, urlencode, *, profile: bool = False) -> None:
    """CPU time (this process: Django, the proof check, the database driver; not PostgreSQL's
    own work) and SQL statements per request, through the Django test client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def timed(name: str, posts: list[tuple[bytes, str]], profiler=None) -> None:
        client = Client(HTTP_HOST="127.0.0.1")
        cpu, wall, statements = [], [], []
        for n, (body, addr) in enumerate(posts):
            if profiler is not None and n == len(posts) // 4:
                profiler.enable()
            with CaptureQueriesContext(connection) as queries:
                c0, w0 = time.process_time(), time.perf_counter()
                response = client.post(f"/help/{slug}/?lang=uk", data=body,
                                       content_type="application/x-www-form-urlencoded",
                                       REMOTE_ADDR=addr)
                cpu.append(time.process_time() - c0)
                wall.append(time.perf_counter() - w0)
            statements.append(len(queries))
        if profiler is not None:
            profiler.disable()
            import pstats

            stats = pstats.Stats(profiler)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(
                r"bridgeway|altcha|template/(base|loader)|forms/forms|cryptography|query\.py", 45)
        if os.environ.get("BENCH_SHOW_SQL"):
            for q in queries.captured_queries:
                print("    ", q["sql"][:150])
        warm = cpu[len(cpu) // 4:] or cpu  # the first ones warm the code and caches up
        print(f"  {name}: status {response.status_code}, CPU {statistics.median(warm) * 1000:.2f}"
              f" ms median (p90 {percentile(warm, .9) * 1000:.2f}), wall "
              f"{statistics.median(wall[len(wall) // 4:] or wall) * 1000:.2f} ms, SQL statements "
              f"{statistics.median(statements):.0f} per request; one core's CPU bound "
              f"≈ {1 / statistics.median(warm):.0f}/s; load average {os.getloadavg()[0]:.1f}")

    print("\nin process (Django test client, same code and database):")
    timed("valid submission", [(urlencode({
        "lang": "uk", "ts": old_token(slug), "altcha": proof,
        "what_happened": f"Потрібна допомога, повідомлення {i}.", "reach": "+380501234567",
        "reach_channel": "signal"}).encode(), f"10.9.{i // 200}.{i % 200}")
        for i, proof in enumerate(proofs)], profiler=cProfile.Profile(time.process_time) if profile else None)
    flood = urlencode({"lang": "uk", "ts": old_token(slug), "what_happened": "spam " * 20})
    timed("flood post without proof (after its allowance)",
          [(flood.encode(), "10.8.0.1") for _ in range(len(proofs) * 5)])


def side_by_side(slug, proofs, urlencode, rounds: int = 6) -> None:
    """The same requests through this change's variants, taken in turns in this one process
    (so the machine's changing load falls on each alike): the rate-limit cache (the database's
    or Redis) for valid submissions and the flood; the flood guard first in the middleware or
    not. CPU ms per request (median of the warm ones) and SQL statements."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from bridgeway.helpline import abuse

    db_cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "bridgeway_rate_cache", "OPTIONS": {"MAX_ENTRIES": 2_000_000}}
    caches = {"database cache": {**settings.CACHES, "ratelimit": db_cache}}
    if REDIS:
        caches["Redis"] = {**settings.CACHES, "ratelimit": {
            "BACKEND": "bridgeway.core.cache.RedisCache", "LOCATION": REDIS, "KEY_PREFIX": "rl"}}
    guard = "bridgeway.helpline.middleware.PublicFormGuardMiddleware"
    without_guard = [m for m in settings.MIDDLEWARE if m != guard]
    results: dict[str, tuple[list[float], list[int]]] = {}

    def run(label: str, overrides: dict, posts: list[tuple[bytes, str]]) -> None:
        with override_settings(**overrides):
            client = Client(HTTP_HOST="127.0.0.1")
            cpu, sql = results.setdefault(label, ([], []))
            for n, (body, addr) in enumerate(posts):
                with CaptureQueriesContext(connection) as queries:
                    c0 = time.process_time()
                    response = client.post(f"/help/{slug}/?lang=uk", data=body,
                                           content_type="application/x-www-form-urlencoded",
                                           REMOTE_ADDR=addr)
                    spent = time.process_time() - c0
                if n >= 2:  # the first ones of a turn warm the new client up
                    cpu.append(spent)
                    sql.append(len(queries))
            assert response.status_code in (200, 429), response.status_code

    flood = urlencode({"lang": "uk", "ts": old_token(slug), "what_happened": "spam " * 20})
    per_turn = max(3, len(proofs) // (rounds * len(caches)))
    left = list(proofs)
    for r in range(rounds):
        for name, cache_setting in caches.items():
            batch, left = left[:per_turn], left[per_turn:]
            run(f"valid, {name}", {"CACHES": cache_setting}, [(urlencode({
                "lang": "uk", "ts": old_token(slug), "altcha": p,
                "what_happened": f"Потрібна допомога {r} {name} {i}.",
                "reach": "+380501234567", "reach_channel": "signal"}).encode(),
                f"10.7.{r}.{i}") for i, p in enumerate(batch)])
            for middleware, label in ((without_guard, "whole stack"), (settings.MIDDLEWARE,
                                                                        "guard first")):
                abuse._refused_here.clear()
                run(f"flood, {name}, {label}", {"CACHES": cache_setting,
                                                "MIDDLEWARE": middleware},
                    [(flood.encode(), "10.6.0.1")] * 60)
    print(f"\nside by side in this process, {rounds} turns each (load average "
          f"{os.getloadavg()[0]:.1f}):")
    base: dict[str, float] = {}
    for label, (cpu, sql) in results.items():
        median = statistics.median(cpu) * 1000
        kind = label.split(",")[0]
        base.setdefault(kind, median)
        print(f"  {label}: CPU {median:.2f} ms median (p90 {percentile(cpu, .9) * 1000:.2f}), "
              f"{statistics.median(sql):.0f} SQL statements; ratio to the first "
              f"{median / base[kind]:.2f}; two idle cores ≈ {2000 / median:.0f}/s")


async def page_weight(slug: str) -> None:
    """Every asset the public page makes a browser fetch on first load (from its HTML), the
    ALTCHA widget's script counted apart."""
    import gzip
    import re

    status, html = await request("GET", f"/help/{slug}/?lang=uk")
    assert status == 200, html[:500]
    body = html.split(b"\r\n\r\n", 1)[1]
    weight = {"html": len(body)}
    zipped = {"html": len(gzip.compress(body))}
    for path in re.findall(rb'(?:href|src)="(/static/[^"]+)"', body):
        s, data = await request("GET", path.decode())
        name = path.decode().rsplit("/", 1)[1]
        content = data.split(b"\r\n\r\n", 1)[1] if s == 200 else b""
        weight[name] = len(content) if s == 200 else -s
        zipped[name] = len(gzip.compress(content)) if s == 200 else -s
    widget = "altcha.min.js"
    first_load = sum(v for k, v in weight.items() if k != widget)
    print(f"\npage weight (bytes, load average {os.getloadavg()[0]:.1f}):", json.dumps(weight))
    print(f"  first load without the widget script: {first_load / 1024:.1f} KB (goal <= 30 KB)")
    print(f"  the same gzip-compressed (as a compressing server sends it): "
          f"{sum(v for k, v in zipped.items() if k != widget) / 1024:.1f} KB")


async def measure(args, slug, session, proofs, urlencode):
    from bridgeway.helpline.models import Contact

    # 1. page weight
    await page_weight(slug)

    operator = {"Cookie": f"sessionid={session}"}

    def op(_i):
        return "GET", "/helpline/triage/", b"", operator

    s, _ = await request(*op(0)[:2], headers=operator)
    assert s == 200, s
    # 3. valid submissions
    def valid(i):
        data = urlencode({"lang": "uk", "ts": old_token(slug), "altcha": proofs[i],
                          "what_happened": f"Потрібна допомога, повідомлення {i}.",
                          "reach": "+380501234567", "reach_channel": "signal"}).encode()
        return "POST", f"/help/{slug}/?lang=uk", data, {"X-Bench": str(i)}

    before = await asyncio.to_thread(lambda: Contact.objects.filter(status="new").count())
    rate_valid, lat_valid, st = await run_many(valid, len(proofs), args.concurrency)
    after = await asyncio.to_thread(lambda: Contact.objects.filter(status="new").count())
    print(f"\nvalid submissions: {rate_valid:.0f} req/s, p95 {percentile(lat_valid, .95) * 1000:.0f}"
          f" ms, statuses {st}, in triage {after - before} (goal >= 100/s)")

    # 2. operators alone (after the valid submissions: the same triage list as during the flood)
    rate, lat, st = await run_many(op, 200, 4)
    base_p50, base_p95 = statistics.median(lat), percentile(lat, 0.95)
    print(f"\noperator page alone: {rate:.0f} req/s, p50 {base_p50 * 1000:.1f} ms, "
          f"p95 {base_p95 * 1000:.1f} ms {st}")

    # 4. abusive flood without proof-of-work, with the operator's page timed meanwhile
    token = old_token(slug)
    flood_body = urlencode({"lang": "uk", "ts": token, "what_happened": "spam " * 20}).encode()

    def flood(_i):
        return "POST", f"/help/{slug}/", flood_body, {}

    op_lat: list[float] = []
    stop = asyncio.Event()

    async def operators():
        while not stop.is_set():
            start = time.perf_counter()
            await request("GET", "/helpline/triage/", headers=operator)
            op_lat.append(time.perf_counter() - start)
            await asyncio.sleep(0.02)

    watcher = asyncio.create_task(operators())
    rate_flood, lat_flood, st_flood = await run_many(flood, args.flood, args.concurrency)
    stop.set()
    await watcher
    held = await asyncio.to_thread(lambda: Contact.objects.filter(status="held").count())
    flood_p95 = percentile(op_lat, 0.95)
    print(f"\nflood without proof-of-work: {rate_flood:.0f} req/s, p95 "
          f"{percentile(lat_flood, .95) * 1000:.1f} ms, statuses {st_flood}, held {held} "
          f"(goal >= 1,000/s)")
    print(f"operator page during the flood: p50 {statistics.median(op_lat) * 1000:.1f} ms, "
          f"p95 {flood_p95 * 1000:.1f} ms; ratio to alone p95 {flood_p95 / base_p95:.2f}, "
          f"p50 {statistics.median(op_lat) / base_p50:.2f} (goal <= 1.20)")

    # 5. forged posts: no time token, no proof
    forged = urlencode({"what_happened": "spam"}).encode()
    rate_forged, lat_forged, st_forged = await run_many(
        lambda _i: ("POST", f"/help/{slug}/", forged, {"X-Forwarded-For": "1.2.3.4"}),
        args.flood // 2, args.concurrency)
    print(f"\nforged posts (no time token): {rate_forged:.0f} req/s, p95 "
          f"{percentile(lat_forged, .95) * 1000:.1f} ms, statuses {st_forged}")
    print(f"\nratio flood/valid req/s: {rate_flood / rate_valid:.1f}")


WRK_SCRIPT = """
local n = 0
function setup(thread)
  thread:set("tid", n)
  n = n + 1
end
function init(args)
  bodies = {}
  local i, step = 0, tonumber(args[2])
  for line in io.lines(args[1]) do
    if i % step == tid then bodies[#bodies + 1] = line end
    i = i + 1
  end
  idx = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
function request()
  idx = idx + 1
  if idx > #bodies then idx = 1 end -- a proof used again is refused: counted as non-2xx
  return wrk.format(nil, nil, nil, bodies[idx])
end
function done(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


async def wrk(path: str, bodies: list[bytes], seconds: int, threads: int = 2,
              connections: int = 16, port: int = 0, prefix: list[str] | None = None) -> dict:
    """wrk posting `bodies` in turn (each thread its own share); CPU seconds of the server's
    processes are read by the caller."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        script, data = Path(tmp, "post.lua"), Path(tmp, "bodies.txt")
        script.write_text(WRK_SCRIPT)
        data.write_bytes(b"\n".join(bodies) + b"\n")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = await asyncio.create_subprocess_exec(
            *(WRK_PREFIX if prefix is None else prefix),
            "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
            "-s", str(script), f"http://127.0.0.1:{port or PORT}{path}", "--", str(data), str(threads),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await proc.communicate()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The generator's own CPU (wrk is waited for, so it is counted among this process's
    # children; gunicorn's processes are still running and are not).
    generator_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    line = [x for x in out.decode().splitlines() if x.startswith("BENCH ")]
    assert line, out.decode()
    requests, duration_us, p50, p95, non2xx, socket_errors = map(int, line[0].split()[1:])
    return {"requests": requests, "rate": requests / (duration_us / 1e6), "p50_ms": p50 / 1000,
            "p95_ms": p95 / 1000, "non_2xx": non2xx, "socket_errors": socket_errors,
            "generator_cpu_s": generator_cpu}


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) of gunicorn's master and workers so far."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


async def operator_page(session: str, stop: asyncio.Event, samples: list[float]) -> None:
    headers = {"Cookie": f"sessionid={session}"}
    while not stop.is_set():
        start = time.perf_counter()
        status, _ = await request("GET", "/helpline/triage/", headers=headers, port=STAFF_PORT)
        assert status == 200, status
        samples.append(time.perf_counter() - start)
        await asyncio.sleep(0.05)


async def measure_wrk(args, slug, session, proofs, urlencode):
    from bridgeway.helpline.models import Contact

    await page_weight(slug)
    pid = GUNICORN_PID
    cache = "Redis " + REDIS if REDIS else "the database cache"
    layout = (f"public form on its own gunicorn [{args.public_label}], staff pages on another "
              f"({args.staff_workers} workers, {args.staff_threads} thread(s) each)" if args.split else
              f"{args.workers} gunicorn sync workers for everything")
    print(f"\nwrk, {layout}, rate-limit cache: {cache}")

    # valid submissions: each body a solved proof, a time token past the trap, its own text
    bodies = [urlencode({"lang": "uk", "ts": old_token(slug), "altcha": proof,
                         "what_happened": f"Потрібна допомога, повідомлення {i}.",
                         "reach": "+380501234567", "reach_channel": "signal"}).encode()
              for i, proof in enumerate(proofs)]
    # Every worker warmed up first (templates, translations, connections: a few hundred ms of
    # CPU each, which would otherwise be counted against the first seconds' requests).
    warm = 4 * (args.workers + (args.staff_workers if args.split else 0))
    form_path = f"/help/{slug}/?lang=uk"
    headers = {"Cookie": f"sessionid={session}"}
    await asyncio.gather(*[request("GET", form_path) for _ in range(warm)])
    await asyncio.gather(*[request("GET", "/helpline/triage/", headers=headers, port=STAFF_PORT)
                           for _ in range(warm)])
    await asyncio.gather(*[request("POST", form_path, body) for body in bodies[:warm]])
    bodies = bodies[warm:]
    before = await asyncio.to_thread(lambda: Contact.objects.filter(status="new").count())
    load0, cpu0 = os.getloadavg()[0], server_cpu(pid)
    valid = await wrk(f"/help/{slug}/?lang=uk", bodies, args.seconds)
    cpu1, load1 = server_cpu(pid), os.getloadavg()[0]
    after = await asyncio.to_thread(lambda: Contact.objects.filter(status="new").count())
    stored = after - before
    print(f"valid submissions: {stored / (args.seconds):.0f} stored/s ({valid['rate']:.0f} "
          f"answers/s, {valid['non_2xx']} not 200 — proofs used again once all {len(bodies)} "
          f"were spent), p50 {valid['p50_ms']:.0f} ms, p95 {valid['p95_ms']:.0f} ms, "
          f"server CPU {(cpu1 - cpu0) / max(1, stored) * 1000:.1f} ms per stored submission, "
          f"load average {load0:.1f} → {load1:.1f} (goal >= 100/s)")

    # operators' page alone, then during the flood, --rounds times in turn (the other
    # sessions' load changes over minutes: alternating lets it fall on both alike). With
    # --variants, each variant's public server is started now (an idle one costs nothing) and
    # the variants are taken in turn within each round.
    flood_body = urlencode({"lang": "uk", "ts": old_token(slug),
                            "what_happened": "spam " * 20}).encode()
    variants = [(args.public_label, pid, PORT, WRK_PREFIX)]
    extra: list[subprocess.Popen] = []
    for spec in filter(None, args.variants.split(",")):
        prefix, workers, wrk_prefix, autogroup = variant(spec)
        port = _free_port()
        proc = subprocess.Popen(
            prefix + [str(Path(sys.executable).with_name("gunicorn")), "bridgeway.wsgi", "-w",
                      str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env=env(), start_new_session=True)
        extra.append(proc)
        print(f"[{spec}] autogroup: {set_autogroup_nice(proc.pid, autogroup)}")
        variants.append((spec, proc.pid, port, wrk_prefix))
    if extra:
        wait_listening([v[2] for v in variants[1:]])
        for _label, _pid, port, _w in variants[1:]:
            await asyncio.gather(*[request("GET", form_path, port=port) for _ in range(8)])
    results: dict[str, dict[str, list]] = {
        v[0]: {"alone": [], "during": [], "rates": [], "ratios": [], "cpu": []} for v in variants}
    try:
        for r in range(args.rounds):
            for label, vpid, port, wrk_prefix in variants:
                res = results[label]
                alone: list[float] = []
                stop = asyncio.Event()
                load_a = os.getloadavg()[0]
                task = asyncio.create_task(operator_page(session, stop, alone))
                await asyncio.sleep(args.seconds)
                stop.set()
                await task
                during: list[float] = []
                stop = asyncio.Event()
                task = asyncio.create_task(operator_page(session, stop, during))
                load0, cpu0 = os.getloadavg()[0], server_cpu(vpid)
                flood = await wrk(f"/help/{slug}/", [flood_body], args.seconds, port=port,
                                  prefix=wrk_prefix)
                cpu1, load1 = server_cpu(vpid), os.getloadavg()[0]
                stop.set()
                await task
                a50, a95 = statistics.median(alone), percentile(alone, .95)
                d50, d95 = statistics.median(during), percentile(during, .95)
                per = (cpu1 - cpu0) / max(1, flood["requests"]) * 1000
                res["alone"] += alone
                res["during"] += during
                res["rates"].append(flood["rate"])
                res["ratios"].append((d50 / a50, d95 / a95))
                res["cpu"].append(per)
                print(f"round {r + 1} [{label}]: flood {flood['rate']:.0f} req/s (p50 "
                      f"{flood['p50_ms']:.1f} ms, p95 {flood['p95_ms']:.1f} ms, "
                      f"{flood['non_2xx']} refused of {flood['requests']}, socket errors "
                      f"{flood['socket_errors']}), server CPU {per:.2f} ms per request, wrk "
                      f"{flood['generator_cpu_s']:.1f} CPU s of {args.seconds} s × 2 cores; triage "
                      f"alone p50 {a50 * 1000:.1f} p95 {a95 * 1000:.1f} ms (n {len(alone)}, load "
                      f"{load_a:.2f}), during p50 {d50 * 1000:.1f} p95 {d95 * 1000:.1f} ms (n "
                      f"{len(during)}, load {load0:.2f} → {load1:.2f}): ratio p50 "
                      f"{d50 / a50:.2f}, p95 {d95 / a95:.2f}", flush=True)
    finally:
        for proc in extra:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    held = await asyncio.to_thread(lambda: Contact.objects.filter(status="held").count())
    print(f"held for moderation in all: {held} (each address's no-proof allowance of the day)")
    for label, res in results.items():
        a50, a95 = statistics.median(res["alone"]), percentile(res["alone"], .95)
        d50, d95 = statistics.median(res["during"]), percentile(res["during"], .95)
        rates = res["rates"]
        print(f"[{label}] {args.rounds} rounds pooled: flood {min(rates):.0f}–{max(rates):.0f} "
              f"req/s (median {statistics.median(rates):.0f}; goal >= 1,000/s), server CPU "
              f"{statistics.median(res['cpu']):.2f} ms per refusal; triage alone p50 "
              f"{a50 * 1000:.1f} p95 {a95 * 1000:.1f} ms, during p50 {d50 * 1000:.1f} p95 "
              f"{d95 * 1000:.1f} ms: ratio p50 {d50 / a50:.2f}, p95 {d95 / a95:.2f} (goal <= "
              f"1.20); per round p50 {', '.join(f'{x:.2f}' for x, _ in res['ratios'])}, p95 "
              f"{', '.join(f'{y:.2f}' for _, y in res['ratios'])}; load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def variant(spec: str) -> tuple[list[str], int, list[str], int]:
    """'idle+ag19+w1+wrkidle' → (the public server's command prefix, its workers, wrk's prefix,
    its autogroup's nice). Parts: idle (SCHED_IDLE), nice<N>, ag<N> (the nice value of the
    server's autogroup, see set_autogroup_nice), w<N> (workers, default 2), cpus<list>
    (taskset), wrkidle (the generator under SCHED_IDLE), wrknice<N>."""
    prefix: list[str] = []
    wrk_prefix: list[str] = []
    workers = 2
    autogroup = 0
    for part in spec.split("+"):
        if part == "idle":
            prefix = ["chrt", "--idle", "0", *prefix]
        elif part.startswith("nice"):
            prefix += ["nice", "-n", part[4:]]
        elif part.startswith("w") and part[1:].isdigit():
            workers = int(part[1:])
        elif part.startswith("ag"):
            autogroup = int(part[2:])
        elif part.startswith("cpus"):
            prefix += ["taskset", "-c", part[4:]]
        elif part == "wrkidle":
            wrk_prefix = ["chrt", "--idle", "0", *wrk_prefix]
        elif part.startswith("wrknice"):
            wrk_prefix += ["nice", "-n", part[7:]]
        else:
            raise SystemExit(f"unknown variant part {part!r}")
    return prefix, workers, wrk_prefix, autogroup


def wait_listening(ports: list[int], timeout: float = 180) -> None:
    """Until gunicorn answers on every port (a server under the idle policy starts only on the
    CPU others leave: seconds on a quiet machine, a minute on a busy one)."""
    import socket

    deadline = time.monotonic() + timeout
    for port in ports:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    time.sleep(2)  # the workers fork after the master listens


def set_autogroup_nice(pid: int, nice: int) -> str:
    """The kernel's autogroup (sched_autogroup_enabled=1 here, as on most desktops and many
    servers) puts each session — each gunicorn started in a new session, as systemd starts each
    service — in a scheduling group of its own, and the groups share the CPU equally whatever
    the nice values of the processes inside: a nice 10 gunicorn in its own session takes as much
    CPU as the staff one. The group's own nice value is what counts between groups; under
    systemd the service's control group plays this part (CPUWeight=, docs/operations.md)."""
    path = Path(f"/proc/{pid}/autogroup")
    if not path.exists() or Path("/proc/sys/kernel/sched_autogroup_enabled").read_text() != "1\n":
        return "no autogroup"
    if nice:
        path.write_text(str(nice))
    return path.read_text().strip()


GUNICORN_PID = 0
# --wrk-nice, --wrk-idle: the generator at a lower CPU priority (the flood's sender is elsewhere)
WRK_PREFIX: list[str] = []
STAFF_PORT = 0  # --split: the staff pages' own gunicorn (0: the same one as the form)


if __name__ == "__main__":
    main()
