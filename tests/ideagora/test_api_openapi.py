"""The live OpenAPI document describes every API endpoint the app serves."""

from __future__ import annotations

import re


def api_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_openapi_document_lists_every_route_with_its_schemas(client, app) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    documented = {
        (path, method)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in {"get", "post", "patch", "delete", "put"}
    }
    assert api_routes(app) <= documented
    assert {"/api/v1/register", "/api/v1/tokens", "/api/v1/tokens/current", "/api/v1/me"} <= set(
        spec["paths"]
    )
    register = spec["paths"]["/api/v1/register"]["post"]
    assert "201" in register["responses"]
    assert register["requestBody"]["content"]["application/json"]["schema"]
    me = spec["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
