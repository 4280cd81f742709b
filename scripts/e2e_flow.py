"""The production-like run's flow, driven over HTTP against gunicorn (started by scripts/e2e.sh).

A secretary uploads an agenda document and downloads it again, sends the meeting's invitation (which must
arrive at the loopback SMTP server through the job worker), and the coordinator asks for the regional annual
report's PDF, follows the job's progress page to the download and gets a real PDF. Plain ``requests``: what a
browser sends through the hospital's proxy (``X-Forwarded-Proto: https``, the Origin header for CSRF).
"""

import argparse
import html
import json
import mailbox
import re
import sys
import time
from typing import Any

import requests

DEMO_PASSWORD = "demo"  # noqa: S105 — the demo logins' password (fagnett/demo/data.py)


class Client:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.session = requests.Session()
        origin = "https://" + self.base.split("://", 1)[1]
        self.session.headers.update({"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + "/"})

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    def _cookies(self) -> dict[str, str]:
        # The session's cookies are Secure, and requests keeps those from plain HTTP; behind the TLS-terminating
        # proxy we stand in for, the browser sends them, so they go in the header by hand.
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.session.cookies)}

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.url(path), headers=self._cookies(), timeout=60, allow_redirects=False, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> requests.Response:
        payload = {"csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""), **(data or {})}
        return self.session.post(
            self.url(path), data=payload, headers=self._cookies(), timeout=60, allow_redirects=False, **kwargs
        )

    def follow(self, response: requests.Response) -> requests.Response:
        while response.status_code in (301, 302, 303):
            response = self.get(response.headers["Location"])
        return response

    def login(self, username: str) -> None:
        self.get("/accounts/login/")
        response = self.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        check(response.status_code == 302, f"{username} logs in", response)


def check(condition: bool, what: str, response: requests.Response | None = None) -> None:
    if not condition:
        detail = f" (HTTP {response.status_code} {response.url})" if response is not None else ""
        sys.exit(f"FAILED: {what}{detail}")
    print(f"ok  {what}")


def links(page: str, pattern: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'href="(' + pattern + r')"', page)]


def upload_and_download(secretary: Client, facts: dict[str, Any]) -> None:
    content = b"Agenda document for the production-like run.\n" * 20
    response = secretary.post(
        f"/agenda-items/{facts['item_id']}/documents/",
        files={"file": ("e2e-notat.txt", content, "text/plain")},
    )
    check(response.status_code == 302, "the secretary uploads an agenda document", response)
    page = secretary.follow(response).text
    documents = links(page, r"/documents/\d+/")
    check(bool(documents), "the meeting page links the document")
    downloads = [secretary.get(path) for path in documents]
    check(any(r.status_code == 200 and r.content == content for r in downloads), "the document downloads unchanged")
    stranger = Client(secretary.base)
    stranger.login("ansatt")
    check(stranger.get(documents[-1]).status_code == 404, "an employee outside the network gets 404 for it")


def invitation_arrives(secretary: Client, facts: dict[str, Any], mbox_path: str) -> None:
    response = secretary.post(f"/meetings/{facts['meeting_id']}/invite/")
    check(response.status_code == 302, "the secretary sends the invitation", response)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        received = [m for m in mailbox.Maildir(mbox_path, create=False) if m.get_content_type() != "text/x-none"]
        to = [address for m in received for address in str(m["To"]).split(",")]
        if any(facts["member_email"] in address for address in to):
            check(True, f"the invitation reached {facts['member_email']} through the job worker and SMTP")
            return
        time.sleep(1)
    check(False, f"the invitation reached {facts['member_email']} within 90 s")


def regional_report_pdf(coordinator: Client, facts: dict[str, Any]) -> None:
    report = f"/regions/{facts['region_id']}/annual-report/{facts['year']}/"
    started = time.monotonic()
    response = coordinator.post(report + "report.pdf")
    answered = time.monotonic() - started
    check(response.status_code in (302, 303), "the coordinator asks for the regional report's PDF", response)
    check(answered < 2, f"the request is answered at once ({answered * 1000:.0f} ms), the job does the work")
    progress = response.headers["Location"]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        page = coordinator.get(progress)
        if page.status_code != 200:
            check(False, "the progress page answers", page)
        found = links(page.text, r"/downloads/\d+/file")
        if found:
            pdf = coordinator.get(found[0])
            check(pdf.status_code == 200 and pdf.content.startswith(b"%PDF-"), "the finished PDF downloads", pdf)
            return
        if re.search(r"\b(failed|feilet)\b", page.text, re.IGNORECASE):
            check(False, "the report job finished without failing", page)
        time.sleep(1)
    check(False, "the report's PDF was ready within 180 s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--facts", required=True, help="JSON: meeting_id, item_id, member_email, region_id, year")
    args = parser.parse_args()
    facts = json.loads(args.facts)
    health = requests.get(args.base + "/healthz", timeout=10, headers={"X-Forwarded-Proto": "https"})
    check(health.status_code == 200, "/healthz answers", health)
    secretary = Client(args.base)
    secretary.login("sekretar")
    upload_and_download(secretary, facts)
    invitation_arrives(secretary, facts, args.maildir)
    coordinator = Client(args.base)
    coordinator.login("koordinator")
    regional_report_pdf(coordinator, facts)
    print("the production-like flow passed")


if __name__ == "__main__":
    main()
