"""Issue 19: the regional annual report's PDF as a background job, at national scale.

    python -m bench.jobs                 # make bench-jobs; writes its section of bench/RESULTS.md
    python -m bench.jobs --no-results    # print the section instead

A throwaway PostgreSQL (``bench/servers.py``) is migrated and filled with the national data (``bench/generate.py``,
``--scale``/``--seed`` as bench-pages). gunicorn (sync workers, ``config.settings.bench``: the database tasks
backend of production) serves it on 127.0.0.1. As the region's coordinator, over HTTP:

1. **asking for the PDF**: the report page's button (a POST with the CSRF token) ``--times`` times; each answer
   must be the redirect to the download's page. Target: < 200 ms, the request only records the job.
2. **the job**: one ``manage.py db_worker`` is started, and the first download's page is polled until it offers
   the file, which is downloaded and checked (``%PDF``). The time from the worker's start is what the person waits
   (plus the worker's start-up, which a running worker does not have).
3. **the approved version**: region 1's report for last year is approved (``services.regional_report_approve``,
   in a ``manage.py`` process) and its files are made as the job after the approval makes them; its PDF is then
   downloaded ``--times`` times through the plain link. Target: < 1 s.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import pages, servers

ROOT = servers.ROOT
WORK = ROOT / "var" / "bench"
REQUEST_TARGET_MS = 200
APPROVED_TARGET_S = 1.0

APPROVE = """
import json, time
import django
django.setup()
from django.utils import timezone
from fagnett.accounts.models import RegionRole, User
from fagnett.reports import services
from fagnett.core import kept
from fagnett.organisations.models import Region
from fagnett.reports.models import RegionalReport

region_id, year = {region}, {year}
coordinator = User.objects.get(username="bench-koordinator-1")
director = RegionRole.objects.filter(region_id=region_id, role=RegionRole.Role.MEDICAL_DIRECTOR).first().user
report = RegionalReport.objects.filter(region_id=region_id, year=year).order_by("-version").first()
if report is None:
    report = services.regional_report_start(user=coordinator, region=Region.objects.get(pk=region_id), year=year)
if not report.is_locked:
    report = services.regional_report_approve(
        user=director, report=report, approved_on=timezone.localdate(), approved_by_body="Fagdirektørmøtet"
    )
started = time.monotonic()
kept.kept_make.call(list(kept.kept_rows(report).exclude(state="kept").values_list("pk", flat=True)))
print(json.dumps({{"version": report.version, "files_s": time.monotonic() - started}}))
"""


def session_for(base: str, user: str) -> requests.Session:
    session = requests.Session()
    session.headers["Cookie"] = pages.login(base, user)
    return session


def csrf_token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=60)
    page.raise_for_status()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not found:
        raise RuntimeError(f"no CSRF token on {url}")
    # The token's cookie came with the page; the session's Cookie header must carry it too.
    cookie = page.cookies.get("csrftoken") or session.cookies.get("csrftoken")
    if cookie:
        session.headers["Cookie"] += f"; csrftoken={cookie}"
    return found.group(1)


def run(args: argparse.Namespace) -> dict[str, Any]:
    servers.install_signal_handlers()
    WORK.mkdir(parents=True, exist_ok=True)
    media = WORK / "jobs-media"
    shutil.rmtree(media, ignore_errors=True)
    result: dict[str, Any] = {"machine": []}
    with servers.postgres() as pg, tempfile.TemporaryDirectory(prefix="fagnett-bench-jobs.") as tmp:
        database_url = servers.create_database(pg)
        result["machine"] = pages.machine(pg.version())
        print("Migrating and generating the national data …", flush=True)
        pages.migrate(database_url)
        generated = pages.generate(database_url, scale=args.scale, seed=args.seed)
        print(f"  generated in {generated.seconds:.0f} s", flush=True)
        targets = json.loads(servers.python(database_url, str(pages.GENERATE), "--targets"))
        result["targets"] = targets
        env = {"FAGNETT_MEDIA_ROOT": str(media)}
        with servers.gunicorn(database_url, workers=2, env=env, log_dir=Path(tmp)) as app:
            base = app.base_url
            session = session_for(base, pages.username("koordinator"))
            report = f"{base}/regions/{targets['region']}/annual-report/{targets['last_year']}/"
            token = csrf_token(session, report)
            pages.settle()
            asked: list[float] = []
            locations: list[str] = []
            for _ in range(args.times):
                started = time.monotonic()
                answer = session.post(
                    report + "report.pdf",
                    data={"csrfmiddlewaretoken": token},
                    headers={"Referer": report},
                    allow_redirects=False,
                    timeout=60,
                )
                asked.append(time.monotonic() - started)
                if answer.status_code != 302 or "/downloads/" not in answer.headers.get("Location", ""):
                    raise RuntimeError(f"asking for the PDF answered {answer.status_code}: {answer.text[:300]}")
                locations.append(answer.headers["Location"])
            result["asked_s"] = asked
            print(f"  asked: p50 {statistics.median(asked) * 1000:.0f} ms, max {max(asked) * 1000:.0f} ms", flush=True)

            # One worker makes the first of them; the rest stay queued and are thrown away with the database.
            worker_log = (Path(tmp) / "worker.log").open("wb")
            worker = subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay"],
                cwd=ROOT,
                env=servers.bench_env(database_url, **env),
                stdout=worker_log,
                stderr=subprocess.STDOUT,
            )
            try:
                started = time.monotonic()
                first = locations[0] if locations[0].startswith("http") else base + locations[0]
                while True:
                    part = session.get(first, headers={"HX-Request": "true"}, timeout=60).text
                    link = re.search(r'href="(/downloads/\d+/file)"', part)
                    if link:
                        break
                    if "Feilet" in part or "Failed" in part:
                        raise RuntimeError(f"the job failed: {part[:500]}")
                    if time.monotonic() - started > 600:
                        raise RuntimeError("the job did not finish in 600 s")
                    time.sleep(0.5)
                result["job_s"] = time.monotonic() - started
                pdf = session.get(base + link.group(1), timeout=60)
                if not pdf.content.startswith(b"%PDF"):
                    raise RuntimeError("the job's file is not a PDF")
                result["job_bytes"] = len(pdf.content)
                print(f"  the job's file after {result['job_s']:.1f} s ({len(pdf.content)} bytes)", flush=True)
            finally:
                worker.terminate()
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()

            print("Approving the report and making its files …", flush=True)
            # The bench environment with the run's media folder: the files must be where gunicorn reads them.
            made = subprocess.run(
                [servers.PYTHON, "-c", APPROVE.format(region=targets["region"], year=targets["last_year"])],
                cwd=ROOT,
                env=servers.bench_env(database_url, **env),
                capture_output=True,
                text=True,
                timeout=900,
                check=True,
            )
            approved = json.loads(made.stdout.strip().splitlines()[-1])
            result["approval"] = approved
            pages.settle()
            downloads: list[float] = []
            for _ in range(args.times):
                started = time.monotonic()
                answer = session.get(f"{report}report.pdf?version={approved['version']}", timeout=60)
                downloads.append(time.monotonic() - started)
                if answer.status_code != 200 or not answer.content.startswith(b"%PDF"):
                    raise RuntimeError(f"the approved PDF answered {answer.status_code}")
            result["approved_s"] = downloads
            result["approved_bytes"] = len(answer.content)
            print(
                f"  approved PDF: p50 {statistics.median(downloads) * 1000:.0f} ms, max {max(downloads) * 1000:.0f} ms",
                flush=True,
            )
    (WORK / "jobs.json").write_text(json.dumps(result, indent=1))
    return result


def section(result: dict[str, Any], args: argparse.Namespace) -> list[str]:
    asked, approved = result["asked_s"], result["approved_s"]
    ok_asked = max(asked) * 1000 < REQUEST_TARGET_MS
    ok_approved = max(approved) < APPROVED_TARGET_S
    return [
        f"Measured {pages.today()} with `make bench-jobs` (`bench/jobs.py`): the national data "
        f"(`bench/generate.py --scale {args.scale} --seed {args.seed}`) on a throwaway PostgreSQL, gunicorn (2 sync "
        "workers, `config.settings.bench`, the database tasks backend) on 127.0.0.1, over HTTP as region 1's "
        f"coordinator; {result['targets']['region_networks']} networks in the report.",
        "",
        *result["machine"],
        "",
        "| what | p50 | max | target |",
        "|---|---:|---:|---|",
        f"| asking for the regional report's PDF (the POST, answered with the download's page), {len(asked)} times "
        f"| {statistics.median(asked) * 1000:.0f} ms | {max(asked) * 1000:.0f} ms | < {REQUEST_TARGET_MS} ms "
        f"{pages.verdict(ok_asked)} |",
        f"| the job's PDF ready, from a worker's start (one worker, polled every 0.5 s) | {result['job_s']:.1f} s | "
        f"| – |",
        f"| the approved version's PDF ({result['approved_bytes'] // 1024} KB), downloaded {len(approved)} times "
        f"| {statistics.median(approved) * 1000:.0f} ms | {max(approved) * 1000:.0f} ms | < {APPROVED_TARGET_S:g} s "
        f"{pages.verdict(ok_approved)} |",
        f"| making the approved version's PDF and DOCX once (the job after the approval) "
        f"| {result['approval']['files_s']:.1f} s | | – |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--no-results", action="store_true", help="print the section instead of writing it")
    args = parser.parse_args()
    result = run(args)
    lines = section(result, args)
    if args.no_results:
        print("\n".join(lines))
    else:
        pages.write_section("jobs", "Background jobs: the regional report's PDF (issue 19)", lines)
        print("\n".join(lines))


if __name__ == "__main__":
    main()
