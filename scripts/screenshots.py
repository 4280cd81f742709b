"""Take the README's (and later the user guide's) screenshots from a fresh demo.

Builds the demo in a temporary SQLite database, serves it on a free port on 127.0.0.1, logs in as the demo
people in Debian's Chromium and writes PNG files to docs/screenshots/. Run with `make screenshots`.

It also renders the first pages of the regional annual report's files, as kept at the demo's approval (core.kept):
the PDF with pdftoppm (poppler-utils), and the DOCX through its PDF made by LibreOffice (`soffice --headless
--convert-to pdf`, Debian's libreoffice-writer-nogui) when it is installed; otherwise it says so and skips the DOCX.
`--report-pages` does only that part.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# (file name, login, path or a function of the page that navigates)
SHOTS: list[tuple[str, str, str]] = [
    ("start-coordinator", "koordinator", "/"),
    ("network-list", "koordinator", "/networks/"),
    ("network-detail", "koordinator-nord", "network:Fagnettverk for ledere på intensivavdelinger"),
    ("mandate-history", "koordinator", "mandates:Anestesi og intensiv"),
    ("nominate", "fagsjef", "nominate:Geriatri"),
    ("nominations", "koordinator", "/nominations/"),
    ("meeting-detail", "sekretar", "meeting:Anestesi og intensiv"),
    ("meeting-overview", "koordinator", "/meetings/overview/?year=2025"),
    ("my-action-items", "medlem", "/action-items/"),
    ("case-detail", "fagdirektor-nord", "case:escalated"),
    ("capacity-dashboard", "leder-intensiv", "capacity:dashboard"),
    # A "#" target shows that part of a long page in a tall window instead of the whole page.
    ("annual-report", "koordinator", "/regions/1/annual-report/2025/#meetings"),
    ("annual-report-tasks", "koordinator", "/regions/1/annual-report/2025/#tasks"),
    ("network-annual-report", "leder", "network-report:Anestesi og intensiv"),
    ("task-progress", "fagdirektor", "/progress/"),
    ("events", "koordinator", "/events/"),
    ("funding", "koordinator", "/funding/"),
    # The user guide (docs/USER_GUIDE.md). An empty login takes the page logged out.
    ("guide-login", "", "/accounts/login/"),
    ("guide-cases-to-route", "koordinator", "/cases/to-route/"),
    ("guide-escalated-case", "fagdirektor", "escalated:Anestesi og intensiv"),
    ("guide-annual-report-approve", "fagdirektor", "/regions/1/annual-report/2025/#version-heading"),
    ("guide-meeting-agenda", "sekretar", "next-meeting:Anestesi og intensiv"),
    ("guide-minutes", "sekretar", "minutes:Anestesi og intensiv"),
    ("guide-calendar", "medlem", "/calendar/"),
    ("guide-funding-application", "fagsjef", "application:Palliasjon og lindrende behandling"),
    ("guide-submit-case", "ansatt", "/cases/new/"),
    ("guide-capacity-unit", "rapportor", "unit:Intensivavdelingen, UNN Tromsø"),
    ("guide-capacity-entry", "rapportor", "unit-entry:Intensivavdelingen, UNN Tromsø"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def network_id(env: dict[str, str], name: str) -> int:
    code = f"from fagnett.networks.models import Network; print(Network.objects.get(name={name!r}).pk)"
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def _shell_int(env: dict[str, str], code: str) -> int:
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def _shell_lines(env: dict[str, str], code: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()


def meeting_id(env: dict[str, str], name: str) -> int:
    code = (
        "from fagnett.meetings.models import Meeting; "
        f"print(Meeting.objects.filter(network__name={name!r}, status='held').latest('starts_at').pk)"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def resolve(env: dict[str, str], target: str) -> str:
    if target.startswith("/"):
        return target
    kind, name = target.split(":", 1)
    if kind == "case":
        code = f"from fagnett.cases.models import Case; print(Case.objects.filter(status={name!r}).first().pk)"
        return f"/cases/{_shell_int(env, code)}/"
    if kind == "capacity":
        code = (
            "from fagnett.capacity.models import ReportRound; "
            "print(ReportRound.objects.filter(status='closed').latest('pk').pk)"
        )
        return f"/capacity/rounds/{_shell_int(env, code)}/{name}/"
    if kind == "meeting":
        return f"/meetings/{meeting_id(env, name)}/"
    if kind == "next-meeting":
        code = (
            "from fagnett.meetings.models import Meeting; "
            f"print(Meeting.objects.filter(network__name={name!r}, status='invited').earliest('starts_at').pk)"
        )
        return f"/meetings/{_shell_int(env, code)}/"
    if kind == "minutes":
        code = (
            "from fagnett.meetings.models import Minutes; "
            f"m = Minutes.objects.filter(meeting__network__name={name!r}).latest('meeting__starts_at', 'version'); "
            "print(m.meeting_id); print(m.version)"
        )
        meeting, version = _shell_lines(env, code)[-2:]
        return f"/meetings/{meeting}/minutes/{version}/"
    if kind == "escalated":
        code = (
            "from fagnett.cases.models import Case; "
            f"print(Case.objects.filter(network__name={name!r}, status='escalated').first().pk)"
        )
        return f"/cases/{_shell_int(env, code)}/"
    if kind == "application":
        code = (
            "from django.db.models import Q; from fagnett.funding.models import Application; "
            f"print(Application.objects.filter(Q(network__name={name!r}) | Q(proposed_name={name!r})).latest('pk').pk)"
        )
        return f"/funding/applications/{_shell_int(env, code)}/"
    if kind in ("unit", "unit-entry"):
        # The unit of that name in the open round.
        code = (
            "from fagnett.capacity.models import ReportRound; from fagnett.organisations.models import Unit; "
            "print(ReportRound.objects.filter(status='open').latest('pk').pk); "
            f"print(Unit.objects.get(name={name!r}).pk)"
        )
        round_pk, unit_pk = _shell_lines(env, code)[-2:]
        url = f"/capacity/rounds/{round_pk}/units/{unit_pk}/"
        return url + "K2/normal/" if kind == "unit-entry" else url
    pk = network_id(env, name)
    return {
        "network": f"/networks/{pk}/",
        "mandates": f"/networks/{pk}/mandates/",
        "nominate": f"/networks/{pk}/nominate/",
        "network-report": f"/networks/{pk}/annual-report/2025/",
    }[kind]


def login(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


#: the pages of each file rendered, and the resolution (dots per inch) of the pictures
REPORT_PAGES = 3
REPORT_DPI = 60

KEEP_REPORT_FILES = """
from fagnett.core import kept
from fagnett.reports.models import RegionalReport
report = RegionalReport.objects.get(region__short_name="HMN", year=2024, status="approved")
kept.kept_make.call([row.pk for row in kept.kept_rows(report)])  # what the job worker does in `make run`
for kind in ("pdf", "docx"):
    row = kept.kept_file(report, kind)
    with open(f"{folder}/arsrapport.{kind}", "wb") as out:
        out.write(kept.kept_read(row))
    print(kind, row.sha256)
"""


def report_pages(env: dict[str, str], tmp: str) -> None:
    """The first pages of the approved 2024 report's kept PDF and DOCX as PNG files in docs/screenshots/."""
    if not shutil.which("pdftoppm"):
        sys.exit("pdftoppm is missing: apt-get install poppler-utils")
    folder = Path(tmp) / "report"
    folder.mkdir()
    for line in _shell_lines(env, KEEP_REPORT_FILES.replace("{folder}", str(folder))):
        if line.startswith(("pdf ", "docx ")):
            print("kept", line)
    _pages(folder / "arsrapport.pdf", "annual-report-pdf")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        print(
            "LibreOffice is not installed, so the DOCX's pages were not rendered "
            "(apt-get install --no-install-recommends libreoffice-writer-nogui)."
        )
        return
    # A profile of its own in the temporary folder: LibreOffice writes one on first start.
    converted = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{folder}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "docx"),
            str(folder / "arsrapport.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    pdf = folder / "docx" / "arsrapport.pdf"
    if converted.returncode != 0 or not pdf.exists():
        print("LibreOffice could not convert the DOCX, so its pages were not rendered:", converted.stderr.strip())
        return
    _pages(pdf, "annual-report-docx")


def _pages(pdf: Path, name: str) -> None:
    for old in OUT.glob(f"{name}-*.png"):
        old.unlink()
    prefix = OUT / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(REPORT_DPI), "-f", "1", "-l", str(REPORT_PAGES), str(pdf), str(prefix)],
        check=True,
    )
    for made in sorted(OUT.glob(f"{name}-*.png")):
        # pdftoppm numbers the pages with as many digits as the document's page count needs ("-01"); one digit.
        number = int(made.stem.rsplit("-", 1)[1])
        target = OUT / f"{name}-{number}.png"
        made.rename(target)
        print("wrote", target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report-pages", action="store_true", help="only the annual report's pages")
    only_report = parser.parse_args().report_pages
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "FAGNETT_MAIL_DIR": f"{tmp}/mail",
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([sys.executable, "manage.py", "load_demo", "--quiet-logins"], cwd=ROOT, env=env, check=True)
        report_pages(env, tmp)
        if only_report:
            return
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310 — our own loopback server
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="nb-NO")
                for name, username, target in SHOTS:
                    if username:
                        login(page, base, username)
                    else:
                        page.context.clear_cookies()
                    part = "#" in target
                    page.set_viewport_size({"width": 1280, "height": 1500 if part else 900})
                    page.goto(base + resolve(env, target))
                    page.screenshot(path=str(OUT / f"{name}.png"), full_page=not part)
                    print("wrote", OUT / f"{name}.png")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
