"""The citizen's pages: submit with photos (EXIF gone), the code and secret shown once, track, rate (the
callback, reopen after an unsatisfied rating), and every abuse refused cleanly with nothing stored."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from appeals.models import Appeal, AppealEvent, Callback
from appeals.services import appeal_note, appeal_reopen
from appeals.tests.factories import fresh
from portal.models import PortalPhoto, PublicRequest
from portal.tests.factories import TEXT, VILLAGE, camera_jpeg, codes, form_data, handled

pytestmark = pytest.mark.django_db


def nothing_stored() -> bool:
    return (
        not Appeal.objects.exists()
        and not PortalPhoto.objects.exists()
        and not PublicRequest.objects.exists()
    )


def without_csrf(content: bytes) -> str:
    """The page without its CSRF token and without the code the visitor typed (shown back in the form)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())
    return re.sub(r'name="code" value="[^"]+"', "", page)


def submit(client: Client, **overrides: object):
    return client.post("/portal/", form_data(client, **overrides))


def test_the_form_is_public_and_in_chinese(qiannan) -> None:
    page = Client().get("/portal/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "反映问题" in html and "都匀市" in html and 'name="challenge"' in html


def test_a_submission_becomes_a_portal_appeal_with_code_and_secret_shown_once(
    qiannan, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    photo = SimpleUploadedFile("p.jpg", camera_jpeg(), content_type="image/jpeg")
    response = client.post("/portal/", {**form_data(client), "photos": [photo]})
    assert response.status_code == 201, response.content.decode()[:2000]
    code, secret = codes(response)
    appeal = Appeal.objects.get(code=code)
    assert appeal.source == "portal" and appeal.status == "registered" and appeal.registered_by is None
    assert appeal.category.code == "labour.wage_arrears" and appeal.region_id == VILLAGE
    assert appeal.reporter_name == "张三" and appeal.public_request.channel == "portal"
    assert response["Cache-Control"].startswith("max-age=0")
    stored = PortalPhoto.objects.get(appeal=appeal).image.read()
    image = Image.open(io.BytesIO(stored))
    assert max(image.size) == 1600 and not image.getexif() and b"Exif" not in stored
    # The secret opens the appeal, and it is not kept anywhere in clear.
    assert secret not in appeal.secret_hash
    tracked = client.post("/portal/track/", {"code": code, "secret": secret})
    assert tracked.status_code == 200 and "已收到" in tracked.content.decode()


def test_a_suggestion_with_a_problem_topic_is_refused(qiannan) -> None:
    response = submit(Client(), kind="suggestion", topic="wages")
    assert response.status_code == 422 and nothing_stored()


def test_anonymous_needs_no_contact(qiannan) -> None:
    response = submit(Client(), anonymous="on", name="", phone="")
    assert response.status_code == 201
    assert Appeal.objects.get().anonymous


def test_script_in_the_text_is_refused_with_nothing_stored(qiannan) -> None:
    response = submit(Client(), text="<script>alert(1)</script>工地拖欠工资三个月没有发放")
    assert response.status_code == 422 and nothing_stored()
    assert "&lt;script&gt;" not in response.content.decode().split("</textarea>")[0][-10:]


def test_a_missing_or_reused_challenge_is_refused(qiannan) -> None:
    client = Client()
    assert submit(client, answer="").status_code == 422 and nothing_stored()
    assert submit(client, challenge="forged", answer="1").status_code == 422 and nothing_stored()
    data = form_data(client)
    assert client.post("/portal/", data).status_code == 201
    assert client.post("/portal/", data).status_code == 422  # the same solved challenge buys one submission
    assert Appeal.objects.count() == 1


def test_an_oversized_or_wrong_type_upload_is_refused_with_nothing_stored(
    qiannan, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = Client()
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024), content_type="image/jpeg")
    assert client.post("/portal/", {**form_data(client), "photos": [big]}).status_code == 422
    script = SimpleUploadedFile("x.html", b"<script>", content_type="text/html")
    assert client.post("/portal/", {**form_data(client), "photos": [script]}).status_code == 422
    fake = SimpleUploadedFile("x.jpg", b"not a picture", content_type="image/jpeg")
    assert client.post("/portal/", {**form_data(client), "photos": [fake]}).status_code == 422
    four = [
        SimpleUploadedFile(f"{i}.jpg", camera_jpeg((40, 30)), content_type="image/jpeg") for i in range(4)
    ]
    assert client.post("/portal/", {**form_data(client), "photos": four}).status_code == 422
    assert nothing_stored() and not list(tmp_path.rglob("*.jpg"))


def test_a_flood_from_one_address_is_refused_after_the_limit(qiannan) -> None:
    client = Client()
    statuses = [submit(client, phone=f"1381234{i:04d}").status_code for i in range(12)]
    assert statuses[:10] == [201] * 10 and statuses[10:] == [429, 429]
    assert Appeal.objects.count() == 10


def test_one_phone_number_is_limited_per_day_from_any_address(qiannan) -> None:
    statuses = [submit(Client(REMOTE_ADDR=f"10.0.0.{i}")).status_code for i in range(5)]
    assert statuses == [201, 201, 201, 429, 429]


def test_a_guessed_code_and_a_wrong_secret_get_the_same_answer(qiannan) -> None:
    client = Client()
    code, secret = codes(submit(client))
    unknown = Client(REMOTE_ADDR="10.1.1.1").post(
        "/portal/track/", {"code": "522701-2026-999999", "secret": secret}
    )
    wrong = Client(REMOTE_ADDR="10.1.1.2").post("/portal/track/", {"code": code, "secret": "ABCDEFGH"})
    assert unknown.status_code == wrong.status_code == 404
    assert without_csrf(unknown.content) == without_csrf(wrong.content)


def test_fifty_wrong_secrets_lock_the_lookup_even_for_the_right_one(qiannan) -> None:
    client = Client()
    code, secret = codes(submit(client))
    attacker = Client(REMOTE_ADDR="10.2.2.2")
    answers = {
        attacker.post("/portal/track/", {"code": code, "secret": f"WRONG{i:03d}"}).status_code
        for i in range(50)
    }
    assert answers == {404}
    assert attacker.post("/portal/track/", {"code": code, "secret": secret}).status_code == 404
    # The code itself is locked too, from any address, for a while (a distributed guess gains nothing).
    assert (
        Client(REMOTE_ADDR="10.3.3.3").post("/portal/track/", {"code": code, "secret": secret}).status_code
        == 404
    )


def test_the_public_timeline_shows_no_notes_no_staff_and_redacts(qiannan, personas) -> None:
    client = Client()
    code, secret = codes(
        submit(
            client, text="邻居王建国家的狗咬伤了我，电话13987654321，请派出所处理一下。", topic="neighbours"
        )
    )
    appeal = Appeal.objects.get(code=code)
    appeal = handled(personas, appeal, reply="经调解，王建国已赔偿医药费八百元，双方签订了调解协议书。")
    appeal_note(
        appeal=appeal, actor=personas.dispatcher, expected_version=appeal.version, text="内部：当事人情绪激动"
    )
    html = client.post("/portal/track/", {"code": code, "secret": secret}).content.decode()
    assert "13987654321" not in html and "王建国" not in html
    assert "内部" not in html and "李经办" not in html and "刘调度" not in html
    assert "都匀市人力资源和社会保障局" in html and "赔偿医药费" in html
    assert 'data-testid="rate-form"' in html


def test_the_reply_waiting_for_approval_is_not_shown(qiannan, personas) -> None:
    from appeals.services import appeal_accept, appeal_assign, appeal_resolve

    client = Client()
    code, secret = codes(submit(client))
    appeal = Appeal.objects.get(code=code)
    appeal = appeal_assign(
        appeal=appeal, actor=personas.dispatcher, expected_version=1, lead_unit_id=personas.duyun_hr.pk
    )
    appeal = appeal_accept(appeal=appeal, actor=personas.handler, expected_version=appeal.version)
    appeal_resolve(
        appeal=appeal,
        actor=personas.handler,
        expected_version=appeal.version,
        reply="经核查，工资已全额支付给当事人，当事人已确认。",
    )
    assert fresh(appeal).status == "awaiting_approval"
    html = client.post("/portal/track/", {"code": code, "secret": secret}).content.decode()
    assert "全额支付" not in html and 'data-testid="rate-form"' not in html


def test_a_satisfied_rating_is_the_callback_and_closes(qiannan, personas) -> None:
    client = Client()
    code, secret = codes(submit(client))
    handled(personas, Appeal.objects.get(code=code))
    response = client.post(
        "/portal/track/rate", {"code": code, "secret": secret, "solved": "yes", "satisfaction": "satisfied"}
    )
    assert response.status_code == 200 and 'data-testid="thanked"' in response.content.decode()
    appeal = Appeal.objects.get(code=code)
    callback = Callback.objects.get(appeal=appeal)
    assert callback.method == "portal" and callback.by is None and callback.solved
    assert appeal.status == "closed"
    again = client.post(
        "/portal/track/rate", {"code": code, "secret": secret, "solved": "yes", "satisfaction": "satisfied"}
    )
    assert again.status_code == 409 and Callback.objects.count() == 1


def test_an_unsatisfied_rating_waits_for_the_dispatcher_who_may_reopen(qiannan, personas) -> None:
    client = Client()
    code, secret = codes(submit(client))
    handled(personas, Appeal.objects.get(code=code))
    client.post(
        "/portal/track/rate", {"code": code, "secret": secret, "solved": "no", "satisfaction": "unsatisfied"}
    )
    appeal = Appeal.objects.get(code=code)
    assert appeal.awaiting_decision and appeal.status == "resolved"
    appeal_reopen(
        appeal=appeal,
        actor=personas.dispatcher,
        expected_version=appeal.version,
        reason="群众反映工资仍未到账",
    )
    assert fresh(appeal).status == "assigned"  # back to the lead unit, with fresh deadlines
    assert AppealEvent.objects.filter(appeal=appeal, kind="reopened").exists()


def test_a_rating_with_a_wrong_secret_is_not_found_and_writes_nothing(qiannan, personas) -> None:
    client = Client()
    code, _secret = codes(submit(client))
    handled(personas, Appeal.objects.get(code=code))
    response = client.post(
        "/portal/track/rate",
        {"code": code, "secret": "WRONGONE", "solved": "yes", "satisfaction": "satisfied"},
    )
    assert response.status_code == 404 and not Callback.objects.exists()


def test_places_answer_the_tree(qiannan) -> None:
    client = Client()
    counties = client.get("/portal/places").json()["items"]
    assert len(counties) == 12 and counties[0]["code"] == "522701000000"
    townships = client.get("/portal/places?parent=522701000000").json()["items"]
    assert any(t["code"] == "522701001000" for t in townships)


def test_a_poster_link_fills_in_the_village(qiannan) -> None:
    html = Client().get(f"/portal/?place={VILLAGE}").content.decode()
    assert f'value="{VILLAGE}" selected' in html


def test_portal_photos_are_for_staff_who_see_the_appeal(qiannan, personas, settings, tmp_path) -> None:
    from tests.support import client_for

    settings.MEDIA_ROOT = tmp_path
    client = Client()
    photo = SimpleUploadedFile("p.jpg", camera_jpeg((400, 300)), content_type="image/jpeg")
    client.post("/portal/", {**form_data(client), "photos": [photo]})
    item = PortalPhoto.objects.get()
    url = f"/portal/photos/{item.uuid}.jpg"
    assert client.get(url).status_code == 302  # to the sign-in
    assert client_for(personas.dispatcher).get(url).status_code == 200
    assert client_for(personas.other_handler).get(url).status_code == 404
    detail = client_for(personas.dispatcher).get(f"/appeals/{item.appeal_id}/").content.decode()
    assert 'data-testid="citizen-photos"' in detail and url in detail
    assert TEXT
