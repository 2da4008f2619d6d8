"""Refusals in HTML are Chinese pages inside the site's layout (core.middleware.DomainErrorMiddleware and the
error views of core.views); addresses from before the apps had their own prefixes still open their pages."""

import pytest

from appeals.tests.factories import register
from tests.support import client_for


def _error_page(response, status: int) -> str:
    body = response.content.decode()
    assert response.status_code == status
    assert 'data-testid="error-page"' in body and f'data-status="{status}"' in body
    assert 'class="site-header"' in body  # inside the layout, with its navigation
    return body


def test_an_unknown_address_is_a_chinese_page_inside_the_layout(personas) -> None:
    body = _error_page(client_for(personas.handler).get("/no-such-page/"), 404)
    assert "未找到" in body and "返回首页" in body
    assert "Page not found" not in body


def test_an_appeal_out_of_scope_answers_like_a_missing_one(personas) -> None:
    appeal = register(personas.dispatcher)
    outsider = client_for(personas.other_handler)
    out_of_scope = _error_page(outsider.get(f"/appeals/{appeal.pk}/"), 404)
    missing = _error_page(outsider.get(f"/appeals/{appeal.pk + 1000}/"), 404)
    assert "诉求不存在" in out_of_scope and "诉求不存在" in missing


def test_a_role_that_may_not_open_a_page_gets_a_chinese_403(personas) -> None:
    body = _error_page(client_for(personas.visitor).get("/appeals/dispatch/"), 403)
    assert "无权执行此操作" in body


def test_an_unknown_api_address_answers_in_the_error_shape(personas) -> None:
    response = client_for(personas.handler).get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/visits/?campaign=1", "/campaigns/visits/?campaign=1"),
        ("/visits/7/", "/campaigns/visits/7/"),
        (
            "/visits/photos/0b7e4b8e-6a0c-4b59-9a44-3f9f8a1d2c3e.jpg",
            "/campaigns/visits/photos/0b7e4b8e-6a0c-4b59-9a44-3f9f8a1d2c3e.jpg",
        ),
        ("/notifications/", "/appeals/notifications/"),
    ],
)
def test_a_bookmark_of_a_moved_page_is_redirected_for_good(personas, old: str, new: str) -> None:
    response = client_for(personas.handler).get(old)
    assert response.status_code == 301
    assert response["Location"] == new
