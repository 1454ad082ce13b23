"""The OpenAPI 3.1 document, made from the registry of resources (resources.py) and their pydantic
schemas (schemas.py): the same list the routes are made from, so the document cannot describe an
endpoint that is not served, or miss one that is."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from . import schemas
from .problems import PROBLEM_JSON
from .resources import RESOURCES, Resource
from .services import SCOPES

API_VERSION = "1.0.0"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
REF = "#/components/schemas/{model}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _ref("Problem")}}}


def _errors(*statuses: int) -> dict[str, Any]:
    words = {400: "A query parameter is not one the endpoint takes (the detail says which)",
             401: "No token, or one that is unknown, expired, revoked, or of a disabled or locked account",
             403: "The token lacks the scope, or its owner may not see this record",
             404: "No such record", 406: "You do not accept JSON (or CSV, with ?format=csv)",
             429: "Too many requests with this token: see Retry-After"}
    out = {str(s): _problem(words[s]) for s in statuses}
    if 429 in statuses:
        out["429"]["headers"] = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}
    return out


_ETAG = {"ETag": {"description": "Send it back in If-None-Match to be told 304 if nothing changed",
                  "schema": {"type": "string"}}}
_IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
                  "description": "The ETag of the copy you have: 304 Not Modified if it is still current"}
_NOT_MODIFIED = {"description": "Not modified: the copy whose ETag you sent is current"}


def _list_operation(resource: Resource) -> dict[str, Any]:
    parameters = [
        {"name": "limit", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
         "description": f"Records per page, 1 to {MAX_LIMIT}"},
        {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 200},
         "description": "Where the page starts: copy it from the previous page's `links.next`, never make one"},
        {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["json", "csv"]},
         "description": "csv: the whole list (every page) as a CSV file for spreadsheets"},
    ] + [{"name": f.name, "in": "query", "required": False, "schema": f.schema, "description": f.description}
         for f in resource.filters] + [_IF_NONE_MATCH]
    return {
        "operationId": f"list_{resource.name.replace('-', '_')}",
        "summary": f"List {resource.title.lower()}",
        "description": f"{resource.description}\n\nScope: `{resource.scope}`.",
        "tags": [resource.title],
        "security": [{"bearerAuth": [resource.scope]}],
        "parameters": parameters,
        "responses": {
            "200": {"description": "A page of records, and the link to the next",
                    "headers": _ETAG,
                    "content": {"application/json": {"schema": _ref(f"{resource.schema.__name__}Page")},
                                "text/csv": {"schema": {"type": "string"}}}},
            "304": _NOT_MODIFIED,
            **_errors(400, 401, 403, 406, 429),
        },
    }


def _item_operation(resource: Resource) -> dict[str, Any]:
    key_schema: dict[str, Any] = ({"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
                                  if resource.key_type == "int" else {"type": "string", "maxLength": 40})
    return {
        "operationId": f"get_{resource.name.replace('-', '_')}",
        "summary": f"One of the {resource.title.lower()}",
        "description": f"Scope: `{resource.scope}`. Refused (403) where the record's page would be.",
        "tags": [resource.title],
        "security": [{"bearerAuth": [resource.scope]}],
        "parameters": [{"name": resource.key_name, "in": "path", "required": True, "schema": key_schema},
                       _IF_NONE_MATCH],
        "responses": {
            "200": {"description": "The record", "headers": _ETAG,
                    "content": {"application/json": {"schema": _ref(resource.schema.__name__)}}},
            "304": _NOT_MODIFIED,
            **_errors(401, 403, 404, 406, 429),
        },
    }


def item_path(resource: Resource) -> str:
    return f"/{resource.name}/{{{resource.key_name}}}"


def openapi_document(docs_url: str) -> dict[str, Any]:
    """The whole document, for the API served at /api/v1."""
    models: list[type[BaseModel]] = [r.schema for r in RESOURCES] + [schemas.Problem, schemas.PageLinks]
    _, definitions = models_json_schema([(m, "serialization") for m in models], ref_template=REF)
    components = dict(definitions.get("$defs", {}))
    for resource in RESOURCES:
        name = resource.schema.__name__
        components[f"{name}Page"] = {
            "type": "object", "title": f"{name}Page", "additionalProperties": False, "required": ["data", "links"],
            "properties": {"data": {"type": "array", "items": _ref(name)}, "links": _ref("PageLinks")}}
    paths: dict[str, Any] = {}
    for resource in RESOURCES:
        paths[f"/{resource.name}"] = {"get": _list_operation(resource)}
        paths[item_path(resource)] = {"get": _item_operation(resource)}
    return {
        "openapi": "3.1.0",
        "info": {"title": "LEA Support API", "version": API_VERSION,
                 "description": "Read-only access to the school improvement service's records, with a personal "
                                f"access token. How to use it: {docs_url}"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer", "bearerFormat": "lea_pat_ token",
                "description": "A personal access token from your account page. Scopes: "
                               + "; ".join(f"`{code}`: {label}" for code, label in SCOPES.items())}},
        },
    }
