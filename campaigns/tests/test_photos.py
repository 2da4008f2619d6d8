"""Visit photos: stored downscaled without EXIF, idempotent by uuid, only on the uploader's own visit; the photo
list and image in the visit's scope; the places a cadre answers for."""

import io
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from PIL import ExifTags, Image

from campaigns.models import Campaign, Enterprise, Responsibility, Visit, VisitPhoto
from campaigns.services import MAX_PHOTOS_PER_VISIT, VisitData, visit_photo_add, visit_record
from campaigns.tests.factories import record_visit
from core.errors import DomainError, InvalidInput, NotFound
from tests.support import Personas, api_client, client_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=SHANGHAI)
VILLAGE = "522701001001"  # in 广惠街道, 都匀市
FUQUAN_VILLAGE = "522702001001"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def campaign(personas: Personas) -> Campaign:
    return Campaign.objects.create(name="冬春大走访", starts=date(2027, 1, 1), ends=date(2027, 3, 31))


@pytest.fixture
def visit(personas: Personas, campaign: Campaign) -> Visit:
    return record_visit(personas.visitor)


def jpeg(
    size: tuple[int, int] = (4000, 3000), *, colour: tuple[int, int, int] = (180, 40, 40), **exif: Any
) -> bytes:
    """A camera-like JPEG whose EXIF carries the make, the owner, an orientation and a GPS position."""
    image = Image.new("RGB", size, colour)
    image.paste((20, 90, 200), (0, 0, size[0] // 2, size[1] // 3))  # so the pixels are not all one colour
    tags = Image.Exif()
    tags[ExifTags.Base.Make] = "Phone"
    tags[ExifTags.Base.Artist] = "王走访"
    tags[ExifTags.Base.Orientation] = exif.get("orientation", 1)
    tags[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (26.0, 15.0, 33.84),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (107.0, 31.0, 6.96),
    }
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=tags, quality=90)
    return out.getvalue()


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def add(user: Any, visit: Visit, content: bytes, **kwargs: Any) -> Any:
    kwargs.setdefault("photo_uuid", uuid.uuid4())
    return visit_photo_add(actor=user, visit_uuid=visit.uuid, content=content, **kwargs)


# --- the service ---------------------------------------------------------------------------------------------


def test_a_camera_photo_is_stored_at_1600_px_without_any_exif(personas, visit, media) -> None:
    recorded = add(personas.visitor, visit, jpeg())
    assert recorded.created
    photo = VisitPhoto.objects.get()
    assert (photo.width, photo.height) == (1600, 1200)
    stored = Path(photo.image.path).read_bytes()
    assert photo.size == len(stored)
    assert photo.image.name.endswith(f"{photo.uuid}.jpg")
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (1600, 1200)
    assert not image.getexif()
    assert "exif" not in image.info and "xmp" not in image.info and "comment" not in image.info
    assert b"Exif" not in stored and "王走访".encode() not in stored and b"Phone" not in stored
    assert photo.latitude is None and photo.longitude is None  # EXIF GPS is never kept


def test_the_photo_is_turned_upright_by_its_exif_orientation(personas, visit) -> None:
    add(personas.visitor, visit, jpeg(orientation=6))  # the phone was held upright: rotate 90°
    photo = VisitPhoto.objects.get()
    assert (photo.width, photo.height) == (1200, 1600)


def test_a_small_png_keeps_its_size_and_becomes_a_jpeg(personas, visit) -> None:
    out = io.BytesIO()
    Image.new("RGBA", (800, 600), (0, 0, 0, 0)).save(out, format="PNG")
    add(personas.visitor, visit, out.getvalue())
    photo = VisitPhoto.objects.get()
    assert (photo.width, photo.height) == (800, 600)
    image = Image.open(photo.image.path)
    assert image.format == "JPEG" and image.getpixel((10, 10)) == (255, 255, 255)  # transparent on white


def test_a_location_sent_on_purpose_is_kept_in_the_columns(personas, visit) -> None:
    taken = NOW - timedelta(minutes=30)
    add(
        personas.visitor,
        visit,
        jpeg(),
        latitude=Decimal("26.259400"),
        longitude=Decimal("107.518600"),
        taken_at=taken,
    )
    photo = VisitPhoto.objects.get()
    assert (photo.latitude, photo.longitude) == (Decimal("26.259400"), Decimal("107.518600"))
    assert photo.taken_at == taken
    assert b"Exif" not in Path(photo.image.path).read_bytes()


def test_the_same_uuid_and_bytes_again_answer_the_stored_photo(personas, visit, media) -> None:
    content, photo_uuid = jpeg(), uuid.uuid4()
    first = add(personas.visitor, visit, content, photo_uuid=photo_uuid)
    again = add(personas.visitor, visit, content, photo_uuid=photo_uuid)
    assert not again.created and again.photo.pk == first.photo.pk
    assert VisitPhoto.objects.count() == 1
    assert len(stored_files(media)) == 1


def test_the_same_uuid_with_other_bytes_is_a_conflict(personas, visit, media) -> None:
    photo_uuid = uuid.uuid4()
    add(personas.visitor, visit, jpeg(), photo_uuid=photo_uuid)
    with pytest.raises(DomainError) as refused:
        add(personas.visitor, visit, jpeg(colour=(0, 128, 0)), photo_uuid=photo_uuid)
    assert refused.value.status == 409 and refused.value.code == "uuid_conflict"
    assert VisitPhoto.objects.count() == 1
    assert len(stored_files(media)) == 1


def test_a_photo_uuid_already_on_another_visit_is_a_conflict(personas, visit) -> None:
    content, photo_uuid = jpeg(), uuid.uuid4()
    add(personas.visitor, visit, content, photo_uuid=photo_uuid)
    other = record_visit(personas.visitor)
    with pytest.raises(DomainError) as refused:
        add(personas.visitor, other, content, photo_uuid=photo_uuid)
    assert refused.value.status == 409 and refused.value.code == "uuid_conflict"
    assert not other.photos.exists()


@pytest.mark.parametrize(
    "content",
    [
        b"not an image at all",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        jpeg((400, 300))[:200],  # a truncated upload
    ],
    ids=["text", "gif", "truncated"],
)
def test_what_is_not_a_jpeg_png_or_webp_image_is_refused(personas, visit, media, content) -> None:
    with pytest.raises(InvalidInput) as refused:
        add(personas.visitor, visit, content)
    assert refused.value.status == 422 and "file" in refused.value.details
    assert not VisitPhoto.objects.exists() and not stored_files(media)


def test_a_decompression_bomb_is_refused_before_it_is_decoded(personas, visit, media) -> None:
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")  # 48 megapixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    with pytest.raises(InvalidInput) as refused:
        add(personas.visitor, visit, out.getvalue())
    assert "像素" in refused.value.message
    assert not VisitPhoto.objects.exists() and not stored_files(media)


def test_more_than_15_mb_is_refused(personas, visit, media) -> None:
    with pytest.raises(InvalidInput):
        add(personas.visitor, visit, jpeg((400, 300)) + b"\0" * (15 * 1024 * 1024))
    assert not VisitPhoto.objects.exists() and not stored_files(media)


def test_a_visit_takes_at_most_20_photos(personas, visit) -> None:
    small = jpeg((40, 30))
    for _ in range(MAX_PHOTOS_PER_VISIT):
        add(personas.visitor, visit, small)
    with pytest.raises(InvalidInput) as refused:
        add(personas.visitor, visit, small)
    assert refused.value.code == "too_many_photos"
    assert visit.photos.count() == MAX_PHOTOS_PER_VISIT


def test_another_cadres_visit_is_answered_like_a_missing_one(personas, visit, media) -> None:
    # The dispatcher may record visits and sees this one, but did not record it.
    with pytest.raises(NotFound) as other:
        add(personas.dispatcher, visit, jpeg())
    with pytest.raises(NotFound) as missing:
        visit_photo_add(
            actor=personas.visitor, visit_uuid=uuid.uuid4(), photo_uuid=uuid.uuid4(), content=jpeg()
        )
    assert other.value.message == missing.value.message == "走访记录不存在"
    assert not VisitPhoto.objects.exists() and not stored_files(media)


# --- the API -------------------------------------------------------------------------------------------------


def upload(client: Client, visit: Visit, content: bytes, **fields: Any) -> Any:
    fields.setdefault("uuid", str(uuid.uuid4()))
    body = {**fields, "file": io.BytesIO(content)}
    body["file"].name = "IMG_0001.jpg"
    return client.post(f"/api/v1/visits/{visit.uuid}/photos", body)


def test_the_visitor_uploads_a_photo_201_then_200_then_409(personas, visit) -> None:
    client, content, photo_uuid = api_client(personas.visitor), jpeg(), str(uuid.uuid4())
    created = upload(client, visit, content, uuid=photo_uuid, lat="26.2594", lng="107.5186")
    assert created.status_code == 201, created.content.decode()
    out = created.json()
    assert out["uuid"] == photo_uuid and (out["width"], out["height"]) == (1600, 1200)
    assert out["url"] == f"/campaigns/visits/photos/{photo_uuid}.jpg"
    assert out["location"] == {"lat": 26.2594, "lng": 107.5186}
    repeat = upload(client, visit, content, uuid=photo_uuid, lat="26.2594", lng="107.5186")
    assert repeat.status_code == 200 and repeat.json() == out
    conflict = upload(client, visit, jpeg(colour=(1, 2, 3)), uuid=photo_uuid)
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "uuid_conflict"
    assert VisitPhoto.objects.count() == 1


def test_a_photo_without_a_location_has_none(personas, visit) -> None:
    response = upload(api_client(personas.visitor), visit, jpeg(), taken_at="2027-01-10T11:30:00+08:00")
    assert response.status_code == 201
    assert response.json()["location"] is None
    assert response.json()["taken_at"].startswith("2027-01-10T")


@pytest.mark.parametrize(
    "fields",
    [
        {"uuid": "not-a-uuid"},
        {"lat": "26.2"},  # half a location
        {"lat": "91", "lng": "107"},
        {"taken_at": "2027-01-10T11:30:00"},  # no time zone
    ],
)
def test_bad_fields_answer_422_and_write_nothing(personas, visit, media, fields) -> None:
    response = upload(api_client(personas.visitor), visit, jpeg((40, 30)), **fields)
    assert response.status_code == 422, response.content.decode()
    assert response.json()["error"]["details"]
    assert not VisitPhoto.objects.exists() and not stored_files(media)


def test_a_file_that_is_no_image_answers_422(personas, visit) -> None:
    response = upload(api_client(personas.visitor), visit, b"%PDF-1.7 not a photo")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    assert "file" in response.json()["error"]["details"]


def test_an_upload_without_a_file_answers_422(personas, visit) -> None:
    response = api_client(personas.visitor).post(
        f"/api/v1/visits/{visit.uuid}/photos", {"uuid": str(uuid.uuid4())}
    )
    assert response.status_code == 422
    assert not VisitPhoto.objects.exists()


def test_everyone_but_the_visitor_gets_404_when_uploading(personas, visit) -> None:
    missing = upload(api_client(personas.visitor), Visit(uuid=uuid.uuid4()), jpeg((40, 30)))
    assert missing.status_code == 404
    for name, user in personas.all().items():
        if name == "visitor":
            continue
        response = upload(api_client(user), visit, jpeg((40, 30)))
        assert response.status_code == 404, name
        assert response.json() == missing.json(), name
    assert not VisitPhoto.objects.exists()


def test_the_browser_session_needs_its_csrf_token(personas, visit) -> None:
    response = upload(client_for(personas.visitor), visit, jpeg((40, 30)))
    assert response.status_code == 403
    assert not VisitPhoto.objects.exists()


# The village lies in 广惠街道, 都匀市: 福泉's cadres do not see its visits.
SEES_DUYUN_VISITS = {
    "township_handler",
    "visitor",
    "handler",
    "unit_head",
    "dispatcher",
    "supervisor",
    "prefecture_supervisor",
    "admin",
}


def test_the_photo_list_follows_the_visit_scope(personas, visit) -> None:
    add(personas.visitor, visit, jpeg((400, 300)))
    add(personas.visitor, visit, jpeg((300, 400)))
    missing = api_client(personas.visitor).get("/api/v1/visits/999999/photos")
    assert missing.status_code == 404
    for name, user in personas.all().items():
        response = api_client(user).get(f"/api/v1/visits/{visit.pk}/photos")
        if name in SEES_DUYUN_VISITS:
            assert response.status_code == 200, name
            assert [(p["width"], p["height"]) for p in response.json()] == [(400, 300), (300, 400)]
        else:
            assert response.status_code == 404, name
            assert response.json() == missing.json(), name


def test_the_visit_list_carries_the_photos(personas, visit) -> None:
    add(personas.visitor, visit, jpeg((400, 300)), latitude=Decimal("26.1"), longitude=Decimal("107.5"))
    items = api_client(personas.supervisor).get("/api/v1/visits").json()["items"]
    assert len(items) == 1
    (photo,) = items[0]["photos"]
    assert (photo["width"], photo["height"]) == (400, 300)
    assert photo["location"] == {"lat": 26.1, "lng": 107.5}
    assert photo["url"] == f"/campaigns/visits/photos/{photo['uuid']}.jpg"


# --- the photo itself ----------------------------------------------------------------------------------------


def test_the_photo_is_served_to_those_who_see_the_visit(personas, visit) -> None:
    photo = add(personas.visitor, visit, jpeg((400, 300))).photo
    url = f"/campaigns/visits/photos/{photo.uuid}.jpg"
    missing = client_for(personas.visitor).get(f"/campaigns/visits/photos/{uuid.uuid4()}.jpg")
    assert missing.status_code == 404
    for name, user in personas.all().items():
        response = client_for(user).get(url)
        if name in SEES_DUYUN_VISITS:
            assert response.status_code == 200, name
            assert response["Content-Type"] == "image/jpeg"
            assert "private" in response["Cache-Control"]
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response.getvalue() == Path(photo.image.path).read_bytes()
        else:
            assert response.status_code == 404, name


def test_the_photo_needs_sign_in(personas, visit) -> None:
    photo = add(personas.visitor, visit, jpeg((40, 30))).photo
    response = Client().get(f"/campaigns/visits/photos/{photo.uuid}.jpg")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- my places -----------------------------------------------------------------------------------------------


def test_my_places_are_my_responsibilities_in_active_campaigns(personas, campaign) -> None:
    ended = Campaign.objects.create(
        name="去年大走访", starts=date(2026, 1, 1), ends=date(2026, 3, 31), is_active=False
    )
    enterprise = Enterprise.objects.create(name="都匀某建筑公司", region_id=VILLAGE, address="广惠路1号")
    closed = Enterprise.objects.create(name="已注销企业", region_id=VILLAGE, is_active=False)
    visitor = personas.visitor
    Responsibility.objects.create(campaign=campaign, visitor=visitor, region_id=VILLAGE)
    Responsibility.objects.create(campaign=campaign, visitor=visitor, enterprise=enterprise)
    Responsibility.objects.create(campaign=campaign, visitor=visitor, enterprise=closed)
    Responsibility.objects.create(campaign=ended, visitor=visitor, region_id="522701001002")
    Responsibility.objects.create(campaign=ended, visitor=visitor, region_id=VILLAGE)
    Responsibility.objects.create(campaign=campaign, visitor=personas.handler, region_id="522701001003")

    response = api_client(visitor).get("/api/v1/me/places")
    assert response.status_code == 200
    out = response.json()
    assert [v["code"] for v in out["villages"]] == [VILLAGE]
    assert out["villages"][0]["township_code"] == "522701001000"
    assert out["villages"][0]["township_name"]
    assert out["enterprises"] == [
        {
            "id": enterprise.pk,
            "name": "都匀某建筑公司",
            "address": "广惠路1号",
            "region_code": VILLAGE,
            "region_name": out["villages"][0]["name"],
            "township_name": out["villages"][0]["township_name"],
        }
    ]
    assert api_client(personas.other_leader).get("/api/v1/me/places").json() == {
        "villages": [],
        "enterprises": [],
    }


def test_my_places_needs_sign_in(db) -> None:
    assert Client().get("/api/v1/me/places").status_code == 401


def test_a_visit_to_an_enterprise_i_answer_for_takes_photos(personas, campaign) -> None:
    enterprise = Enterprise.objects.create(name="都匀某建筑公司", region_id=VILLAGE)
    data = VisitData(uuid=uuid.uuid4(), started_at=NOW - timedelta(hours=1), enterprise_id=enterprise.pk)
    visit = visit_record(actor=personas.visitor, data=data).visit
    assert upload(api_client(personas.visitor), visit, jpeg((400, 300))).status_code == 201
