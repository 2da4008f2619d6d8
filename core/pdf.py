"""HTML pages rendered to PDF on the server (WeasyPrint), for documents printed in one go (the portal's posters).

WeasyPrint needs the system's Pango; it is imported only when a PDF is made, so that every other page works on a
machine without it (`pdf_available` tells). The renderer fetches nothing from the network: a page's stylesheets
and images come from the project's static files or from data: URIs, and any other address is refused (a
template that pointed elsewhere would otherwise make the server a client of that address).
"""

from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from core.errors import DomainError

PDF_CONTENT_TYPE = "application/pdf"
# The base the renderer resolves a page's relative links against; only its static paths are served.
BASE_URL = "https://zoufang.invalid/"


class PdfUnavailable(DomainError):
    """This server cannot render PDF (WeasyPrint or the system's Pango is missing); the HTML page still prints."""

    status = 503

    def __init__(self) -> None:
        super().__init__("本服务器暂不能生成PDF，请打开网页版直接打印", code="pdf_unavailable")


@cache
def pdf_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):  # OSError: the Python package is there, Pango is not
        return False
    return True


def static_file(url: str) -> Path | None:
    """The file behind one of the project's static URLs (collected copy first, then the apps' own), else None."""
    prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
    if not url.startswith(prefix):
        return None
    name = url.removeprefix(prefix).split("?", 1)[0].split("#", 1)[0]
    if not name or ".." in Path(name).parts:
        return None
    try:
        collected = Path(staticfiles_storage.path(name))
    except NotImplementedError:
        collected = None
    if collected is not None and collected.is_file():
        return collected
    found = finders.find(name)
    return Path(found) if isinstance(found, str) else None


@cache
def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_file(url)
            if path is None:
                raise ValueError(f"not a static file of the project: {url[:80]}")
            mime = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}.get(path.suffix, "")
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime} if mime else {})

    return StaticOnlyFetcher


def html_to_pdf(html: str) -> bytes:
    """The page as PDF, printed as a browser prints it (its `@media print` rules and `@page` size apply)."""
    if not pdf_available():
        raise PdfUnavailable()
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher_class()(), media_type="print")
    content: bytes = document.write_pdf()
    return content


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """A PDF as a download, its Chinese name sent as RFC 6266 filename* (as the Word and Excel downloads)."""
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
