"""Photos in the field app at /m/, in a real browser: taken with no network, shrunk on the phone, kept in
IndexedDB with their visit, uploaded once the visit has arrived, retried until they arrive, and removed from the
phone when the server has them. Also the places the cadre answers for (包保) listed first, and a visit to one
of their enterprises with suggestions; a household contact typed offline arrives with its visit."""

import io
import json
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import ExifTags, Image
from playwright.sync_api import expect

from campaigns import models as campaigns_models
from tests.e2e.test_field_offline import wait_until
from tests.e2e.test_login import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

DB_NAME = "zoufang-field-visitor"
HERE = {"latitude": 26.2594, "longitude": 107.5186, "accuracy": 25}

# How many photo entries the phone still holds, and how many of them still hold the picture itself.
STORED_PHOTOS = """
(name) => new Promise((resolve, reject) => {
  const open = indexedDB.open(name);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const request = open.result.transaction("photos", "readonly").objectStore("photos").getAll();
    request.onsuccess = () => {
      const rows = request.result;
      open.result.close();
      resolve({
        entries: rows.length,
        blobs: rows.filter((p) => p.blob).length,
        sizes: rows.filter((p) => p.blob).map((p) => p.blob.size),
        states: rows.map((p) => p.state),
      });
    };
    request.onerror = () => reject(request.error);
  };
})
"""

# When the phone last finished sending its outbox (the app's "last_sync" in IndexedDB).
LAST_SYNC = """
(name) => new Promise((resolve, reject) => {
  const open = indexedDB.open(name);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const request = open.result.transaction("meta", "readonly").objectStore("meta").get("last_sync");
    request.onsuccess = () => {
      open.result.close();
      resolve(request.result ? request.result.value : 0);
    };
    request.onerror = () => reject(request.error);
  };
})
"""

CACHED_URLS = """
async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(request.url);
  }
  return urls;
}
"""


def camera_jpeg(size: tuple[int, int] = (3000, 2000)) -> bytes:
    """A phone camera's JPEG, with its GPS position in the EXIF."""
    image = Image.new("RGB", size, (170, 60, 40))
    image.paste((30, 120, 200), (0, 0, size[0] // 2, size[1] // 2))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (26.0, 15.0, 33.84),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (107.0, 31.0, 6.96),
    }
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=92)
    return out.getvalue()


def photo_file(name: str) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": camera_jpeg()}


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def campaign(personas):
    today = timezone.localdate()
    return campaigns_models.Campaign.objects.create(
        name="冬春大走访", starts=today - timedelta(days=7), ends=today + timedelta(days=30)
    )


@pytest.fixture
def located_page(browser):
    """A phone that knows where it is and lets the page ask."""
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", geolocation=HERE, permissions=["geolocation"]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def open_field_app(page, server) -> None:
    sign_in(page, server, "visitor")
    page.wait_for_url(f"{server.url}/")
    page.goto(f"{server.url}/m/")
    page.wait_for_selector("body[data-places-loaded='1']")


def stored_photos(page) -> dict:
    return page.evaluate(STORED_PHOTOS, DB_NAME)


def test_a_photo_taken_offline_arrives_once_with_its_visit_and_leaves_the_phone(
    located_page, live_server, campaign, media
) -> None:
    page, context = located_page, located_page.context
    Visit, VisitPhoto = campaigns_models.Visit, campaigns_models.VisitPhoto
    open_field_app(page, live_server)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    wait_until(page, "navigator.serviceWorker.controller !== null")
    expect(page.locator("[data-testid=location-state]")).to_contain_text("已定位")

    context.set_offline(True)
    page.wait_for_selector("[data-testid=network][data-online='0']")
    page.select_option("#f-place", index=1)
    page.fill("#f-households", "4")
    page.fill("#f-notes", "走访低保户，查看危房改造进度。")
    page.fill("#f-suggestions", "希望村里增设公交站点。")
    page.fill("#f-household-name", "张三丰")
    page.fill("#f-household-phone", "13812345678")
    page.set_input_files("#f-photos", files=[photo_file("IMG_0001.jpg"), photo_file("IMG_0002.jpg")])
    expect(page.locator("#photo-previews li")).to_have_count(2)
    page.check("#f-keep-location")
    page.click("#save-visit")
    expect(page.locator("#outbox-list li")).to_have_count(1)
    expect(page.locator("#photo-previews li")).to_have_count(0)  # the form is ready for the next visit

    kept = stored_photos(page)
    assert kept["entries"] == 2 and kept["blobs"] == 2
    assert all(size < 400_000 for size in kept["sizes"])  # shrunk on the phone, not the camera's file
    page.click("[data-tab=outbox]")
    photos_line = page.locator("#outbox-list li [data-testid=photos]")
    expect(photos_line).to_contain_text("照片 0/2 已上传")
    assert Visit.objects.count() == 0 and VisitPhoto.objects.count() == 0

    context.set_offline(False)
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(1, timeout=30_000)
    expect(photos_line).to_contain_text("照片 2/2 已上传", timeout=30_000)

    visit = Visit.objects.get()
    assert visit.suggestions == "希望村里增设公交站点。"
    assert (visit.household_name, visit.household_phone) == ("张三丰", "13812345678")  # through the outbox
    assert visit.latitude == Decimal("26.259400") and visit.longitude == Decimal("107.518600")
    photos = list(VisitPhoto.objects.filter(visit=visit))
    assert len(photos) == 2
    for photo in photos:
        assert (photo.width, photo.height) == (1600, 1067)
        assert (photo.latitude, photo.longitude) == (Decimal("26.259400"), Decimal("107.518600"))
        assert photo.taken_at is not None
        stored = Path(photo.image.path).read_bytes()
        assert b"Exif" not in stored and not Image.open(io.BytesIO(stored)).getexif()

    # The server has them: the pictures leave the phone, their arrival stays on the outbox.
    kept = stored_photos(page)
    assert kept["entries"] == 2 and kept["blobs"] == 0 and kept["states"] == ["uploaded", "uploaded"]

    # Another sync sends nothing again: once it has run (it notes its time on the phone), nothing more is stored.
    synced_at = page.evaluate(LAST_SYNC, DB_NAME)
    page.click("#sync-now")
    wait_until(page, f"({LAST_SYNC})({json.dumps(DB_NAME)}).then((at) => at > {synced_at})")
    assert Visit.objects.count() == 1 and VisitPhoto.objects.count() == 2

    # The service worker keeps the shell, never an API answer.
    cached = page.evaluate(CACHED_URLS)
    assert any(url.endswith("/m/") for url in cached)
    assert not [url for url in cached if "/api/" in url]

    # The visit page shows it through the image view.
    response = page.request.get(f"{live_server.url}/visits/photos/{photos[0].uuid}.jpg")
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"


def test_a_failed_upload_is_retried_until_the_photo_arrives(
    page, live_server, personas, campaign, media
) -> None:
    Visit, VisitPhoto = campaigns_models.Visit, campaigns_models.VisitPhoto
    enterprise = campaigns_models.Enterprise.objects.create(name="都匀某建筑公司", region_id="522701001001")
    campaigns_models.Responsibility.objects.create(
        campaign=campaign, visitor=personas.visitor, enterprise=enterprise
    )
    attempts: list[str] = []

    def fail_first(route) -> None:
        attempts.append(route.request.method)
        if len(attempts) == 1:
            route.abort("connectionreset")
        else:
            route.continue_()

    open_field_app(page, live_server)
    page.click("[data-tab=places]")
    mine = page.locator("#places-list li[data-mine='1']")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("都匀某建筑公司")
    # 我的包保 comes before the other villages in scope.
    heads = page.eval_on_selector_all(
        "#places-list li.group-head", "items => items.map(li => li.textContent)"
    )
    assert heads == ["我的包保", "工作范围内的其他村（社区）"]

    page.route("**/api/v1/visits/*/photos", fail_first)
    mine.click()  # tapping a place of mine starts a record there
    page.wait_for_selector("[data-panel=record]:not([hidden])")
    assert page.input_value("#f-place") == f"e:{enterprise.pk}"
    page.fill("#f-notes", "走访企业，了解欠薪情况。")
    page.set_input_files("#f-photos", files=[photo_file("IMG_0003.jpg")])
    expect(page.locator("#photo-previews li")).to_have_count(1)
    page.click("#save-visit")
    page.click("[data-tab=outbox]")
    photos_line = page.locator("#outbox-list li [data-testid=photos]")
    expect(page.locator("#outbox-list li[data-state=synced]")).to_have_count(1, timeout=15_000)
    expect(photos_line).to_contain_text("照片 1/1 已上传", timeout=30_000)

    assert len(attempts) >= 2  # the first was cut, a later one arrived
    visit = Visit.objects.get()
    assert visit.enterprise_id == enterprise.pk and visit.region_id == "522701001001"
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
    photo = VisitPhoto.objects.get()
    assert photo.latitude is None and photo.longitude is None  # no location unless kept on purpose
    assert stored_photos(page)["blobs"] == 0


def test_a_photo_the_server_refuses_is_shown_as_failed_with_its_reason(
    page, live_server, personas, campaign, media
) -> None:
    from campaigns.services import MAX_PHOTOS_PER_VISIT, visit_photo_add

    VisitPhoto = campaigns_models.VisitPhoto
    small = camera_jpeg((40, 30))

    def fill_the_visit_first(route) -> None:
        # The visit has arrived; before its photo does, it reaches the most photos a visit may have.
        visit = campaigns_models.Visit.objects.get()
        while visit.photos.count() < MAX_PHOTOS_PER_VISIT:
            visit_photo_add(
                actor=personas.visitor, visit_uuid=visit.uuid, photo_uuid=uuid.uuid4(), content=small
            )
        route.continue_()

    open_field_app(page, live_server)
    page.route("**/api/v1/visits/*/photos", fill_the_visit_first)
    page.select_option("#f-place", index=1)
    page.set_input_files("#f-photos", files=[photo_file("IMG_0004.jpg")])
    expect(page.locator("#photo-previews li")).to_have_count(1)
    page.click("#save-visit")
    page.click("[data-tab=outbox]")
    line = page.locator("#outbox-list li [data-testid=photos]")
    expect(line).to_have_attribute("data-failed", "1", timeout=30_000)
    expect(line.locator("[data-testid=photo-message]")).to_contain_text("最多20张照片")
    assert line.get_attribute("data-uploaded") == "0"
    assert VisitPhoto.objects.count() == MAX_PHOTOS_PER_VISIT
    # Refused, not lost: the picture stays on the phone.
    assert stored_photos(page)["blobs"] == 1
