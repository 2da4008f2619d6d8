import json

from django.test import Client


def test_unknown_api_path_answers_in_the_error_shape(db) -> None:
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "接口不存在", "details": None}}


def test_unauthenticated_request_is_401_in_the_error_shape(db) -> None:
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_chinese_is_not_escaped_in_json(db) -> None:
    response = Client().get("/api/v1/me")
    assert "请先登录" in response.content.decode()
    assert response["Content-Type"].startswith("application/json")


def test_openapi_document_is_served_with_chinese_unescaped(db) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "走访 Zoufang API" in response.content.decode()
    schema = json.loads(response.content)
    assert "/api/v1/me" in schema["paths"]


def test_every_operation_declares_its_error_responses(db) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert codes & {"200", "201", "204"}, (method, path)
            if operation.get("security"):
                assert {"401", "422"} <= codes, (method, path)


def test_api_docs_page_loads_its_scripts_locally(db) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body
    assert "cdn" not in body.lower()


def test_security_headers_are_set(db) -> None:
    response = Client().get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp
