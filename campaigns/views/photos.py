"""A visit photo as an image, for the pages that show a visit: only to those who may see the visit."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from campaigns.permissions import access_visit_photo
from core.errors import NotFound
from core.web import request_user


@login_required
@require_GET
def photo(request: HttpRequest, photo_uuid: UUID) -> FileResponse:
    found = access_visit_photo(request_user(request), photo_uuid)
    try:
        image = found.image.open("rb")
    except FileNotFoundError:
        raise NotFound("照片不存在") from None
    response = FileResponse(image, content_type="image/jpeg")
    # Never in a shared cache: who may see a photo depends on who asks.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{found.uuid}.jpg"'
    return response
