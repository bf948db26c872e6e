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
from referencing import Registry
from referencing.jsonschema import DRAFT4

from vtex_sandbox.contract_exceptions import ALIASES, EXCEPTIONS, is_waived
from vtex_sandbox.contract_rules import documented_rules
from vtex_sandbox.violations import Violation

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


def _to_json_schema(node: Any, base: str) -> Any:
    """OpenAPI 3.0 schema dialect -> JSON Schema draft 4: ``nullable`` becomes a ``"null"`` type,
    examples are dropped and local ``$ref``s become absolute (``base#/...``), so any sub-schema
    can be compiled on its own against the registry."""
    if isinstance(node, list):
        return [_to_json_schema(v, base) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v, base) for k, v in node.items() if k not in ("example", "examples")}
    ref = out.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        out["$ref"] = base + ref
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


@dataclass
class _Node:
    """One path segment of the operation tree."""

    literal: dict[str, _Node] = field(default_factory=dict)
    param: _Node | None = None
    ops: dict[str, list[Operation]] = field(default_factory=dict)


def _walk(node: _Node, segments: list[str], method: str) -> list[Operation]:
    if not segments:
        return node.ops.get(method, [])
    head, rest = segments[0], segments[1:]
    child = node.literal.get(head)
    found = _walk(child, rest, method) if child is not None else []
    if not found and node.param is not None:
        found = _walk(node.param, rest, method)
    return found


class Contract:
    """Every operation of a folder of OpenAPI documents."""

    def __init__(self, documents: Mapping[str, dict[str, Any]]) -> None:
        self.documents = dict(documents)
        resources = [
            (self._uri(name), DRAFT4.create_resource(doc)) for name, doc in documents.items()
        ]
        self.registry: Registry[Any] = Registry().with_resources(resources)
        self.operations: list[Operation] = []
        for name, doc in documents.items():
            self._index(name, doc)
        self._tree = _Node()
        for op in self.operations:
            node = self._tree
            for segment in op.segments:
                if segment is None:
                    node.param = node.param or _Node()
                    node = node.param
                else:
                    node = node.literal.setdefault(segment, _Node())
            node.ops.setdefault(op.method, []).append(op)

    @classmethod
    def load(cls, folder: str | Path) -> Contract:
        paths = sorted(Path(folder).glob("*.json"))
        if not paths:
            raise FileNotFoundError(f"no OpenAPI documents (*.json) in {folder}")
        documents: dict[str, dict[str, Any]] = {}
        for path in paths:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(doc, dict) and "openapi" in doc and "paths" in doc:
                documents[path.name] = _to_json_schema(doc, cls._uri(path.name))
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

    @staticmethod
    def _deref(node: dict[str, Any], components: dict[str, Any], kind: str) -> dict[str, Any]:
        ref = node.get("$ref")
        if isinstance(ref, str) and f"#/components/{kind}/" in ref:
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
        """The most specific documented operations for ``method`` on ``path`` (literal segments
        win over parameters, left to right): a walk down the segment tree built at load."""
        segments = [s.lower() for s in self.document_path(path).strip("/").split("/")]
        return _walk(self._tree, segments, method.upper())

    def _aliased(self, method: str, path: str) -> list[Operation]:
        """The documented operation a guide-named route stands for (``contract_exceptions.ALIASES``)."""
        segments = self.document_path(path).strip("/").split("/")
        for alias in ALIASES:
            shape = _segments(alias.path)
            if alias.method != method.upper() or len(shape) != len(segments):
                continue
            if all(t is None or t == s.lower() for t, s in zip(shape, segments, strict=True)):
                documented = alias.documented.strip("/").split("/")
                concrete = [s if "{" in d else d for d, s in zip(documented, segments, strict=True)]
                return self.candidates(alias.method, "/" + "/".join(concrete))
        return []

    def served_paths(self, method: str, path: str) -> bool:
        """True when any document has ``path`` under some method (for 'method not documented')."""
        return any(self.candidates(m, path) for m in METHODS if m.upper() != method.upper())

    # --- checks --------------------------------------------------------------------------

    def _validator(self, op: Operation) -> Draft4Validator | None:
        if op.body_pointer is None:
            return None
        if op.validator is None:
            uri = f"{self._uri(op.document)}#{op.body_pointer}"
            schema = self.registry.resolver().lookup(uri).contents  # resolved once, not per request
            op.validator = Draft4Validator(schema, registry=self.registry, format_checker=FORMATS)
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
        instance, problem = _parse(body)
        if problem is not None:
            found.append(problem)
        elif instance is _NO_BODY:
            if op.body_required:
                found.append(Violation("body", "required", "The request body is required"))
        else:
            validator = self._validator(op)
            if validator is not None:
                found += [v for err in _errors(validator, instance) for v in _violations(err)]
            found += documented_rules(op.method, op.template, instance)
        kept = [v for v in dict.fromkeys(found) if not is_waived(op.method, op.template, v, instance)]
        return kept[:MAX_VIOLATIONS]

    def check(
        self, method: str, path: str, query_string: bytes, headers: Mapping[str, str], body: bytes
    ) -> tuple[Operation | None, list[Violation]]:
        """The matched operation (None if undocumented) and the request's violations."""
        candidates = self.candidates(method, path)
        if not candidates:
            candidates = self._aliased(method, path)
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


_NO_BODY = object()


def _parse(body: bytes) -> tuple[Any, Violation | None]:
    if not body.strip():
        return _NO_BODY, None
    try:
        return json.loads(body), None
    except ValueError:
        return None, Violation("body", "json", "The request body is not valid JSON")


def _errors(validator: Draft4Validator, instance: Any) -> Iterable[ValidationError]:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return errors[:MAX_VIOLATIONS]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _violations(err: ValidationError) -> list[Violation]:
    if err.validator in ("anyOf", "oneOf") and err.context:
        # Name what the closest alternative misses, not just "matches none of anyOf".
        branches: dict[Any, list[ValidationError]] = {}
        for sub in err.context:
            branches.setdefault(sub.schema_path[0], []).append(sub)
        closest = min(branches.values(), key=len)
        note = f" (closest of the {err.validator} alternatives)"
        return [Violation(v.field, v.rule, v.message + note) for e in closest for v in _violations(e)]
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
