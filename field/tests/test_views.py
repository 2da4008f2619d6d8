"""The field app's shell, service worker and manifest as the server hands them out."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client

from core.staticfiles import StaticFilesStorage
from tests.support import Personas, client_for

SCRIPTS = Path(__file__).resolve().parents[1] / "static" / "field"

pytestmark = pytest.mark.django_db


def test_shell_requires_sign_in(client: Client) -> None:
    response = client.get("/m/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_shell_renders_for_a_visitor_with_csrf_token_and_manifest(personas: Personas) -> None:
    response = client_for(personas.visitor).get("/m/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="csrf-token" content="' in html
    token = html.split('<meta name="csrf-token" content="', 1)[1].split('"', 1)[0]
    assert len(token) >= 32
    assert '<link rel="manifest" href="/m/manifest.webmanifest">' in html
    assert 'data-sw="/m/sw.js"' in html
    assert "<script>" not in html  # the Content-Security-Policy allows no inline script


def test_csrf_endpoint_gives_a_token_to_a_signed_in_user_only(client: Client, personas: Personas) -> None:
    assert client.get("/m/csrf").status_code == 401
    response = client_for(personas.visitor).get("/m/csrf")
    assert response.status_code == 200
    assert len(response.json()["token"]) >= 32
    assert response.json()["username"] == "visitor"
    assert "no-cache" in response["Cache-Control"]


def test_service_worker_is_served_uncached_with_its_scope(client: Client) -> None:
    response = client.get("/m/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/m/"
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control and "no-store" in cache_control
    script = response.content.decode()
    precache = json.loads(script.split("const ZF_PRECACHE = ", 1)[1].split(";\n", 1)[0])
    assert "/m/" in precache
    assert "/static/field/main.js" in precache
    assert 'addEventListener("fetch"' in script


def test_service_worker_precaches_every_module_of_the_app_and_its_texts(client: Client) -> None:
    script = client.get("/m/sw.js").content.decode()
    precache = json.loads(script.split("const ZF_PRECACHE = ", 1)[1].split(";\n", 1)[0])
    modules = sorted(path.name for path in SCRIPTS.glob("*.js") if path.name != "sw.js")
    assert "main.js" in modules and len(modules) > 1
    assert [name for name in modules if f"/static/field/{name}" not in precache] == []
    assert "/m/jsi18n.js" in precache
    assert 'const ZF_CATALOG = "/m/jsi18n.js";' in script


def test_shell_loads_the_catalog_before_its_module(personas: Personas) -> None:
    html = client_for(personas.visitor).get("/m/").content.decode()
    catalog = html.index('<script src="/m/jsi18n.js" defer></script>')
    assert catalog < html.index('<script type="module" src="/static/field/main.js"></script>')


def test_catalog_holds_the_apps_texts_in_the_sites_language(client: Client) -> None:
    response = client.get("/m/jsi18n.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    offline = json.dumps("离线")  # the catalog is JSON inside the script, Chinese escaped
    assert f'"offline": {offline}' in response.content.decode()
    assert "Cookie" in response["Vary"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert offline not in client.get("/m/jsi18n.js").content.decode()


def test_deployed_modules_import_the_hashed_copies_the_worker_caches(tmp_path: Path) -> None:
    """With DEBUG off the page loads main.js by its hashed name, and the worker caches hashed names."""
    storage = StaticFilesStorage(location=tmp_path, base_url="/static/")
    names = [f"field/{path.name}" for path in SCRIPTS.glob("*.js")]
    for name in names:
        storage.save(name, ContentFile((SCRIPTS / Path(name).name).read_bytes()))
    results = storage.post_process({name: (storage, name) for name in names})
    assert [result for _, _, result in results if isinstance(result, Exception)] == []
    main = (tmp_path / storage.stored_name("field/main.js")).read_text()
    imported = {f"field/{name}" for name in re.findall(r'from "\./([^"]+)";', main)}
    assert len(imported) > 1
    assert imported <= set(storage.hashed_files.values()) - set(names)


def test_service_worker_version_is_stable_between_requests(client: Client) -> None:
    first = client.get("/m/sw.js").content.splitlines()[0]
    assert first == client.get("/m/sw.js").content.splitlines()[0]
    assert first.startswith(b"const ZF_VERSION = ")


def test_manifest_is_valid_json_starting_at_the_field_app(client: Client) -> None:
    response = client.get("/m/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["name"] == "大走访"
    assert manifest["start_url"] == "/m/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes


def test_manifest_icons_exist_as_static_files() -> None:
    from django.contrib.staticfiles import finders

    for name in (
        "field/icon-192.png",
        "field/icon-512.png",
        "field/icon.svg",
        "field/main.js",
        "field/sw.js",
    ):
        assert finders.find(name), name


def test_visit_form_offers_photos_from_the_camera_location_choice_and_suggestions(personas: Personas) -> None:
    html = client_for(personas.visitor).get("/m/").content.decode()
    assert 'id="f-photos" accept="image/*" capture="environment" multiple' in html
    assert 'id="f-keep-location"' in html
    assert 'name="suggestions" id="f-suggestions"' in html
    assert 'id="f-household-name"' in html and 'id="f-household-phone"' in html
