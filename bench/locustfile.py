"""Virtual users for the load and fault runs (locust). Started by ``bench/load.py``, which sets the environment:

``BENCH_MANIFEST``  the JSON from ``bench/world.py``: who logs in, their network, meeting, action items, cells
``BENCH_OUT``       folder for ``requests.jsonl`` (every request) and ``writes.jsonl`` (every write attempt and
                    whether the app acknowledged it), written when locust quits
``BENCH_RUN``       a short id that goes into every write's marker
``BENCH_DURATION``  seconds of load, counted from the moment the last virtual user has logged in

``BENCH_LOGINS``    how many logins may be in flight at once (default 5)

Every virtual user logs in once, as its own person, through the real login form, while the users are spawned;
at most ``BENCH_LOGINS`` at a time, as people arrive over minutes rather than all in one second. Logging in is
deliberately expensive (Argon2), so the users wait until everyone is in; then the measured load starts,
``measure.json`` is written (the start, for the fault injector) and locust stops ``BENCH_DURATION`` seconds
later. Writes go through the real
forms with their CSRF token; a write counts as *acknowledged* only when the app answers with the redirect it gives
on success (and the page it leads to shows the write). Anything but the expected status is an error; so is a
timeout (30 s, gunicorn's own limit) or a lost connection.

Run by hand (with a server and a manifest)::

    BENCH_MANIFEST=… BENCH_OUT=… BENCH_RUN=x locust -f bench/locustfile.py --headless -u 50 -r 10 -t 60s \\
        --host http://127.0.0.1:PORT
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any

import gevent
import gevent.event
import gevent.lock
import lxml.html
from locust import HttpUser, between, events, task

from bench.formdata import form_data

MANIFEST = json.loads(Path(os.environ["BENCH_MANIFEST"]).read_text())
OUT = Path(os.environ["BENCH_OUT"])
RUN = os.environ.get("BENCH_RUN", "run")
DURATION = float(os.environ.get("BENCH_DURATION", "60"))
TIMEOUT = 30
TOTAL_USERS = sum(len(people) for people in MANIFEST["users"].values())

REQUESTS: list[dict[str, Any]] = []
WRITES: list[dict[str, Any]] = []
_logins = {kind: iter(people) for kind, people in MANIFEST["users"].items()}
_sequence = itertools.count(1)
_ready = 0
_go = gevent.event.Event()
_logins_in_flight = gevent.lock.BoundedSemaphore(int(os.environ.get("BENCH_LOGINS", "5")))


def _everyone_logged_in(environment: Any) -> None:
    """Start the measured load now and end it ``DURATION`` seconds later."""
    _go.set()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "measure.json").write_text(json.dumps({"start": time.time(), "duration": DURATION}))
    gevent.spawn_later(DURATION, environment.runner.quit)


@events.request.add_listener
def _record(
    request_type: str,
    name: str,
    response_time: float,
    response: Any = None,
    exception: BaseException | None = None,
    start_time: float | None = None,
    **kwargs: Any,
) -> None:
    REQUESTS.append(
        {
            "t": start_time if start_time is not None else time.time() - response_time / 1000,
            "name": f"{request_type} {name}",
            "ms": round(response_time, 2),
            "status": getattr(response, "status_code", 0) or 0,
            "error": None if exception is None else f"{type(exception).__name__}: {exception}"[:300],
        }
    )


@events.quitting.add_listener
def _dump(**kwargs: Any) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "requests.jsonl").open("w") as f:
        f.writelines(json.dumps(r) + "\n" for r in REQUESTS)
    with (OUT / "writes.jsonl").open("w") as f:
        f.writelines(json.dumps(w) + "\n" for w in WRITES)


class FagnettUser(HttpUser):
    """One person: logs in once, then reads and writes as their role does."""

    abstract = True
    kind = ""
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        try:
            self.person: dict[str, Any] = next(_logins[self.kind])
        except StopIteration:
            raise RuntimeError(f"the manifest has too few {self.kind} logins for this many users") from None
        self.username = self.person["username"]
        self.logged_in = False
        for _attempt in range(20):
            with _logins_in_flight:
                self.login()
            if self.logged_in:
                break
            time.sleep(2)
        global _ready
        _ready += 1
        if _ready == TOTAL_USERS:
            _everyone_logged_in(self.environment)
        _go.wait()

    # --- plumbing ------------------------------------------------------------------------------------------------

    def login(self) -> None:
        """Log in through the form; retried by the next task if the server is down (fault run)."""
        page = self.client.get("/accounts/login/", name="/accounts/login/", timeout=TIMEOUT)
        if page.status_code != 200:
            return
        data = form_data(page.content, field="username")
        data.update(username=[self.username], password=[MANIFEST["password"]])
        with self.client.post(
            "/accounts/login/",
            data=data,
            name="/accounts/login/",
            allow_redirects=False,
            catch_response=True,
            timeout=TIMEOUT,
        ) as response:
            if response.status_code == 302 and "/accounts/login/" not in response.headers.get("Location", ""):
                self.logged_in = True
                response.success()
            else:
                response.failure(f"login failed for {self.username}: {response.status_code}")

    def read(self, path: str, name: str) -> bytes | None:
        """GET a page; it must answer 200 itself (a redirect to the login page would be an error)."""
        if not self.logged_in:
            self.login()
            return None
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True, timeout=TIMEOUT) as r:
            if r.status_code == 200:
                r.success()
                return bytes(r.content)
            r.failure(f"{r.status_code} for {path}")
            if r.status_code == 302 and "/accounts/login/" in r.headers.get("Location", ""):
                self.logged_in = False
            return None

    def write(
        self,
        kind: str,
        path: str,
        name: str,
        data: dict[str, list[str]],
        *,
        expect: str,
        record: dict[str, Any],
        shows: str | None = None,
    ) -> bool:
        """POST a form. Acknowledged when the app redirects to ``expect`` (a regex) and, with ``shows``, the page it
        leads to contains that text. Every attempt is recorded with whether it was acknowledged."""
        attempt = {"kind": kind, "user": self.username, "t": time.time(), "acknowledged": False, **record}
        WRITES.append(attempt)
        with self.client.post(
            path, data=data, name=name, allow_redirects=False, catch_response=True, timeout=TIMEOUT
        ) as r:
            location = r.headers.get("Location", "")
            if r.status_code == 302 and re.search(expect, location):
                r.success()
            else:
                r.failure(f"{kind} not accepted: {r.status_code} {location}".strip())
                return False
        attempt["acknowledged"] = True
        page = self.read(location, name=re.sub(r"\d+", "<id>", location))
        if shows is not None and page is not None and shows.encode() not in page:
            events.request.fire(
                request_type="CHECK",
                name=f"{kind} shown after saving",
                response_time=0,
                response_length=0,
                exception=AssertionError(f"{shows!r} not on {location}"),
            )
        return True

    def marker(self, kind: str) -> str:
        return f"bench {RUN} {kind} {self.username} n{next(_sequence):05d}"

    # --- shared reads and writes ------------------------------------------------------------------------------

    def start_page(self) -> None:
        self.read("/", "/")

    def network_list(self) -> None:
        self.read("/networks/", "/networks/")

    def network_detail(self) -> None:
        self.read(f"/networks/{self.person['network']}/", "/networks/<id>/")

    def case_list(self) -> None:
        self.read("/cases/", "/cases/")

    def meeting_detail(self) -> None:
        if self.person.get("meeting"):
            self.read(f"/meetings/{self.person['meeting']}/", "/meetings/<id>/")

    def submit_case(self) -> None:
        page = self.read(f"/cases/new/?network={self.person['network']}", "/cases/new/")
        if page is None:
            return
        marker = self.marker("case")
        data = form_data(page, field="title")
        data.update(
            network=[str(self.person["network"])],
            title=[marker],
            description=["Belastningstest: en sak meldt gjennom skjemaet, som en ansatt ville gjort."],
            wanted=["Råd fra nettverket."],
        )
        self.write(
            "case",
            "/cases/new/",
            "/cases/new/",
            data,
            expect=r"/cases/\d+/$",
            record={"marker": marker},
            shows=marker,
        )


class NetworkOfficer(FagnettUser):
    """A network's leader or secretary."""

    kind = "officer"
    fixed_count = len(MANIFEST["users"]["officer"])

    def on_start(self) -> None:
        super().on_start()
        self.open_items = list(self.person["action_items"])
        self.done_items: list[int] = []

    @task(3)
    def home(self) -> None:
        self.start_page()

    @task(2)
    def networks(self) -> None:
        self.network_list()

    @task(3)
    def network(self) -> None:
        self.network_detail()

    @task(2)
    def cases(self) -> None:
        self.case_list()

    @task(2)
    def meeting(self) -> None:
        self.meeting_detail()

    @task(2)
    def my_action_items(self) -> None:
        self.read("/action-items/", "/action-items/")

    @task(1)
    def case(self) -> None:
        self.submit_case()

    @task(2)
    def action_item(self) -> None:
        """Close one of my action items with what was done (the form *My action items* leads to); when all are
        done, open one again from the network's follow-up register."""
        if self.open_items:
            item = self.open_items[0]
            path = f"/action-items/{item}/close/"
            page = self.read(path, "/action-items/<id>/close/")
            if page is None:
                return
            try:
                data = form_data(page, field="done_note")
            except LookupError:  # done already: a write whose answer was lost (fault run) was saved after all
                self.open_items.remove(item)
                self.done_items.append(item)
                return
            data["done_note"] = [f"bench {self.username}: done"]
            data["next"] = ["/action-items/"]
            done, name, expect = True, "/action-items/<id>/close/", r"/action-items/$"
        else:
            item = self.done_items[0]
            path = f"/action-items/{item}/reopen/"
            page = self.read(f"/networks/{self.person['network']}/follow-up/?status=done", "/networks/<id>/follow-up/")
            if page is None:
                return
            try:
                data = form_data(page, action=path)
            except LookupError:  # open already: a reopening whose answer was lost was saved after all
                self.done_items.remove(item)
                self.open_items.append(item)
                return
            done, name, expect = False, "/action-items/<id>/reopen/", r"/follow-up/"
        if self.write("action_item", path, name, data, expect=expect, record={"item": item, "done": done}):
            (self.open_items if done else self.done_items).remove(item)
            (self.done_items if done else self.open_items).append(item)

    @task(1)
    def attendance(self) -> None:
        meeting = self.person["meeting"]
        page = self.read(f"/meetings/{meeting}/attendance/", "/meetings/<id>/attendance/")
        if page is None:
            return
        data = form_data(page, field="person_")
        document = lxml.html.fromstring(page)
        people = sorted({i.get("name") for i in document.xpath("//input[@type='radio']") if i.get("name")})
        for name in people:
            data[name] = [random.choice(["present", "present", "present", "absent", "excused"])]
        self.write(
            "attendance",
            f"/meetings/{meeting}/attendance/",
            "/meetings/<id>/attendance/",
            data,
            expect=rf"/meetings/{meeting}/$",
            record={"meeting": meeting, "people": len(people)},
        )


class CapacityReporter(FagnettUser):
    """A trust's ICU capacity reporter."""

    kind = "reporter"
    fixed_count = len(MANIFEST["users"]["reporter"])

    @task(1)
    def home(self) -> None:
        self.start_page()

    @task(3)
    def dashboard(self) -> None:
        self.read(f"/capacity/rounds/{self.person['round']}/dashboard/", "/capacity/rounds/<id>/dashboard/")

    @task(1)
    def round_page(self) -> None:
        self.read(f"/capacity/rounds/{self.person['round']}/", "/capacity/rounds/<id>/")

    @task(3)
    def capacity_entry(self) -> None:
        unit, category, scenario = random.choice(self.person["cells"])
        path = f"/capacity/rounds/{self.person['round']}/units/{unit}/{category}/{scenario}/"
        page = self.read(path, "/capacity/rounds/<id>/units/<id>/<category>/<scenario>/")
        if page is None:
            return
        marker = self.marker("capacity")
        data = form_data(page, field="comment")
        data.update(comment=[marker], confirm_jumps=["on"])
        self.write(
            "capacity",
            path,
            "/capacity/rounds/<id>/units/<id>/<category>/<scenario>/",
            data,
            expect=rf"/capacity/rounds/{self.person['round']}/units/{unit}/$",
            record={"marker": marker},
        )


class RegionalStaff(FagnettUser):
    """A regional coordinator or medical director."""

    kind = "regional"
    fixed_count = len(MANIFEST["users"]["regional"])

    @task(3)
    def home(self) -> None:
        self.start_page()

    @task(2)
    def networks(self) -> None:
        self.network_list()

    @task(2)
    def network(self) -> None:
        self.network_detail()

    @task(3)
    def cases(self) -> None:
        self.case_list()

    @task(1)
    def meeting(self) -> None:
        self.meeting_detail()

    @task(1)
    def dashboard(self) -> None:
        if self.person.get("round"):
            self.read(f"/capacity/rounds/{self.person['round']}/dashboard/", "/capacity/rounds/<id>/dashboard/")

    @task(1)
    def case(self) -> None:
        self.submit_case()
