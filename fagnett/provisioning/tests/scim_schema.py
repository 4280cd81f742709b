"""Checks of SCIM answers against RFC 7643/7644, for the tests.

A resource is checked against the schema definitions RFC 7643 §8.7.1 publishes (``User``, ``Group``, the
enterprise extension; django-scim2 ships them as JSON): every attribute must be defined there, of its type,
multi-valued where the schema says so, with the sub-attributes it defines; required ones present; the common
attributes of §3.1 (``id``, ``externalId``, ``meta``) as that section says. List and error documents are checked
against RFC 7644 §3.4.2 and §3.12. Each function returns the problems found (empty when the document conforms).
"""

import datetime
from typing import Any
from urllib.parse import urlsplit

from django_scim.constants import SchemaURI
from django_scim.schemas import ALL

SCHEMAS = {schema["id"]: schema for schema in ALL}
#: RFC 7644 §3.12, table 9
SCIM_TYPES = {
    "invalidFilter",
    "tooMany",
    "uniqueness",
    "mutability",
    "invalidSyntax",
    "invalidPath",
    "noTarget",
    "invalidValue",
    "invalidVers",
    "sensitive",
}


def _type_problems(where: str, definition: dict[str, Any], value: Any) -> list[str]:
    kind = definition["type"]
    if value is None:
        return []
    ok = {
        "string": isinstance(value, str),
        "reference": isinstance(value, str),
        "binary": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "decimal": isinstance(value, int | float) and not isinstance(value, bool),
        "dateTime": isinstance(value, str),
        "complex": isinstance(value, dict),
    }[kind]
    if not ok:
        return [f"{where}: {value!r} is not of type {kind}"]
    if kind == "dateTime":
        try:
            datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return [f"{where}: {value!r} is not an xsd:dateTime"]
    if kind == "complex":
        subs = {s["name"]: s for s in definition.get("subAttributes", [])}
        problems = [f"{where}.{name}: not defined by the schema" for name in value if name not in subs]
        for name, sub_value in value.items():
            if name in subs:
                problems += _type_problems(f"{where}.{name}", subs[name], sub_value)
        return problems
    if definition.get("canonicalValues") and value not in definition["canonicalValues"] and kind == "string":
        return []  # canonical values are suggestions ("work", "home"), not a closed list
    return []


def _attribute_problems(where: str, schema: dict[str, Any], document: dict[str, Any]) -> list[str]:
    definitions = {a["name"]: a for a in schema["attributes"]}
    problems = []
    for definition in definitions.values():
        if definition.get("required") and definition["name"] not in document:
            problems.append(f"{where}: the required attribute {definition['name']} is missing")
    for name, value in document.items():
        definition = definitions.get(name)
        if definition is None:
            problems.append(f"{where}.{name}: not defined by {schema['id']}")
            continue
        if definition.get("returned") == "never":
            problems.append(f"{where}.{name}: the schema says it is never returned")
        if definition.get("multiValued"):
            if not isinstance(value, list):
                problems.append(f"{where}.{name}: multi-valued, but not a list")
                continue
            for i, item in enumerate(value):
                problems += _type_problems(f"{where}.{name}[{i}]", definition, item)
            primaries = [item for item in value if isinstance(item, dict) and item.get("primary") is True]
            if len(primaries) > 1:
                problems.append(f"{where}.{name}: more than one primary value")
        else:
            problems += _type_problems(f"{where}.{name}", definition, value)
    return problems


def resource_problems(document: Any, resource_type: str, *, base_url: str) -> list[str]:
    """``document`` as a User or Group resource of RFC 7643 (with its §3.1 common attributes)."""
    core = {"User": SchemaURI.USER, "Group": SchemaURI.GROUP}[resource_type]
    if not isinstance(document, dict):
        return [f"not an object: {document!r}"]
    problems = []
    schemas = document.get("schemas")
    if not isinstance(schemas, list) or core not in schemas:
        problems.append(f"schemas {schemas!r} does not name {core}")
        schemas = []
    extensions = [uri for uri in schemas if uri != core]
    for uri in extensions:
        if uri not in SCHEMAS:
            problems.append(f"schemas names {uri}, which is not a published schema")
    resource_id = document.get("id")
    if not isinstance(resource_id, str) or not resource_id or resource_id == "bulkId":
        problems.append(f"id {resource_id!r} must be a non-empty string")
    if "externalId" in document and not isinstance(document["externalId"], str):
        problems.append("externalId must be a string")
    meta = document.get("meta")
    if not isinstance(meta, dict):
        problems.append("meta is missing")
    else:
        if meta.get("resourceType") != resource_type:
            problems.append(f"meta.resourceType {meta.get('resourceType')!r} is not {resource_type}")
        location = str(meta.get("location", ""))
        if not location.startswith(base_url) or not urlsplit(location).path.endswith(f"/{resource_id}"):
            problems.append(f"meta.location {location!r} is not the resource's URL under {base_url}")
        for stamp in ("created", "lastModified"):
            if stamp in meta:
                problems += _type_problems(f"meta.{stamp}", {"type": "dateTime"}, meta[stamp])
    own = {k: v for k, v in document.items() if k not in {"schemas", "id", "externalId", "meta", *extensions}}
    problems += _attribute_problems(resource_type, SCHEMAS[core], own)
    for uri in extensions:
        if uri in document:
            if not isinstance(document[uri], dict):
                problems.append(f"{uri} must be an object")
            elif uri in SCHEMAS:
                problems += _attribute_problems(uri, SCHEMAS[uri], document[uri])
    stray = [k for k in document if k.startswith("urn:") and k not in extensions]
    problems += [f"{k}: an extension not named in schemas" for k in stray]
    return problems


def list_problems(document: Any, resource_type: str, *, base_url: str) -> list[str]:
    """A ListResponse (RFC 7644 §3.4.2) of ``resource_type`` resources."""
    if not isinstance(document, dict):
        return [f"not an object: {document!r}"]
    problems = []
    if document.get("schemas") != [SchemaURI.LIST_RESPONSE]:
        problems.append(f"schemas {document.get('schemas')!r} is not the ListResponse")
    for name in ("totalResults", "itemsPerPage", "startIndex"):
        if not isinstance(document.get(name), int) or isinstance(document.get(name), bool):
            problems.append(f"{name} must be an integer")
    resources = document.get("Resources")
    if not isinstance(resources, list):
        problems.append("Resources must be a list")
        resources = []
    if isinstance(document.get("itemsPerPage"), int) and document["itemsPerPage"] != len(resources):
        problems.append("itemsPerPage is not the number of Resources")
    if isinstance(document.get("totalResults"), int) and document["totalResults"] < len(resources):
        problems.append("totalResults is smaller than the page")
    for i, resource in enumerate(resources):
        problems += [f"Resources[{i}]: {p}" for p in resource_problems(resource, resource_type, base_url=base_url)]
    return problems


def error_problems(document: Any, status: int, scim_type: str | None = None) -> list[str]:
    """An error response (RFC 7644 §3.12): the Error schema, the status as a string, a known scimType."""
    if not isinstance(document, dict):
        return [f"not an object: {document!r}"]
    problems = []
    if document.get("schemas") != [SchemaURI.ERROR]:
        problems.append(f"schemas {document.get('schemas')!r} is not the Error message")
    if document.get("status") != str(status):
        problems.append(f"status {document.get('status')!r} is not the string {str(status)!r}")
    if "detail" in document and not isinstance(document["detail"], str):
        problems.append("detail must be a string")
    if "scimType" in document and document["scimType"] not in SCIM_TYPES:
        problems.append(f"scimType {document['scimType']!r} is not one of RFC 7644's")
    if scim_type is not None and document.get("scimType") != scim_type:
        problems.append(f"scimType {document.get('scimType')!r} is not {scim_type!r}")
    return problems
