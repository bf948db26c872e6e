"""VTEX's published contract: its official OpenAPI documents, indexed for per-request checks.

``Contract.load(folder)`` reads every ``*.json`` OpenAPI document of the folder (a checkout of
VTEX's public openapi-schemas, renamed or not), indexes each operation by method and path
template, and compiles one JSON Schema validator per request body the first time it is needed
(jsonschema + a ``referencing`` registry resolves the documents' ``$ref``s). OpenAPI 3.0's
``nullable`` is turned into JSON Schema's ``"null"`` type at load time; ``date-time``, ``uuid``,
``uri`` and ``int32`` formats are checked.

``Contract.check`` answers the violations of one request: an undocumented route or method, a
missing required query parameter or header, or a body that does not match the operation's
schema. Documented exceptions (where VTEX's guides contradict the schema) are waived by
``vtex_sandbox.contract_exceptions``.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from vtex_sandbox.contract_exceptions import EXCEPTIONS, SERVED_ALIASES, is_waived

METHODS = ("get", "put", "post", "patch", "delete")
MAX_VIOLATIONS = 10
# Sandbox prefixes that VTEX puts in the server URL rather than the path: Pricing lives on
# ``api.vtex.com/{account}``, batch inventory on ``logistics.{environment}.com.br/{account}``.
_ACCOUNT_PREFIX = re.compile(r"^/[^/]+(?=/(?:pricing|availability)(?:/|$))")

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if "T" not in value.upper():
        raise ValueError("not an RFC 3339 date-time")
    datetime.fromisoformat(value.replace("z", "Z"))
    return True


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(uuid.UUID(value))


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value))


@FORMATS.checks("int32")
def _is_int32(value: object) -> bool:
    return not isinstance(value, int) or -(2**31) <= value < 2**31


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``field`` is a dotted path (``body.fixedPrices.0.value``, ``query.maxlot``)."""

    field: str
    rule: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


@dataclass
class Operation:
    """One documented operation, ready to check requests against."""

    document: str
    method: str
    template: str
    segments: tuple[str | None, ...]  # None for a {parameter} segment
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]  # lower-case names
    body_pointer: str | None  # JSON pointer to the JSON body schema inside the document
    body_required: bool
    validator: Draft4Validator | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def specificity(self) -> tuple[int, ...]:
        """Literal segments win over parameters, left to right."""
        return tuple(0 if s is None else 1 for s in self.segments)


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema dialect -> JSON Schema draft 4 (``nullable``, examples dropped)."""
    if isinstance(node, list):
        return [_to_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v) for k, v in node.items() if k not in ("example", "examples")}
    if out.pop("nullable", False) is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _segments(path: str) -> tuple[str | None, ...]:
    parts = path.strip("/").split("/")
    return tuple(None if "{" in p else p.lower() for p in parts)


class Contract:
    """Every operation of a folder of OpenAPI documents."""

    def __init__(self, documents: Mapping[str, dict[str, Any]]) -> None:
        self.documents = dict(documents)
        resources = [
            (self._uri(name), Resource(contents=doc, specification=DRAFT4)) for name, doc in documents.items()
        ]
        self.registry: Registry[Any] = Registry().with_resources(resources)
        self.operations: list[Operation] = []
        self._by_shape: dict[tuple[str, int], list[Operation]] = {}
        for name, doc in documents.items():
            self._index(name, doc)
        for ops in self._by_shape.values():
            ops.sort(key=lambda op: op.specificity, reverse=True)

    @classmethod
    def load(cls, folder: str | Path) -> Contract:
        paths = sorted(Path(folder).glob("*.json"))
        if not paths:
            raise FileNotFoundError(f"no OpenAPI documents (*.json) in {folder}")
        documents: dict[str, dict[str, Any]] = {}
        for path in paths:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(doc, dict) and "openapi" in doc and "paths" in doc:
                documents[path.name] = _to_json_schema(doc)
        if not documents:
            raise FileNotFoundError(f"no OpenAPI 3 documents in {folder}")
        return cls(documents)

    @staticmethod
    def _uri(name: str) -> str:
        return f"urn:vtex-openapi:{name}"

    def _index(self, name: str, doc: dict[str, Any]) -> None:
        components = doc.get("components", {})
        for path, item in doc.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method in METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                params = [
                    self._deref(p, components, "parameters") for p in [*shared, *op.get("parameters", [])]
                ]
                query = tuple(p["name"] for p in params if p.get("in") == "query" and p.get("required"))
                headers = tuple(
                    p["name"].lower() for p in params if p.get("in") == "header" and p.get("required")
                )
                pointer, required = self._body(op, components, path, method)
                operation = Operation(
                    document=name,
                    method=method.upper(),
                    template=path,
                    segments=_segments(path),
                    required_query=query,
                    required_headers=headers,
                    body_pointer=pointer,
                    body_required=required,
                )
                self.operations.append(operation)
                shape = (operation.method, len(operation.segments))
                self._by_shape.setdefault(shape, []).append(operation)

    @staticmethod
    def _deref(node: dict[str, Any], components: dict[str, Any], kind: str) -> dict[str, Any]:
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(f"#/components/{kind}/"):
            return components.get(kind, {}).get(ref.rsplit("/", 1)[-1], {})
        return node

    def _body(
        self, op: dict[str, Any], components: dict[str, Any], path: str, method: str
    ) -> tuple[str | None, bool]:
        body = op.get("requestBody")
        if not isinstance(body, dict):
            return None, False
        pointer = f"/paths/{_escape(path)}/{method}/requestBody"
        if "$ref" in body:
            pointer = "/components/requestBodies/" + _escape(body["$ref"].rsplit("/", 1)[-1])
            body = self._deref(body, components, "requestBodies")
        content = body.get("content", {})
        media = next((m for m in content if "json" in m), None)
        if media is None or "schema" not in content[media]:
            return None, bool(body.get("required"))
        return f"{pointer}/content/{_escape(media)}/schema", bool(body.get("required"))

    # --- lookup ------------------------------------------------------------------------

    @staticmethod
    def document_path(path: str) -> str:
        """The path as VTEX's documents write it (server-URL prefixes removed)."""
        path = _ACCOUNT_PREFIX.sub("", path, count=1)
        return path.rstrip("/") or "/"

    def candidates(self, method: str, path: str) -> list[Operation]:
        """Documented operations for ``method`` on ``path``, most specific first."""
        segments = tuple(s.lower() for s in self.document_path(path).strip("/").split("/"))
        ops = self._by_shape.get((method.upper(), len(segments)), [])
        found = [
            op for op in ops if all(t is None or t == s for t, s in zip(op.segments, segments, strict=True))
        ]
        if not found:
            return []
        best = found[0].specificity
        return [op for op in found if op.specificity == best]

    def served_paths(self, method: str, path: str) -> bool:
        """True when any document has ``path`` under some method (for 'method not documented')."""
        return any(self.candidates(m, path) for m in METHODS if m.upper() != method.upper())

    # --- checks --------------------------------------------------------------------------

    def _validator(self, op: Operation) -> Draft4Validator | None:
        if op.body_pointer is None:
            return None
        if op.validator is None:
            ref = {"$ref": f"{self._uri(op.document)}#{op.body_pointer}"}
            op.validator = Draft4Validator(ref, registry=self.registry, format_checker=FORMATS)
        return op.validator

    def check_operation(
        self, op: Operation, query: Mapping[str, list[str]], headers: Mapping[str, str], body: bytes
    ) -> list[Violation]:
        found: list[Violation] = []
        for name in op.required_query:
            if not any(v.strip() for v in query.get(name, [])):
                found.append(
                    Violation(f"query.{name}", "required", f"The query parameter '{name}' is required")
                )
        for name in op.required_headers:
            if not headers.get(name, "").strip():
                found.append(Violation(f"header.{name}", "required", f"The header '{name}' is required"))
        found += self._check_body(op, body)
        return [v for v in found if not is_waived(op.method, op.template, v, body)][:MAX_VIOLATIONS]

    def _check_body(self, op: Operation, body: bytes) -> list[Violation]:
        if not body.strip():
            if op.body_required:
                return [Violation("body", "required", "The request body is required")]
            return []
        validator = self._validator(op)
        if validator is None:
            return []
        try:
            instance = json.loads(body)
        except ValueError:
            return [Violation("body", "json", "The request body is not valid JSON")]
        return [v for err in _errors(validator, instance) for v in _violations(err)]

    def check(
        self, method: str, path: str, query_string: bytes, headers: Mapping[str, str], body: bytes
    ) -> tuple[Operation | None, list[Violation]]:
        """The matched operation (None if undocumented) and the request's violations."""
        candidates = self.candidates(method, path)
        if not candidates:
            alias = SERVED_ALIASES.get((method.upper(), _route_shape(path)))
            if alias is not None:
                candidates = self.candidates(alias[0], alias[1])
        if not candidates:
            rule = "method" if self.served_paths(method, path) else "route"
            what = (
                f"{method.upper()} is not documented for"
                if rule == "method"
                else "No documented operation for"
            )
            return None, [Violation("route", rule, f"{what} {self.document_path(path)}")]
        query = parse_qs(query_string.decode("latin-1"), keep_blank_values=True)
        best: tuple[Operation, list[Violation]] | None = None
        for op in candidates:  # the same route in two documents (Master Data v1 and v2)
            violations = self.check_operation(op, query, headers, body)
            if not violations:
                return op, []
            if best is None:
                best = (op, violations)
        assert best is not None
        return best


def _route_shape(path: str) -> str:
    return Contract.document_path(path)


def _errors(validator: Draft4Validator, instance: Any) -> Iterable[ValidationError]:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return errors[:MAX_VIOLATIONS]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _violations(err: ValidationError) -> list[Violation]:
    where = ".".join(str(p) for p in err.absolute_path)
    prefix = f"body.{where}" if where else "body"
    if err.validator == "required" and isinstance(err.instance, dict):
        missing = [p for p in err.validator_value if p not in err.instance]
        return [
            Violation(
                f"{prefix}.{name}",
                "required",
                f"The field '{f'{where}.' if where else ''}{name}' is required",
            )
            for name in missing
        ]
    return [_violation(err, where, prefix)]


def _violation(err: ValidationError, where: str, prefix: str) -> Violation:
    rule = str(err.validator)
    if rule == "type":
        expected = err.validator_value
        return Violation(
            prefix,
            "type",
            f"The field '{where or 'body'}' must be of type {expected}, got {_short(err.instance)}",
        )
    if rule == "enum":
        return Violation(
            prefix,
            "enum",
            f"The field '{where}' must be one of {err.validator_value}, got {_short(err.instance)}",
        )
    if rule == "format":
        return Violation(
            prefix,
            "format",
            f"The field '{where}' must be a valid {err.validator_value}, got {_short(err.instance)}",
        )
    return Violation(prefix, rule, f"The field '{where or 'body'}' breaks '{rule}': {err.message}")


__all__ = ["EXCEPTIONS", "Contract", "Operation", "Violation"]
