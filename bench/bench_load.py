"""Load test (issue 19): gunicorn with production settings (bench.settings_prod: DEBUG off, the
TLS proxy flag, persistent connections) on PostgreSQL, the background worker running and a
statistics import running in it, and `wrk` (Debian package `wrk`) as a bounded, low-overhead
generator: 50 connections, each request signed in as one of 50 sessions of several demo roles,
on a mix of the case list, case pages, name search (POST), directory, referral list, referral
pages, home and statistics. Then, in the same run, the empty signed-in request (`/healthz`, same
sessions) and a signed-in view that does nothing through the whole middleware stack
(`/bench/empty`) as the ceilings.

Printed: overall requests/s and latency p50/p95/p99 as the generator saw them (wrk), errors
(socket errors, and any answer that is not 200), per page the number of requests, errors and
p50/p95/p99 of the server's own time (gunicorn's access log, %(D)s: from the request read to the
response written, without time queued before a worker took it), the ceiling's requests/s, the
ratio, and the generator's CPU. Exits 1 if any request errs.

Set-up: the demo database of bench/bench_screens.py (migrate, createcachetable, demo_seed,
collectstatic with DJANGO_SETTINGS_MODULE=bench.settings_prod). Then:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_perf \\
        .venv/bin/python bench/bench_load.py --duration 300 [--workers 3] [--import-rows 400000]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_prod")

import django  # noqa: E402

django.setup()

# (demo person, sessions): 50 signed-in sessions of six roles.
PEOPLE = [("caseworker.a", 12), ("supervisor.a", 8), ("caseworker.b", 8),
          ("caseworker.harbour", 6), ("police", 6), ("coordinator", 5), ("admin.a", 5)]

LUA = r"""
local reqs = {}
local n = 0
init = function(args)
  -- {body}
  n = math.random(1, #reqs)  -- every thread starts at a different place in the list
end
request = function()
  n = n % #reqs + 1
  return reqs[n]
end
local bad = 0
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d connect=%d read=%d write=%d timeout=%d status=%d "
    .. "p50=%d p95=%d p99=%d max=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


# The ceilings, run in the same process after the mix, with the same sessions: /healthz (session,
# user; no MFA check, no template) and a signed-in view that returns nothing through the whole
# middleware stack, MFA check included (bench/urls.py: bench.settings_prod only).
CEILING_URLS = ["/healthz", "/bench/empty"]
CEILING_LABELS = ["empty request (/healthz)", "empty view, full stack"]


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def sessions(port: int):
    """(label, person, cookie header, csrf token, pages) for every session."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.bench_screens import extra_pages
    from bridgeway.core.registry import menu_for
    from bridgeway.demo.data import email

    out = []
    for local, count in PEOPLE:
        user = get_user_model().objects.get(email=email(local))
        menu = {url for url, _label, _key in menu_for(user)}
        mix = [("GET", url, None) for url in ("/", "/cases/", "/orgs/", "/referrals/", "/stats/")
               if url in menu]
        mix += [(method, url, data) for method, url, _title, data in extra_pages(user)]
        for _ in range(count):
            client = Client(headers={"X-Forwarded-Proto": "https"})
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            page = client.get("/cases/" if "/cases/" in menu else "/").content.decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            cookies = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
            out.append((local, cookies, token.group(1) if token else "", mix))
    return out


def lua_requests(port: int, people, only: str | None = None) -> str:
    from urllib.parse import urlencode

    lines = []
    base = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{port}"}
    for _local, cookies, token, mix in people:
        pages = [("GET", only, None)] if only else mix
        for method, url, data in pages:
            headers = {**base, "Cookie": cookies}
            body = "nil"
            if method == "POST":
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                headers["Referer"] = f"https://127.0.0.1:{port}{url}"
                body = lua_string(urlencode({**data, "csrfmiddlewaretoken": token}))
            hdrs = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
            lines.append(f"table.insert(reqs, wrk.format({lua_string(method)}, {lua_string(url)}, "
                         f"{{{hdrs}}}, {body}))")
    return "\n".join(lines)


def start_import(rows: int, tmp: str) -> None:
    """A CTDC import large enough to keep the worker busy, queued as the web page would."""
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from bench.bench_import import generate
    from bridgeway.demo.data import email
    from bridgeway.orgs.models import Membership
    from bridgeway.stats.services import job_create, job_start

    path = Path(tmp) / "ctdc.csv"
    generate(path, rows)
    actor = get_user_model().objects.get(email=email("supervisor.a"))
    org = Membership.objects.get(user=actor).organisation
    with open(path, "rb") as fh:
        upload = File(fh, name="ctdc.csv")
        upload.size = path.stat().st_size
        job = job_create(org=org, actor=actor, upload=upload, kind="ctdc", dry_run=False,
                         label="bench import")
    job_start(job)
    print(f"queued an import of {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB)")


def run_wrk(script: str, port: int, args, duration: int, tmp: str, name: str):
    path = Path(tmp) / f"{name}.lua"
    path.write_text(script, encoding="utf-8")
    proc = subprocess.Popen(
        ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{duration}s",
         "--timeout", "10s", "-s", str(path), f"http://127.0.0.1:{port}/"],
        stdout=subprocess.PIPE, text=True)
    _pid, status, usage = os.wait4(proc.pid, 0)
    output = proc.stdout.read() if proc.stdout else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    found = re.search(r"RESULT (.*)", output)
    if proc.returncode != 0 or not found:
        print(output)
        raise SystemExit(f"wrk failed ({proc.returncode})")
    result = {k: int(v) for k, v in (kv.split("=") for kv in found.group(1).split())}
    result["cpu"] = usage.ru_utime + usage.ru_stime
    return result


def page_label(method: str, path: str) -> str:
    if method == "POST" and path == "/cases/":
        return "name search (POST /cases/)"
    if re.fullmatch(r"/cases/[0-9a-f-]{36}/", path):
        return "case page"
    if re.fullmatch(r"/referrals/[0-9a-f-]{36}/", path):
        return "referral page"
    return {"/": "home", "/cases/": "case list", "/orgs/": "directory",
            "/referrals/": "referral list", "/stats/": "statistics",
            **dict(zip(CEILING_URLS, CEILING_LABELS, strict=True))}.get(path, path)


def per_page(log: Path, since: int) -> dict[str, dict]:
    pages: dict[str, dict] = {}
    with open(log, encoding="utf-8") as fh:
        fh.seek(since)
        for line in fh:
            method, path, status, micros = line.split()
            page = pages.setdefault(page_label(method, path), {"times": [], "errors": 0})
            page["times"].append(int(micros) / 1000)
            page["errors"] += status != "200"
    return pages


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_now(server_pid: int, database: str) -> dict[str, dict[int, float]]:
    """CPU seconds so far, per process, of gunicorn (master and workers) and of the PostgreSQL
    backends serving the bench database (the web workers' and the background worker's
    connections)."""
    app: dict[int, float] = {}
    db: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read().decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if int(entry) == server_pid or ppid == server_pid:
            app[int(entry)] = _cpu_seconds(int(entry))
        elif cmdline.startswith("postgres:") and f" {database} " in cmdline:
            db[int(entry)] = _cpu_seconds(int(entry))
    return {"app": app, "db": db}


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two snapshots (a process that ended in between is left out)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def drain(log: Path, quiet: float = 2.0, longest: float = 120.0) -> None:
    """Wait until gunicorn has answered what was still queued when wrk stopped (requests whose
    client had gone are still served): otherwise the next phase measures the last one's tail."""
    size, still, waited = log.stat().st_size, 0.0, 0.0
    while still < quiet and waited < longest:
        time.sleep(0.5)
        waited += 0.5
        now = log.stat().st_size
        still = still + 0.5 if now == size else 0.0
        size = now


def wait_up(port: int) -> None:
    for _ in range(600):  # two minutes: on a machine loaded by other work Django starts slowly
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=300, help="seconds of the mix")
    parser.add_argument("--ceiling-duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8719)
    parser.add_argument("--import-rows", type=int, default=400_000,
                        help="rows of the background import (0: none)")
    args = parser.parse_args()
    from django.db import connection

    assert connection.vendor == "postgresql", "set DATABASE_URL to the PostgreSQL demo database"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings_prod", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "access.log"
        log.touch()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "bridgeway.wsgi:application", "-w",
             str(args.workers), "-b", f"127.0.0.1:{args.port}", "--access-logfile", str(log),
             "--timeout", "120",  # start-up on a loaded machine can take longer than 30 s
             "--access-logformat", "%(m)s %(U)s %(s)s %(D)s", "--log-level", "warning"],
            cwd=ROOT, env=env)
        worker = subprocess.Popen([sys.executable, "manage.py", "worker"], cwd=ROOT,
                                  env={**env, "BRIDGEWAY_DB_STATEMENT_TIMEOUT_MS": "0"},
                                  stdout=subprocess.DEVNULL)
        try:
            wait_up(args.port)
            people = sessions(args.port)
            mix = LUA.replace("-- {body}", lua_requests(args.port, people))
            ceilings = {url: LUA.replace("-- {body}", lua_requests(args.port, people, url))
                        for url in CEILING_URLS}
            if args.import_rows:
                start_import(args.import_rows, tmp)
            database = connection.settings_dict["NAME"]
            load0 = os.getloadavg()[0]
            started = log.stat().st_size
            cpu = [cpu_now(server.pid, database)]
            print(f"mix: {args.duration} s, {args.connections} connections, {len(people)} "
                  f"sessions of {len(PEOPLE)} people; gunicorn {args.workers} sync workers; "
                  "worker running" + (" with an import" if args.import_rows else ""))
            loaded = run_wrk(mix, args.port, args, args.duration, tmp, "mix")
            drain(log)
            cpu.append(cpu_now(server.pid, database))
            between = log.stat().st_size
            load1 = os.getloadavg()[0]
            floors = {}
            for n, (url, script) in enumerate(ceilings.items()):
                floors[url] = run_wrk(script, args.port, args, args.ceiling_duration, tmp,
                                      f"ceiling{n}")
                drain(log)
                cpu.append(cpu_now(server.pid, database))
            time.sleep(0.5)
            pages = per_page(log, started)
            healthz = per_page(log, between)
        finally:
            for proc in (server, worker):
                proc.send_signal(signal.SIGTERM)
            for proc in (server, worker):
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
    report(args, loaded, floors, pages, healthz, load0, load1, cpu)


def report(args, loaded, floors, pages, healthz, load0, load1, cpu):
    def errors(r):
        return sum(r[k] for k in ("connect", "read", "write", "timeout", "status"))

    rps = loaded["requests"] / (loaded["duration_us"] / 1e6)
    mix_pages = {k: v for k, v in pages.items() if k not in CEILING_LABELS}
    print(f"\n{'page (server time, ms)':30} {'requests':>9} {'errors':>7} {'p50':>7} {'p95':>7} "
          f"{'p99':>7}")
    for label, page in sorted(mix_pages.items(), key=lambda kv: -len(kv[1]["times"])):
        t = page["times"]
        print(f"{label:30} {len(t):9,} {page['errors']:7} {statistics.median(t):7.1f} "
              f"{pct(t, .95):7.1f} {pct(t, .99):7.1f}")
    all_times = [t for p in mix_pages.values() for t in p["times"]]
    print(f"{'all pages':30} {len(all_times):9,} {sum(p['errors'] for p in mix_pages.values()):7}"
          f" {statistics.median(all_times):7.1f} {pct(all_times, .95):7.1f} "
          f"{pct(all_times, .99):7.1f}")
    for label in CEILING_LABELS:
        ht = healthz.get(label, {"times": [0.0], "errors": 0})
        print(f"{label:30} {len(ht['times']):9,} {ht['errors']:7} "
              f"{statistics.median(ht['times']):7.1f} {pct(ht['times'], .95):7.1f} "
              f"{pct(ht['times'], .99):7.1f}")
    print(f"\nmixed workload (as the generator saw it): {rps:,.1f} requests/s; latency p50 "
          f"{loaded['p50'] / 1000:.0f} ms, p95 {loaded['p95'] / 1000:.0f} ms, p99 "
          f"{loaded['p99'] / 1000:.0f} ms; errors {errors(loaded)} (socket "
          f"{errors(loaded) - loaded['status']}, status >= 400: {loaded['status']})")
    for url, floor in floors.items():
        ceiling = floor["requests"] / (floor["duration_us"] / 1e6)
        print(f"ceiling {CEILING_LABELS[CEILING_URLS.index(url)]}, same run: {ceiling:,.1f} "
              f"requests/s (p50 {floor['p50'] / 1000:.0f} ms, p95 {floor['p95'] / 1000:.0f} ms, "
              f"p99 {floor['p99'] / 1000:.0f} ms; errors {errors(floor)}; generator CPU "
              f"{floor['cpu'] / (floor['duration_us'] / 1e6) * 100:.0f}% of one core); "
              f"mix / ceiling = {rps / ceiling:.2f}")
    print(f"generator (wrk) CPU: {loaded['cpu']:.1f} s in {loaded['duration_us'] / 1e6:.0f} s of "
          f"the mix ({loaded['cpu'] / (loaded['duration_us'] / 1e6) * 100:.0f}% of one core); "
          f"load average {load0:.1f} before, {load1:.1f} after the mix; this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_utime:.1f} s CPU (set-up)")
    print("\nCPU per request (what two idle cores could serve does not depend on the load as the "
          "wall clock does; PostgreSQL includes the background import's connection):")
    phases = [("mix", loaded)] + [(CEILING_LABELS[CEILING_URLS.index(u)], f)
                                   for u, f in floors.items()]
    for n, (label, result) in enumerate(phases):
        done = max(result["requests"], 1)
        app = cpu_spent(cpu[n]["app"], cpu[n + 1]["app"]) / done * 1000
        db = cpu_spent(cpu[n]["db"], cpu[n + 1]["db"]) / done * 1000
        gen = result["cpu"] / done * 1000
        total = app + db + gen
        print(f"  {label:28} gunicorn {app:6.2f} ms + PostgreSQL {db:6.2f} ms + wrk {gen:5.2f} ms"
              f" = {total:6.2f} ms: at most {2000 / total:,.0f} requests/s on 2 idle cores")
    goal = rps >= 200 and loaded["p95"] <= 300_000 and errors(loaded) == 0
    print(f"goal (>= 200 requests/s, p95 <= 300 ms, 0 errors): {'met' if goal else 'NOT met'}")
    if errors(loaded) or any(errors(f) for f in floors.values()) or \
            any(p["errors"] for p in pages.values()):
        print("ERRORS: some requests failed (see above)", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
