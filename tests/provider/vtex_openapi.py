"""VTEX's OpenAPI documents for the contract tests: operations and their documented answers.

The documents are read at run time from `../shared/vtex-openapi` (next to the project);
`openapi_or_skip()` skips the calling test with a printed reason when they are absent.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from vtex_sandbox.contract_loader import DEFAULT_FOLDER

SPEC_DIR = DEFAULT_FOLDER
# Order matters on a tie: Master Data v1 is VTEX's API for the CL and AD entities.
DOCUMENTS = ("catalog", "pricing", "logistics", "orders", "masterdata-v1", "masterdata-v2")
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    document: str
    method: str
    template: str
    pointer: str  # JSON pointer of the operation inside its document
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.template} ({self.document}.json)"


def openapi_or_skip() -> OpenApi:
    if not all((SPEC_DIR / f"{name}.json").is_file() for name in DOCUMENTS):
        reason = f"VTEX's OpenAPI documents are absent ({SPEC_DIR} holds none of {', '.join(DOCUMENTS)})"
        print(reason)
        pytest.skip(reason)
    return _load()


@cache
def _load() -> OpenApi:
    return OpenApi({name: json.loads((SPEC_DIR / f"{name}.json").read_text()) for name in DOCUMENTS})


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


class OpenApi:
    """All VTEX documents: the operation of a request and its documented answers."""

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents
        self._routes: list[tuple[int, int, re.Pattern[str], Operation]] = []
        for rank, (name, doc) in enumerate(self.documents.items()):
            for template, item in doc["paths"].items():
                pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "/?$")
                literal = len(re.sub(r"\{[^}]+\}", "", template))
                for method in METHODS:
                    if method in item:
                        pointer = f"/paths/{_escape(template)}/{method}"
                        op = Operation(name, method, template, pointer, item[method])
                        self._routes.append((-literal, rank, pattern, op))
        self._routes.sort(key=lambda route: route[:2])

    def operation(self, method: str, path: str) -> Operation:
        for _, _, pattern, op in self._routes:
            if op.method == method.lower() and pattern.match(path):
                return op
        raise LookupError(f"no operation of VTEX's documents matches {method} {path}")

    def response_examples(self, op: Operation) -> list[tuple[str, Any]]:
        """Every documented JSON example of a 2xx answer, as (label, body)."""
        found: list[tuple[str, Any]] = []
        for status, response in op.spec.get("responses", {}).items():
            if not str(status).startswith("2"):
                continue
            for media, content in response.get("content", {}).items():
                if "json" not in media:
                    continue
                if "example" in content:
                    found.append((f"{status} example", copy.deepcopy(content["example"])))
                for key, example in content.get("examples", {}).items():
                    if "value" in example:
                        found.append((f"{status} examples.{key}", copy.deepcopy(example["value"])))
                schema = content.get("schema", {})
                if "example" in schema and not found:
                    found.append((f"{status} schema example", copy.deepcopy(schema["example"])))
        return found
