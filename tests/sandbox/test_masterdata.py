"""Master Data CL/AD documents: create, upsert, replace, search with _where and ranges."""

from __future__ import annotations

import httpx

DOCS = "/api/dataentities/CL/documents"


def test_create_get_patch_put_delete(vtex: httpx.Client) -> None:
    created = vtex.post(DOCS, json={"email": "a@x.com", "firstName": "Ann"})
    assert created.status_code == 201
    body = created.json()
    assert body["Id"] == f"CL-{body['DocumentId']}" and body["Href"].endswith(body["DocumentId"])
    doc_id = body["DocumentId"]
    assert vtex.get(f"{DOCS}/{doc_id}", params={"_fields": "email,firstName"}).json() == {
        "email": "a@x.com",
        "firstName": "Ann",
    }
    assert vtex.patch(f"{DOCS}/{doc_id}", json={"lastName": "Lee"}).status_code == 204
    assert vtex.get(f"{DOCS}/{doc_id}", params={"_fields": "_all"}).json()["firstName"] == "Ann"
    assert vtex.put(f"{DOCS}/{doc_id}", json={"email": "b@x.com"}).status_code == 204
    replaced = vtex.get(f"{DOCS}/{doc_id}", params={"_fields": "email,firstName"}).json()
    assert replaced == {"email": "b@x.com", "firstName": None}
    upsert = vtex.patch(DOCS, json={"id": "custom-1", "email": "c@x.com"})
    assert upsert.status_code in (200, 201) and upsert.json()["DocumentId"] == "custom-1"
    assert vtex.delete(f"{DOCS}/{doc_id}").status_code == 204
    assert vtex.get(f"{DOCS}/{doc_id}").status_code == 404


def test_search_where_filters_sort_and_range(vtex: httpx.Client) -> None:
    for i in range(5):
        vtex.post(DOCS, json={"email": f"u{i}@x.com", "age": 20 + i, "city": "Rio" if i % 2 else None})
    vtex.post("/api/dataentities/AD/documents", json={"city": "Rio"})
    search = "/api/dataentities/CL/search"
    rio = vtex.get(search, params={"_where": "city=Rio", "_fields": "email"}).json()
    assert sorted(d["email"] for d in rio) == ["u1@x.com", "u3@x.com"]
    where = "(age=20 OR age=24) AND city is null"
    either = vtex.get(search, params={"_where": where, "_fields": "email", "_sort": "age DESC"}).json()
    assert [d["email"] for d in either] == ["u4@x.com", "u0@x.com"]
    simple = vtex.get(search, params={"email": "u2@x.com", "_fields": "age"}).json()
    assert simple == [{"age": 22}]
    page = vtex.get(
        search, params={"_fields": "email", "_sort": "age ASC"}, headers={"REST-Range": "resources=1-3"}
    )
    assert [d["email"] for d in page.json()] == ["u1@x.com", "u2@x.com"]
    assert page.headers["REST-Content-Range"] == "resources 1-3/5"
    too_many = vtex.get(search, headers={"REST-Range": "resources=0-500"})
    assert too_many.status_code == 400 and "Message" in too_many.json()
    assert vtex.get(search, params={"_where": "age between"}).status_code == 400
