"""Master Data v1 documents (CL customers, AD addresses): CRUD and search."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from vtex_sandbox.errors import VtexError
from vtex_sandbox.md_where import WhereError, equals_filter, parse_where
from vtex_sandbox.routing import ConfigDep, JsonBody, StoreDep
from vtex_sandbox.store import Store

router = APIRouter(tags=["master data"])
KIND = "documents"
MAX_PAGE = 100
SYSTEM_FIELDS = ("id", "accountId", "accountName", "dataEntityId")
RESERVED_PARAMS = {"_fields", "_where", "_sort", "_keyword", "_schema", "an"}
_RANGE = re.compile(r"resources=(\d+)-(\d+)")


def md_error(status: int, message: str) -> VtexError:
    return VtexError(status, message, body={"Message": message})


def _key(entity: str, doc_id: str) -> str:
    return f"{entity}-{doc_id}"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _created(entity: str, doc_id: str, request: Request) -> dict[str, str]:
    href = f"{request.base_url}api/dataentities/{entity}/documents/{doc_id}"
    return {"Id": f"{entity}-{doc_id}", "Href": href, "DocumentId": doc_id}


def _body_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise md_error(400, "The document must be a JSON object")
    return body


def _save(store: Store, config: Any, entity: str, doc_id: str, fields: dict[str, Any], merge: bool) -> bool:
    """Write a document (replace or merge); True when it was created."""
    with store.transaction():
        old = store.get(KIND, _key(entity, doc_id))
        base = dict(old) if (old and merge) else {}
        fields = {k: v for k, v in fields.items() if k not in SYSTEM_FIELDS}
        doc = {**base, **fields, "id": doc_id, "dataEntityId": entity}
        doc.update(accountId=config.account, accountName=config.account, updatedIn=_now())
        doc["createdIn"] = old.get("createdIn") if old else doc["updatedIn"]
        store.put(KIND, _key(entity, doc_id), doc)
        return old is None


def _project(doc: dict[str, Any], fields: str | None) -> dict[str, Any]:
    if fields is None:
        return {k: doc.get(k) for k in SYSTEM_FIELDS}
    if fields.strip() == "_all":
        return doc
    wanted = [f.strip() for f in fields.split(",") if f.strip()]
    return {f: doc.get(f) for f in wanted}


def _doc_id_from(fields: dict[str, Any]) -> str:
    return str(fields.get("id") or uuid.uuid4())


@router.post("/api/dataentities/{entity}/documents", status_code=201)
def create_document(
    entity: str, body: JsonBody, request: Request, store: StoreDep, config: ConfigDep
) -> dict:
    fields = _body_object(body)
    doc_id = _doc_id_from(fields)
    _save(store, config, entity, doc_id, fields, merge=False)
    return _created(entity, doc_id, request)


@router.patch("/api/dataentities/{entity}/documents")
def upsert_document(
    entity: str, body: JsonBody, request: Request, store: StoreDep, config: ConfigDep
) -> JSONResponse:
    fields = _body_object(body)
    doc_id = _doc_id_from(fields)
    created = _save(store, config, entity, doc_id, fields, merge=True)
    return JSONResponse(_created(entity, doc_id, request), status_code=201 if created else 200)


@router.put("/api/dataentities/{entity}/documents/{docId}")
def replace_document(entity: str, docId: str, body: JsonBody, store: StoreDep, config: ConfigDep) -> Response:
    _save(store, config, entity, docId, _body_object(body), merge=False)
    return Response(status_code=204)


@router.patch("/api/dataentities/{entity}/documents/{docId}")
def update_document(entity: str, docId: str, body: JsonBody, store: StoreDep, config: ConfigDep) -> Response:
    _save(store, config, entity, docId, _body_object(body), merge=True)
    return Response(status_code=204)


@router.get("/api/dataentities/{entity}/documents/{docId}")
def get_document(entity: str, docId: str, store: StoreDep, _fields: str | None = None) -> dict[str, Any]:
    doc = store.get(KIND, _key(entity, docId))
    if doc is None:
        raise md_error(404, f"Document {docId} not found")
    return _project(doc, _fields)


@router.delete("/api/dataentities/{entity}/documents/{docId}")
def delete_document(entity: str, docId: str, store: StoreDep) -> Response:
    if not store.delete(KIND, _key(entity, docId)):
        raise md_error(404, f"Document {docId} not found")
    return Response(status_code=204)


def _page(header: str | None) -> tuple[int, int]:
    if not header:
        return 0, MAX_PAGE
    match = _RANGE.search(header)
    if not match:
        raise md_error(400, "REST-Range must look like 'resources=0-100'")
    start, end = int(match.group(1)), int(match.group(2))
    if end < start or end - start > MAX_PAGE:
        raise md_error(400, f"REST-Range may ask for at most {MAX_PAGE} documents")
    return start, end


def _sorted(docs: list[dict[str, Any]], sort: str | None) -> list[dict[str, Any]]:
    if not sort:
        return docs
    field, _, direction = sort.strip().partition(" ")
    present = [d for d in docs if d.get(field) is not None]
    missing = [d for d in docs if d.get(field) is None]
    present.sort(key=lambda d: d[field], reverse=direction.strip().upper() == "DESC")
    return present + missing


@router.get("/api/dataentities/{entity}/search")
def search_documents(
    entity: str,
    request: Request,
    store: StoreDep,
    _fields: str | None = None,
    _where: str | None = None,
    _sort: str | None = None,
) -> JSONResponse:
    try:
        predicates = [parse_where(_where)] if _where else []
    except WhereError as exc:
        raise md_error(400, str(exc)) from exc
    predicates += [equals_filter(k, v) for k, v in request.query_params.items() if k not in RESERVED_PARAMS]
    docs = [d for d in store.find(KIND, dataEntityId=entity) if all(p(d) for p in predicates)]
    docs = _sorted(docs, _sort)
    start, end = _page(request.headers.get("rest-range"))
    page = docs[start:end]
    headers = {"REST-Content-Range": f"resources {start}-{start + len(page)}/{len(docs)}"}
    return JSONResponse([_project(d, _fields) for d in page], headers=headers)
