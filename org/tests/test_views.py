import pytest
from django.test import Client
from django.urls import reverse

from tests.support import client_for

ROLE_TITLES = {
    "visitor": "走访干部",
    "handler": "经办人",
    "unit_head": "单位负责人",
    "dispatcher": "调度员",
    "supervisor": "督查员",
    "other_leader": "领导",
    "admin": "管理员",
}


def test_login_page_is_in_chinese_whatever_the_browser_language(db) -> None:
    response = Client().get(reverse("org:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert "登录" in body and "大走访工作平台" in body


def test_home_needs_a_signed_in_user(db) -> None:
    response = Client().get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))


@pytest.mark.parametrize("name", list(ROLE_TITLES))
def test_home_page_shows_the_section_of_each_role_held(personas, name: str) -> None:
    user = personas.all()[name]
    body = client_for(user).get(reverse("home")).content.decode()
    role = user.memberships.get().role
    assert f'data-role="{role}"' in body
    assert ROLE_TITLES[name] in body
    assert body.count('class="role-section"') == 1
    assert user.full_name in body


def test_a_person_with_two_roles_sees_both_sections_in_work_order(personas) -> None:
    from org.models import Role
    from org.tests.factories import make_member

    make_member(username="handler", unit=personas.duyun_plc, role=Role.DISPATCHER)
    body = client_for(personas.handler).get(reverse("home")).content.decode()
    assert body.index('data-role="handler"') < body.index('data-role="dispatcher"')


def test_home_figures_count_the_scope(personas) -> None:
    response = client_for(personas.handler).get(reverse("home"))
    figures = response.context["figures"]
    assert (figures.counties, figures.townships, figures.units) == (1, 10, 4)
    wide = client_for(personas.prefecture_supervisor).get(reverse("home")).context["figures"]
    assert (wide.counties, wide.townships, wide.villages) == (12, 109, 1464)


def test_english_is_switchable_and_sticks(personas) -> None:
    client = client_for(personas.handler)
    client.post(reverse("set_language"), {"language": "en", "next": "/"}, HTTP_X_CSRFTOKEN=_csrf(client))
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in body
    assert "Sign out" in body


def _csrf(client: Client) -> str:
    client.get(reverse("home"))
    return client.cookies["csrftoken"].value


def test_admin_link_only_for_staff(personas) -> None:
    assert "系统管理" not in client_for(personas.handler).get(reverse("home")).content.decode()
    personas.admin.is_staff = True
    personas.admin.save(update_fields=["is_staff"])
    assert "系统管理" in client_for(personas.admin).get(reverse("home")).content.decode()


def test_healthz(db) -> None:
    assert Client().get("/healthz").json() == {"status": "ok"}
