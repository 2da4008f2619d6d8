"""Server-side PDF: the renderer reads the project's static files and data: URIs, and nothing from the network."""

import pytest

from core.pdf import BASE_URL, _fetcher_class, pdf_available, static_file

needs_weasyprint = pytest.mark.skipif(not pdf_available(), reason="needs WeasyPrint with the system's Pango")


def test_a_static_url_is_read_from_the_project_files() -> None:
    found = static_file(f"{BASE_URL}static/portal/poster.css?v=1")
    assert found is not None and found.name == "poster.css" and b"@page" in found.read_bytes()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/static/portal/poster.css",
        "http://127.0.0.1:8000/static/portal/poster.css",
        f"{BASE_URL}static/../config/settings.py",
        f"{BASE_URL}static/portal/no-such-file.css",
        f"{BASE_URL}media/photos/x.jpg",
        "file:///etc/passwd",
    ],
)
def test_anything_else_is_not_a_static_file(url: str) -> None:
    assert static_file(url) is None


@needs_weasyprint
def test_the_renderer_fetches_nothing_from_the_network() -> None:
    fetcher = _fetcher_class()()
    with pytest.raises(ValueError, match="not a static file"):
        fetcher.fetch("http://169.254.169.254/latest/meta-data/")
    with pytest.raises(ValueError, match="not a static file"):
        fetcher.fetch("file:///etc/passwd")
    assert fetcher.fetch("data:text/plain;base64,b2s=").read() == b"ok"
    assert b"@page" in fetcher.fetch(f"{BASE_URL}static/portal/poster.css").read()
