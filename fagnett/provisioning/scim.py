"""SCIM 2.0 (RFC 7643/7644) for Microsoft Entra ID: the region's people and groups, with django-scim2.

django-scim2 gives the protocol: the views' request handling and error documents, the PATCH and filter grammar
(scim2-filter-parser), the discovery endpoints and the published schemas. What is Fagnett's own is here:

- **Scope.** A request carries a region's key (``scim_auth``); every read and write reaches only the people of the
  region's trusts and of the RHF itself (``selectors.scim_people``), and only the region's groups. Anyone else's id
  is "not found".
- **Users** are Fagnett's people. ``id`` is the person's number, ``userName`` their username, ``externalId`` the
  provider's id for them (``ProvisionedPerson``). A person is created as an employee of the trust that the
  enterprise extension's ``organization`` or ``department``, or the e-mail domain, names in the region
  (``organisations.TrustIdentity``), with no role; ``active: false`` closes their access at once (sessions end,
  their calendar addresses are revoked) and a DELETE does the same: their records and history stay.
  ``userName eq`` also finds a person by e-mail address, so people who were in Fagnett before provisioning are found
  and linked instead of created twice.
- **Groups** are accepted and kept (name, members) so the coordinator sees what the provider sends; they give no
  role. Turning a directory group into a coordinator or a fagsjef is a decision with consequences (who reads
  restricted cases, who appoints) that the coordinator takes in Fagnett, so a later mapping to roles starts here.
- **Filters** become database queries (``filter_q``): ``eq ne co sw ew pr gt ge lt le``, ``and``, ``or``, ``not`` on
  the attributes listed in ``USER_FILTERS`` and ``GROUP_FILTERS``; anything else is ``invalidFilter``, not ignored.
- **Attributes Fagnett does not keep** (phone numbers, addresses, manager…) are accepted and ignored, as RFC 7644
  lets a service provider do, so Entra ID's default attribute mappings work unchanged.
"""

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_scim import exceptions
from django_scim import views as scim_views
from django_scim.adapters import SCIMGroup, SCIMUser
from django_scim.constants import SCIM_CONTENT_TYPE, SchemaURI
from django_scim.models import SCIMServiceProviderConfig
from django_scim.schemas import ALL as PUBLISHED_SCHEMAS
from django_scim.utils import get_base_scim_location_getter
from scim2_filter_parser import ast as scim_ast
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError

from fagnett.accounts.models import User
from fagnett.provisioning import selectors, services
from fagnett.provisioning.models import ProvisionedPerson, ScimGroup, ScimToken

#: The most resources one list answer holds (``count`` above it is lowered to it).
MAX_RESULTS = 500
DEFAULT_COUNT = 100
USER, GROUP, ENTERPRISE = SchemaURI.USER, SchemaURI.GROUP, SchemaURI.ENTERPRISE_USER


class ScimError(exceptions.SCIMException):
    """An error document as RFC 7644 §3.12 has it: ``status`` is a string, ``scimType`` where one applies."""

    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = {"schemas": [SchemaURI.ERROR], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            document["scimType"] = self.scim_type
        return document


def bad_request(detail: str, scim_type: str = "invalidValue") -> ScimError:
    return ScimError(detail, status=400, scim_type=scim_type)


def not_found(resource_id: Any) -> ScimError:
    return ScimError(f"Resource {resource_id} not found.", status=404)


def from_service(error: services.ProvisioningError) -> ScimError:
    return ScimError(error.detail, status=error.status, scim_type=error.scim_type or None)


def _token(request: HttpRequest) -> ScimToken:
    return request.scim_token  # type: ignore[attr-defined]


def _attributes_of(schema_id: str) -> set[str]:
    schema = next(s for s in PUBLISHED_SCHEMAS if s["id"] == schema_id)
    return {attribute["name"].lower() for attribute in schema["attributes"]}


#: What RFC 7643 defines for a User (core and enterprise): what Fagnett does not keep is accepted and ignored.
KNOWN_USER_ATTRIBUTES = _attributes_of(USER) | {"externalid", "id", "meta", "schemas"}
KNOWN_ENTERPRISE_ATTRIBUTES = _attributes_of(ENTERPRISE)


# --- Values --------------------------------------------------------------------------------------------------------


def as_text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise bad_request(f"{name} must be a string.")


def as_bool(value: Any, name: str) -> bool:
    """A boolean; also the strings "True" and "False", which Entra ID has sent for ``active``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise bad_request(f"{name} must be true or false.")


def primary_email(value: Any) -> str:
    """The work or primary address of an ``emails`` value (a list of objects, or one object)."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise bad_request("emails must be a list of objects with a value.")
    ranked = sorted(
        (item for item in value if as_text(item.get("value"), "emails.value")),
        key=lambda item: (not item.get("primary"), item.get("type") != "work"),
    )
    return as_text(ranked[0].get("value"), "emails.value") if ranked else ""


# --- Filters -------------------------------------------------------------------------------------------------------

#: (attribute, sub-attribute) → (the fields compared, case-insensitive?, kind of value)
FilterField = tuple[tuple[str, ...], bool, str]
USER_FILTERS: dict[tuple[str, str | None], FilterField] = {
    ("id", None): (("pk",), False, "id"),
    # A person who was in Fagnett before provisioning is found by the address the provider has as their userName.
    ("username", None): (("username", "email"), True, "text"),
    ("externalid", None): (("provisioning__external_id",), False, "text"),
    ("active", None): (("is_active",), False, "bool"),
    ("name", "givenname"): (("first_name",), True, "text"),
    ("name", "familyname"): (("last_name",), True, "text"),
    ("emails", None): (("email",), True, "text"),
    ("emails", "value"): (("email",), True, "text"),
    ("title", None): (("title",), True, "text"),
}
GROUP_FILTERS: dict[tuple[str, str | None], FilterField] = {
    ("id", None): (("pk",), False, "id"),
    ("displayname", None): (("display_name",), True, "text"),
    ("externalid", None): (("external_id",), False, "text"),
    ("members", None): (("members__pk",), False, "id"),
    ("members", "value"): (("members__pk",), False, "id"),
}
_LOOKUPS = {
    "eq": "",
    "co": "contains",
    "sw": "startswith",
    "ew": "endswith",
    "gt": "gt",
    "ge": "gte",
    "lt": "lt",
    "le": "lte",
}


def _comparison(fields: FilterField, op: str, raw: str | None) -> Q:
    names, case_insensitive, kind = fields
    if op == "pr":
        if kind != "text":
            return Q()  # a person always has an id and is active or not
        present = Q(pk__in=[])
        for name in names:
            present |= Q(**{f"{name}__gt": ""})  # neither empty nor null
        return present
    value: Any = raw if raw is not None else ""
    if kind == "bool":
        if op not in {"eq", "ne"}:
            raise bad_request(f"{op} does not compare true and false.", "invalidFilter")
        value = as_bool(value, "The value")
    elif kind == "id":
        if op not in {"eq", "ne"}:
            raise bad_request(f"{op} does not compare ids.", "invalidFilter")
        if not (str(value).isascii() and str(value).isdigit()):
            return Q(pk__in=[]) if op == "eq" else Q()
        value = int(value)
    elif case_insensitive:
        value = str(value).lower()
    result = Q(pk__in=[])
    for name in names:
        lookup = _LOOKUPS["eq" if op == "ne" else op]
        path = f"{name}__lower" if kind == "text" and case_insensitive else name
        result |= Q(**{f"{path}__{lookup}" if lookup else path: value})
    return ~result if op == "ne" else result


def _attribute_key(path: Any, namespace: Any = None) -> tuple[str, str | None]:
    """(attribute, sub-attribute) in lower case, with the namespace of ``emails[…]`` in front."""
    if path.uri and path.uri not in (USER, GROUP):
        raise bad_request(f"Fagnett does not search by {path.uri}:{path.attr_name}.", "invalidFilter")
    name = str(path.attr_name).lower()
    sub = str(path.sub_attr.value).lower() if path.sub_attr else None
    if namespace is not None:
        return str(namespace.attr_name).lower(), name
    return name, sub


def filter_q(query: str, fields: dict[tuple[str, str | None], FilterField]) -> Q:
    """The filter ``query`` as a ``Q`` over ``fields``; ``invalidFilter`` for what cannot be read or searched."""
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(query))
    except (SCIMParserError, ValueError, AttributeError, TypeError) as error:
        raise bad_request(f"The filter cannot be read: {query}", "invalidFilter") from error
    if tree is None:
        raise bad_request(f"The filter cannot be read: {query}", "invalidFilter")

    def visit(node: Any, namespace: Any = None) -> Q:
        if isinstance(node, scim_ast.Filter):
            inner = visit(node.expr, node.namespace or namespace)
            return ~inner if node.negated else inner
        if isinstance(node, scim_ast.LogExpr):
            left, right = visit(node.expr1, namespace), visit(node.expr2, namespace)
            return left & right if node.op.lower() == "and" else left | right
        if isinstance(node, scim_ast.AttrExpr):
            if not isinstance(node.attr_path.attr_name, str):
                raise bad_request("Fagnett does not search inside such a path.", "invalidFilter")
            key = _attribute_key(node.attr_path, namespace)
            if key not in fields:
                sub = node.attr_path.sub_attr.value if node.attr_path.sub_attr else ""
                name = ".".join(
                    str(part) for part in (namespace and namespace.attr_name, node.attr_path.attr_name, sub) if part
                )
                raise bad_request(f"Fagnett does not search by {name}.", "invalidFilter")
            op = node.value.lower()
            if op not in {*_LOOKUPS, "ne", "pr"}:
                raise bad_request(f"Unknown operator {op}.", "invalidFilter")
            return _comparison(fields[key], op, node.comp_value.value if node.comp_value else None)
        raise bad_request("The filter cannot be read.", "invalidFilter")

    return visit(tree)


# --- Shaping answers -----------------------------------------------------------------------------------------------

_ALWAYS_RETURNED = {"id", "schemas", "meta"}


def shaped(document: dict[str, Any], request: HttpRequest) -> dict[str, Any]:
    """``attributes`` and ``excludedAttributes`` (RFC 7644 §3.4.2.5) on top-level attributes."""
    wanted = {a.strip().lower() for a in request.GET.get("attributes", "").split(",") if a.strip()}
    excluded = {a.strip().lower() for a in request.GET.get("excludedAttributes", "").split(",") if a.strip()}
    if not (wanted or excluded):
        return document
    return {
        name: value
        for name, value in document.items()
        if name.lower() in _ALWAYS_RETURNED or ((not wanted or name.lower() in wanted) and name.lower() not in excluded)
    }


def _location(url_name: str, resource_id: Any, request: HttpRequest | None) -> str:
    base = get_base_scim_location_getter()(request)
    return urljoin(base, reverse(url_name, kwargs={"uuid": str(resource_id)}))


# --- Adapters ------------------------------------------------------------------------------------------------------


class PatchPath:
    """A PATCH path read with django-scim2's grammar: attribute, sub-attribute, schema URI and value filter."""

    def __init__(self, adapter: Any, path: str) -> None:
        try:
            parsed = adapter.split_path(path)
        except exceptions.SCIMException:
            raise
        except Exception as error:  # the parser's own errors name nothing useful to the provider
            raise bad_request(f"The path cannot be read: {path}", "invalidPath") from error
        first = parsed.first_path
        self.raw = path
        self.uri = first.uri
        self.name = str(first.attr_name).lower()
        self.sub = str(first.sub_attr).lower() if first.sub_attr else None
        self.filtered = parsed.is_complex
        self.filter_values = {
            (p.attr_name, p.sub_attr): v for p, v in parsed.params_by_attr_paths.items() if v is not None
        }
        if self.filtered:  # emails[type eq "work"].value: the last part says which sub-attribute is set
            last = list(parsed)[-1]
            self.sub = str(last.sub_attr).lower() if last.sub_attr else None


class PersonAdapter(SCIMUser):
    """A person of the key's region as a SCIM User."""

    obj: Any
    id_field = "pk"
    url_name = "scim:users"
    # The paths whose value filters are read (``emails[type eq "work"]``); everything else is read by name.
    ATTR_MAP = {("emails", "type", None): "email_type", ("emails", "value", None): "email"}

    def __init__(self, obj: User, request: HttpRequest | None = None) -> None:
        super().__init__(obj, request)
        self.values = services.PersonValues()

    @property
    def location(self) -> str:
        return _location(self.url_name, self.obj.pk, self._request)

    def to_dict(self) -> dict[str, Any]:
        person: User = self.obj
        link: ProvisionedPerson | None = getattr(person, "provisioning", None)
        employer = person.trust or person.region_employer
        document: dict[str, Any] = {
            "schemas": [USER, ENTERPRISE],
            "id": str(person.pk),
            "userName": person.username,
            "name": {
                "givenName": person.first_name,
                "familyName": person.last_name,
                "formatted": person.get_full_name(),
            },
            "displayName": person.get_full_name() or person.username,
            "title": person.title,
            "active": person.is_active,
            "emails": [{"value": person.email, "type": "work", "primary": True}] if person.email else [],
            "groups": [
                {
                    "value": str(group.pk),
                    "$ref": _location("scim:groups", group.pk, self._request),
                    "display": str(group),
                }
                for group in person.scim_groups.all()
            ],
            ENTERPRISE: {
                key: value
                for key, value in (
                    ("organization", str(employer) if employer else ""),
                    ("department", link.department if link is not None else ""),
                )
                if value
            },
            "meta": {
                "resourceType": "User",
                "created": person.date_joined.isoformat(),
                "lastModified": (getattr(person, "last_changed_at", None) or person.date_joined).isoformat(),
                "location": self.location,
            },
        }
        if link is not None and link.external_id:
            document["externalId"] = link.external_id
        return document

    @classmethod
    def resource_type_dict(cls, request: HttpRequest | None = None) -> dict[str, Any]:
        document: dict[str, Any] = super().resource_type_dict(request)
        document["schemaExtensions"] = [{"schema": ENTERPRISE, "required": False}]
        return document

    def validate_dict(self, d: dict[str, Any]) -> None:
        if not isinstance(d, dict):
            raise bad_request("The body must be a User object.", "invalidSyntax")

    # POST and PUT: the whole resource.
    def from_dict(self, d: dict[str, Any]) -> None:
        values = services.PersonValues(
            username=as_text(d.get("userName"), "userName"),
            external_id=as_text(d.get("externalId"), "externalId"),
            title=as_text(d.get("title"), "title"),
            active=as_bool(d["active"], "active") if "active" in d else True,
        )
        name = d.get("name") or {}
        if not isinstance(name, dict):
            raise bad_request("name must be an object.")
        values.first_name = as_text(name.get("givenName"), "name.givenName")
        values.last_name = as_text(name.get("familyName"), "name.familyName")
        if not (values.first_name or values.last_name):
            # Some clients send only a display name: "Kari Anne Nordmann" → "Kari Anne", "Nordmann".
            given, _space, family = as_text(d.get("displayName"), "displayName").rpartition(" ")
            values.first_name, values.last_name = (given, family) if given else (family, "")
        values.email = primary_email(d["emails"]) if d.get("emails") else ""
        enterprise = d.get(ENTERPRISE) or {}
        if not isinstance(enterprise, dict):
            raise bad_request(f"{ENTERPRISE} must be an object.")
        values.organization = as_text(enterprise.get("organization"), "organization") or None
        values.department = as_text(enterprise.get("department"), "department") or None
        self.values = values

    # PATCH: the operations, gathered and saved once.
    def handle_operations(self, operations: Any) -> None:
        if not isinstance(operations, list):
            raise bad_request("Operations must be a list.", "invalidSyntax")
        for operation in operations:
            if not isinstance(operation, dict):
                raise bad_request("Each operation must be an object.", "invalidSyntax")
            op = str(operation.get("op", "")).lower()
            if op not in {"add", "replace", "remove"}:
                raise bad_request(f"Unknown PATCH op {operation.get('op')!r}.", "invalidSyntax")
            path, value = operation.get("path"), operation.get("value")
            if path:
                self._apply(op, PatchPath(self, str(path)), value)
            elif op == "remove":
                raise bad_request("A remove operation needs a path.", "noTarget")
            elif isinstance(value, dict):
                for key, item in value.items():
                    if key == ENTERPRISE and isinstance(item, dict):
                        for sub_key, sub_item in item.items():
                            self._apply(op, PatchPath(self, f"{ENTERPRISE}:{sub_key}"), sub_item)
                    else:
                        self._apply(op, PatchPath(self, str(key)), item)
            else:
                raise bad_request("An operation without a path needs an object as its value.", "invalidValue")
        self.save()

    def _apply(self, op: str, path: PatchPath, value: Any) -> None:
        v = self.values
        removing = op == "remove"
        if path.uri == ENTERPRISE:
            if path.name not in KNOWN_ENTERPRISE_ATTRIBUTES:
                raise bad_request(f"Unknown attribute {path.raw}.", "invalidPath")
            if path.name == "organization" and not removing:
                v.organization = as_text(value, path.raw)
            elif path.name == "department":
                v.department = "" if removing else as_text(value, path.raw)
            return  # the other enterprise attributes (manager, cost centre…) are not kept
        if path.uri not in (None, USER) or path.name not in KNOWN_USER_ATTRIBUTES:
            raise bad_request(f"Unknown attribute {path.raw}.", "invalidPath")
        text = "" if removing else None
        match path.name, path.sub:
            case "username", None:
                v.username = text if removing else as_text(value, "userName")
            case "externalid", None:
                v.external_id = text if removing else as_text(value, "externalId")
            case "title", None:
                v.title = text if removing else as_text(value, "title")
            case "displayname", None:
                as_text(value, "displayName")  # Fagnett shows the name from its parts; a display name is not kept
            case "active", None:
                if removing:
                    raise bad_request("active cannot be removed; replace it with false.", "mutability")
                v.active = as_bool(value, "active")
            case "name", None:
                name = {} if removing else value
                if not isinstance(name, dict):
                    raise bad_request("name must be an object.")
                if removing or "givenName" in name:
                    v.first_name = as_text(name.get("givenName"), "name.givenName")
                if removing or "familyName" in name:
                    v.last_name = as_text(name.get("familyName"), "name.familyName")
            case "name", "givenname":
                v.first_name = text if removing else as_text(value, "name.givenName")
            case "name", "familyname":
                v.last_name = text if removing else as_text(value, "name.familyName")
            case "emails", None:
                v.email = text if removing else primary_email(value)
            case "emails", "value":
                v.email = text if removing else as_text(value, path.raw)
            case _:
                pass  # an attribute RFC 7643 defines that Fagnett does not keep (phone numbers, addresses…)

    def save(self) -> None:
        token = _token(self.request)
        try:
            if self.obj.pk is None:
                self.obj = services.scim_person_create(token=token, values=self.values)
            else:
                services.scim_person_update(token=token, person=self.obj, values=self.values)
        except services.ProvisioningError as error:
            raise from_service(error) from error
        # Read back as a list would show it (employer, groups, last change).
        self.obj = selectors.scim_people(region=token.region).get(pk=self.obj.pk)

    def delete(self) -> None:
        try:
            services.scim_person_delete(token=_token(self.request), person=self.obj)
        except services.ProvisioningError as error:
            raise from_service(error) from error


class GroupAdapter(SCIMGroup):
    """A group of the key's region as a SCIM Group (kept, giving no role)."""

    obj: Any
    id_field = "pk"
    url_name = "scim:groups"
    ATTR_MAP = {("members", "value", None): "member"}

    def __init__(self, obj: ScimGroup, request: HttpRequest | None = None) -> None:
        super().__init__(obj, request)
        self.values = services.GroupValues()

    @property
    def location(self) -> str:
        return _location(self.url_name, self.obj.pk, self._request)

    def to_dict(self) -> dict[str, Any]:
        group: ScimGroup = self.obj
        document: dict[str, Any] = {
            "schemas": [GROUP],
            "id": str(group.pk),
            "displayName": group.display_name,
            "members": [
                # RFC 7643 §8.7.1 gives members value, $ref and type (no display)
                {"value": str(p.pk), "$ref": _location("scim:users", p.pk, self._request), "type": "User"}
                for p in group.members.all()
            ],
            "meta": {
                "resourceType": "Group",
                "created": group.created_at.isoformat(),
                "lastModified": group.updated_at.isoformat(),
                "location": self.location,
            },
        }
        if group.external_id:
            document["externalId"] = group.external_id
        return document

    def validate_dict(self, d: dict[str, Any]) -> None:
        if not isinstance(d, dict):
            raise bad_request("The body must be a Group object.", "invalidSyntax")

    @staticmethod
    def member_ids(value: Any) -> list[str]:
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(m, dict) and "value" in m for m in value):
            raise bad_request("members must be a list of objects with the user's id as value.")
        return [as_text(m["value"], "members.value") for m in value]

    def from_dict(self, d: dict[str, Any]) -> None:
        self.values = services.GroupValues(
            display_name=as_text(d.get("displayName"), "displayName"),
            external_id=as_text(d.get("externalId"), "externalId"),
            members=self.member_ids(d.get("members") or []),
        )

    def handle_operations(self, operations: Any) -> None:
        if not isinstance(operations, list):
            raise bad_request("Operations must be a list.", "invalidSyntax")
        v = self.values
        for operation in operations:
            if not isinstance(operation, dict):
                raise bad_request("Each operation must be an object.", "invalidSyntax")
            op = str(operation.get("op", "")).lower()
            path, value = operation.get("path"), operation.get("value")
            if op not in {"add", "replace", "remove"}:
                raise bad_request(f"Unknown PATCH op {operation.get('op')!r}.", "invalidSyntax")
            if not path:
                if op == "remove" or not isinstance(value, dict):
                    raise bad_request("An operation without a path needs an object as its value.", "noTarget")
                items = list(value.items())
            else:
                items = [(str(path), value)]
            for key, item in items:
                parsed = PatchPath(self, key)
                if parsed.name == "displayname" and op != "remove":
                    v.display_name = as_text(item, "displayName")
                elif parsed.name == "externalid":
                    v.external_id = "" if op == "remove" else as_text(item, "externalId")
                elif parsed.name == "members" and op == "remove" and parsed.filtered:
                    v.remove_members.append(str(parsed.filter_values.get(("members", "value"), "")))
                elif parsed.name == "members" and op == "remove":
                    if item is None:
                        v.members = []
                    else:
                        v.remove_members += self.member_ids(item)
                elif parsed.name == "members" and op == "add":
                    v.add_members += self.member_ids(item)
                elif parsed.name == "members":
                    v.members = self.member_ids(item)
                else:
                    raise bad_request(f"Unknown attribute {key}.", "invalidPath")
        self.save()

    def save(self) -> None:
        try:
            self.obj = services.scim_group_save(token=_token(self.request), group=self.obj, values=self.values)
        except services.ProvisioningError as error:
            raise from_service(error) from error

    def delete(self) -> None:
        try:
            services.scim_group_delete(token=_token(self.request), group=self.obj)
        except services.ProvisioningError as error:
            raise from_service(error) from error


class ServiceProviderConfig(SCIMServiceProviderConfig):
    def to_dict(self) -> dict[str, Any]:
        document: dict[str, Any] = super().to_dict()
        document.update(
            {
                "patch": {"supported": True},
                "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
                "filter": {"supported": True, "maxResults": MAX_RESULTS},
                "changePassword": {"supported": False},  # people log in with single sign-on
                "sort": {"supported": False},
                "etag": {"supported": False},
            }
        )
        return document


# --- Views ---------------------------------------------------------------------------------------------------------


class ScopedViewMixin:
    """Reads and lists limited to the key's region, paged in the database, shaped by ``attributes``."""

    request: HttpRequest
    kwargs: dict[str, Any]
    lookup_url_kwarg = "uuid"
    filters: dict[tuple[str, str | None], FilterField] = {}
    scim_adapter: Callable[..., Any]

    def scoped(self) -> QuerySet[Any]:
        raise NotImplementedError

    def get_object(self) -> Any:
        resource_id = str(self.kwargs.get(self.lookup_url_kwarg) or "")
        found = (
            self.scoped().filter(pk=int(resource_id)).first()
            if resource_id.isascii() and resource_id.isdigit() and len(resource_id) < 19
            else None
        )
        if found is None:
            raise not_found(resource_id)
        return found

    @staticmethod
    def _page(request: HttpRequest) -> tuple[int, int]:
        try:
            start = int(request.GET.get("startIndex", 1))
            count = int(request.GET.get("count", DEFAULT_COUNT))
        except ValueError as error:
            raise bad_request("startIndex and count must be whole numbers.") from error
        # RFC 7644 §3.4.2.4: below 1 is 1, below 0 is 0; the most is what ServiceProviderConfig says.
        return max(start, 1), min(max(count, 0), MAX_RESULTS)

    def get_single(self, request: HttpRequest) -> HttpResponse:
        adapter = self.scim_adapter(self.get_object(), request=request)
        response = _json(shaped(adapter.to_dict(), request))
        response["Location"] = adapter.location
        return response

    def get_many(self, request: HttpRequest) -> HttpResponse:
        start, count = self._page(request)
        found = self.scoped()
        query = request.GET.get("filter")
        if query:
            found = found.filter(filter_q(query, self.filters)).distinct()
        found = found.order_by("pk")
        total = found.count()
        page = list(found[start - 1 : start - 1 + count]) if count else []
        return _json(
            {
                "schemas": [SchemaURI.LIST_RESPONSE],
                "totalResults": total,
                "itemsPerPage": len(page),
                "startIndex": start,
                "Resources": [shaped(self.scim_adapter(o, request=request).to_dict(), request) for o in page],
            }
        )


def _json(document: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(document), status=status, content_type=SCIM_CONTENT_TYPE)


class UsersView(ScopedViewMixin, scim_views.UsersView):
    filters = USER_FILTERS

    def scoped(self) -> QuerySet[User]:
        return selectors.scim_people(region=_token(self.request).region)


class GroupsView(ScopedViewMixin, scim_views.GroupsView):
    filters = GROUP_FILTERS

    def scoped(self) -> QuerySet[ScimGroup]:
        return selectors.scim_groups(region=_token(self.request).region)
