"""A SCIM 2.0 client that does what Microsoft Entra ID's provisioning does, to try a Fagnett endpoint.

    python scripts/scim_client.py https://fagnett.example.no/scim/v2 check
    python scripts/scim_client.py https://fagnett.example.no/scim/v2 sync person.json
    python scripts/scim_client.py https://fagnett.example.no/scim/v2 deactivate kari.nordmann@stolav.no
    python scripts/scim_client.py https://fagnett.example.no/scim/v2 find 'externalId eq "…"'
    python scripts/scim_client.py https://fagnett.example.no/scim/v2 sync-group group.json

The key is read from the environment variable ``SCIM_TOKEN`` (never from the command line, which other users of
the machine can read). Each command prints a JSON transcript on stdout — every request and answer — and exits 1
when an answer is one Entra ID would log as a failure.

What Entra ID does, and this client with it:

- **check** ("Test connection"): ``GET /Users?filter=userName eq "<a random name>"``, which must answer 200 with an
  empty list.
- **sync** of one user from the directory (``person.json`` holds Entra ID's attributes: userPrincipalName,
  objectId, givenName, surname, displayName, mail, jobTitle, department, companyName, accountEnabled): it looks the
  user up by the matching attribute (``userName`` ← userPrincipalName); if nobody is found it POSTs the user with
  the attribute mappings below, otherwise it PATCHes, with ``Replace`` operations, each attribute whose value
  differs from the directory's.
- **deactivate**: a user unassigned from the app or disabled in the directory is PATCHed ``active: false``.
- **find**: ``GET /Users?filter=…``.
- **sync-group** (``group.json``: displayName, objectId and members by userPrincipalName): the group is looked up by
  ``displayName``; POSTed with its members, or PATCHed with ``Add``/``Remove`` on ``members``.

Attribute mappings (Entra ID's defaults, with objectId → externalId and companyName → organization as Fagnett's
OPERATIONS.md recommends)::

    userPrincipalName → userName          accountEnabled → active
    displayName → displayName             jobTitle → title
    mail → emails[type eq "work"].value   givenName → name.givenName
    surname → name.familyName             objectId → externalId
    department → enterprise:department    companyName → enterprise:organization
"""

import argparse
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import requests

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
CONTENT_TYPE = "application/scim+json"

#: Entra ID attribute → (SCIM PATCH path, how to read the current value from a SCIM User)
MAPPINGS: list[tuple[str, str, Any]] = [
    ("userPrincipalName", "userName", lambda u: u.get("userName")),
    ("accountEnabled", "active", lambda u: u.get("active")),
    ("displayName", "displayName", lambda u: u.get("displayName")),
    ("jobTitle", "title", lambda u: u.get("title") or None),
    ("mail", 'emails[type eq "work"].value', lambda u: next((e.get("value") for e in u.get("emails", [])), None)),
    ("givenName", "name.givenName", lambda u: (u.get("name") or {}).get("givenName") or None),
    ("surname", "name.familyName", lambda u: (u.get("name") or {}).get("familyName") or None),
    ("objectId", "externalId", lambda u: u.get("externalId")),
    ("department", f"{ENTERPRISE}:department", lambda u: (u.get(ENTERPRISE) or {}).get("department")),
    ("companyName", f"{ENTERPRISE}:organization", lambda u: (u.get(ENTERPRISE) or {}).get("organization")),
]


class Failure(Exception):
    """An answer Entra ID would log as a failed provisioning step."""


class Client:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "Accept": CONTENT_TYPE, "Content-Type": CONTENT_TYPE}
        )
        self.transcript: list[dict[str, Any]] = []

    def call(self, method: str, path: str, body: Any = None, *, expect: tuple[int, ...] = (200,), **params: str) -> Any:
        response = self.session.request(
            method,
            f"{self.base_url}{path}",
            params=params or None,
            data=json.dumps(body) if body is not None else None,
            timeout=30,
        )
        try:
            answer = response.json() if response.content else None
        except ValueError:
            answer = response.text
        self.transcript.append(
            {
                "method": method,
                "path": path,
                "params": params,
                "sent": body,
                "status": response.status_code,
                "content_type": response.headers.get("Content-Type", ""),
                "location": response.headers.get("Location", ""),
                "answer": answer,
            }
        )
        if response.status_code not in expect:
            raise Failure(f"{method} {path} answered {response.status_code}: {answer}")
        return answer

    # --- Users

    def find_users(self, query: str) -> list[dict[str, Any]]:
        answer = self.call("GET", "/Users", filter=query)
        resources: list[dict[str, Any]] = answer.get("Resources", [])
        if answer.get("totalResults") != len(resources):
            raise Failure(f"totalResults {answer.get('totalResults')} for {len(resources)} resources")
        return resources

    def check(self) -> None:
        if self.find_users(f'userName eq "Test_User_{uuid.uuid4()}"'):
            raise Failure("A user name nobody has was found.")

    def user_by_name(self, user_name: str) -> dict[str, Any] | None:
        found = self.find_users(f'userName eq "{user_name}"')
        if len(found) > 1:
            raise Failure(f"More than one user has the userName {user_name}.")
        return found[0] if found else None

    @staticmethod
    def new_user(source: dict[str, Any]) -> dict[str, Any]:
        """The POST body Entra ID sends for a user it creates."""
        body: dict[str, Any] = {
            "schemas": [CORE_USER, ENTERPRISE],
            "externalId": source["objectId"],
            "userName": source["userPrincipalName"],
            "active": bool(source.get("accountEnabled", True)),
            "displayName": source.get("displayName") or f"{source.get('givenName', '')} {source.get('surname', '')}",
            "meta": {"resourceType": "User"},
            "name": {
                "formatted": source.get("displayName", ""),
                "familyName": source.get("surname", ""),
                "givenName": source.get("givenName", ""),
            },
        }
        if source.get("jobTitle"):
            body["title"] = source["jobTitle"]
        if source.get("mail"):
            body["emails"] = [{"primary": True, "type": "work", "value": source["mail"]}]
        enterprise = {
            k: source[s] for s, k in (("department", "department"), ("companyName", "organization")) if source.get(s)
        }
        if enterprise:
            body[ENTERPRISE] = enterprise
        return body

    def sync(self, source: dict[str, Any]) -> dict[str, Any]:
        """One user as a provisioning cycle handles it: create, or patch what differs."""
        current = self.user_by_name(source["userPrincipalName"])
        if current is None:
            created: dict[str, Any] = self.call("POST", "/Users", self.new_user(source), expect=(201,))
            return created
        operations = []
        for attribute, path, read in MAPPINGS:
            if attribute not in source:
                continue
            wanted, now = source[attribute], read(current)
            if wanted != now:
                operations.append({"op": "Replace" if now is not None else "Add", "path": path, "value": wanted})
        if not operations:
            return current
        patched: dict[str, Any] = self.call(
            "PATCH", f"/Users/{current['id']}", {"schemas": [PATCH_OP], "Operations": operations}
        )
        return patched

    def deactivate(self, user_name: str) -> dict[str, Any]:
        current = self.user_by_name(user_name)
        if current is None:
            raise Failure(f"No user {user_name} to deactivate.")
        body = {"schemas": [PATCH_OP], "Operations": [{"op": "Replace", "path": "active", "value": False}]}
        patched: dict[str, Any] = self.call("PATCH", f"/Users/{current['id']}", body)
        if patched.get("active") is not False:
            raise Failure(f"{user_name} is still active after the PATCH.")
        return patched

    # --- Groups

    def sync_group(self, source: dict[str, Any]) -> dict[str, Any]:
        member_ids = []
        for user_name in source.get("members", []):
            user = self.user_by_name(user_name)
            if user is None:
                raise Failure(f"The member {user_name} is not provisioned.")
            member_ids.append(user["id"])
        found = self.call(
            "GET", "/Groups", filter=f'displayName eq "{source["displayName"]}"', excludedAttributes="members"
        )
        if not found["Resources"]:
            body = {
                "schemas": [CORE_GROUP],
                "externalId": source["objectId"],
                "displayName": source["displayName"],
                "members": [{"value": i} for i in member_ids],
            }
            created: dict[str, Any] = self.call("POST", "/Groups", body, expect=(201,))
            return created
        group_id = found["Resources"][0]["id"]
        current = {m["value"] for m in self.call("GET", f"/Groups/{group_id}").get("members", [])}
        operations = []
        if added := [i for i in member_ids if i not in current]:
            operations.append({"op": "Add", "path": "members", "value": [{"value": i} for i in added]})
        if removed := sorted(current - set(member_ids)):
            operations.append({"op": "Remove", "path": "members", "value": [{"value": i} for i in removed]})
        if not operations:
            return {"id": group_id}
        patched: dict[str, Any] = self.call(
            "PATCH", f"/Groups/{group_id}", {"schemas": [PATCH_OP], "Operations": operations}
        )
        return patched


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="the tenant URL, e.g. https://fagnett.example.no/scim/v2")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="Entra ID's test connection")
    sync = commands.add_parser("sync", help="create or update one user from a JSON file of Entra ID attributes")
    sync.add_argument("source", type=Path)
    deactivate = commands.add_parser("deactivate", help="deactivate a user by userName")
    deactivate.add_argument("user_name")
    find = commands.add_parser("find", help="list users matching a SCIM filter")
    find.add_argument("filter")
    group = commands.add_parser("sync-group", help="create or update one group from a JSON file")
    group.add_argument("source", type=Path)
    args = parser.parse_args(argv)

    token = os.environ.get("SCIM_TOKEN", "")
    if not token:
        parser.error("set SCIM_TOKEN to the region's provisioning key")
    client = Client(args.base_url, token)
    result: Any = None
    failure = ""
    try:
        if args.command == "check":
            client.check()
        elif args.command == "sync":
            result = client.sync(json.loads(args.source.read_text(encoding="utf-8")))
        elif args.command == "deactivate":
            result = client.deactivate(args.user_name)
        elif args.command == "find":
            result = client.find_users(args.filter)
        else:
            result = client.sync_group(json.loads(args.source.read_text(encoding="utf-8")))
    except (Failure, requests.RequestException) as error:
        failure = str(error)
    json.dump(
        {
            "command": args.command,
            "ok": not failure,
            "failure": failure,
            "result": result,
            "exchanges": client.transcript,
        },
        sys.stdout,
        ensure_ascii=False,
        indent=1,
    )
    sys.stdout.write("\n")
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
