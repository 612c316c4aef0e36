"""The OpenAPI 3.1 document, generated from the routes registered on the ``api`` blueprint.

Paths, methods, summaries (the view's docstring), required roles and path parameters come
from the URL map; response schemas from the record dataclass each view declares. So the
document cannot drift from the API: a new route appears in it automatically.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from datetime import datetime
from typing import Any

from flask import Flask

PREFIX = "/api/v1"
_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    datetime: {"type": "string", "format": "date-time"},
}


PAGE_HEADERS: dict[str, Any] = {  # a list answered a page at a time (``web.api.routes._paged``)
    "X-Total-Count": {"description": "the rows of the whole list, with its filters",
                      "schema": {"type": "integer"}},
    "Link": {"description": 'the next and previous pages: <URL>; rel="next", <URL>; rel="prev" '
                            "(RFC 8288; absent at either end)", "schema": {"type": "string"}},
}


def schema_of(tp: Any, components: dict[str, Any]) -> dict[str, Any]:
    if tp in _SCALARS:
        return dict(_SCALARS[tp])
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [schema_of(a, components) for a in args if a is not type(None)]
        schema = options[0] if len(options) == 1 else {"anyOf": options}
        return {"anyOf": [schema, {"type": "null"}]} if type(None) in args else schema
    if origin in (tuple, list, set, frozenset):
        return {"type": "array", "items": schema_of(args[0] if args else str, components)}
    if origin is dict:
        return {"type": "object", "additionalProperties": schema_of(args[1], components)}
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _component(tp, components)
    return {}


def _component(record: type, components: dict[str, Any]) -> dict[str, Any]:
    name = record.__name__
    if name not in components:
        components[name] = {}
        hints = typing.get_type_hints(record)
        components[name] = {
            "type": "object",
            "properties": {f.name: schema_of(hints[f.name], components) for f in dataclasses.fields(record)},
        }
    return {"$ref": f"#/components/schemas/{name}"}


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule[len(PREFIX) :])


def _operation(view: Any, method: str, params: list[str], components: dict[str, Any]) -> dict[str, Any]:
    doc = (view.__doc__ or "").strip().splitlines()
    role = getattr(view, "required_role", None)
    op: dict[str, Any] = {
        "summary": doc[0] if doc else view.__name__,
        "operationId": f"{method}_{view.__name__}",
    }
    parameters = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params]
    parameters += [
        {"name": name, "in": "query", "required": False, "schema": {"type": kind}, "description": text}
        for name, (kind, text) in getattr(view, "query_params", {}).items()
    ]
    if parameters:
        op["parameters"] = parameters
    record = getattr(view, "returns", None)
    ok: dict[str, Any] = {"description": "OK"}
    if record is not None:
        if isinstance(record[0], tuple):
            name, body_schema = record[0]
            components[name] = body_schema
            schema: dict[str, Any] = {"$ref": f"#/components/schemas/{name}"}
        else:
            schema = schema_of(record[0], components)
        body = {"type": "array", "items": schema} if record[1] else schema
        ok["content"] = {"application/json": {"schema": body}}
    if getattr(view, "paged", False):
        ok["headers"] = PAGE_HEADERS
    declared: dict[str, str] | None = getattr(view, "responses", None)
    if declared is not None:  # views that say what they answer (the user routes)
        responses: dict[str, Any] = {
            code: (ok | {"description": text}) if code in ("200", "201") and "content" in ok
            else {"description": text}
            for code, text in declared.items()
        }
    else:
        code = "202" if method == "post" else "200"
        responses = {code: ok if method == "get" else {"description": "Accepted"}}
    if getattr(view, "paged", False):
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        responses["400"] = {"description": "A limit, offset or filter not allowed (the message says which)",
                            "content": error}
    body_schema = getattr(view, "request_schema", None)
    if body_schema is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body_schema}}}
    if role is None:
        op["security"] = []
    else:
        scoped = getattr(view, "scope_aware", False)
        op["description"] = f"Role: {role} or higher." + (
            " A scoped login gets only its own sites (outside objects: 404)." if scoped
            else " Not for scoped logins (403).")
        responses.update(
            {
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "403": {"$ref": "#/components/responses/Forbidden"},
            }
        )
    if method == "post" and declared is None:
        responses.update(
            {
                "404": {"description": "Unknown job"},
                "503": {"description": "No scheduler attached to this web process"},
            }
        )
    op["responses"] = responses
    return op


def openapi_document(app: Flask) -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(_openapi_path(rule.rule), {})[method.lower()] = _operation(
                view, method.lower(), sorted(rule.arguments), components
            )
    error = {"type": "object", "properties": {"error": {"type": "string"}, "message": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "netops API", "version": "1"},
        "servers": [{"url": PREFIX}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {**dict(sorted(components.items())), "Error": error},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Unauthorized": {
                    "description": "Not logged in",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
                "Forbidden": {
                    "description": "Role too low",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            },
        },
        "security": [{"bearer": []}],
    }
