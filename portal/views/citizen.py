"""The citizen's pages: submit, the tracking code and secret shown once, track, rate. No sign-in."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from appeals.models import Appeal
from appeals.permissions import access_appeal
from appeals.services import AppealDraft, Reporter
from core.audit import client_ip
from core.errors import InvalidInput, NotFound
from core.web import add_details, request_user
from portal.forms import PLAIN, PROBLEMS, SUGGESTIONS, ConsultationForm, RateForm, SubmitForm, TrackForm
from portal.models import Consultation, PortalPhoto
from portal.permissions import (
    access_consultation,
    access_tracked_appeal,
    challenge_bits,
    challenge_issue,
    challenge_verify,
    check_submit_allowed,
    count_submission,
)
from portal.selectors import (
    adopted_answers,
    consultations_public,
    place_near,
    place_path,
    places_under,
    public_view,
)
from portal.services import MAX_PORTAL_PHOTOS, Upload, consultation_answer, portal_rate, portal_submit


def _title(text: str) -> str:
    """The appeal's title: the text's first sentence, cut short."""
    first = text.strip().splitlines()[0]
    for stop in "。！？!?；;":
        first = first.split(stop)[0]
    return first[:30] or text[:30]


def _submit_page(
    request: HttpRequest, form: SubmitForm, *, status: int = 200, place: str = ""
) -> HttpResponse:
    context = {
        "form": form,
        "challenge": challenge_issue(),
        "challenge_bits": challenge_bits(),
        "problems": PROBLEMS,
        "suggestions": SUGGESTIONS,
        "counties": places_under(None),
        "preset": place_path(place) if place else [],
        "max_photos": MAX_PORTAL_PHOTOS,
    }
    return render(request, "portal/submit.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _submit_page(request, SubmitForm(), place=request.GET.get("place", "")[:12])
    ip = client_ip(request) or ""
    check_submit_allowed(ip=ip, phone=request.POST.get("phone", "").strip())
    form = SubmitForm(request.POST)
    files = request.FILES.getlist("photos")
    if not form.is_valid():
        return _submit_page(request, form, status=422, place=request.POST.get("village", ""))
    data = form.cleaned_data
    topic = PLAIN[data["topic"]]
    try:
        challenge_verify(data["challenge"], data["answer"])
        registered = portal_submit(
            draft=AppealDraft(
                kind=topic.kind,
                source="portal",
                title=_title(data["text"]),
                description=data["text"],
                region_code=data["region_code"],
                category_code=topic.category,
                anonymous=data["anonymous"],
                reporter=Reporter(name=data["name"], phone=data["phone"]),
            ),
            photos=[Upload(content=f.read(), content_type=f.content_type or "") for f in files],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )
    except InvalidInput as exc:
        add_details(form, exc, aliases={"region_code": "village", "challenge": "text", "reporter": "phone"})
        return _submit_page(request, form, status=422, place=data["region_code"])
    count_submission(ip=ip, phone=data["phone"])
    context = {"appeal": registered.appeal, "secret": registered.secret, "topic": topic}
    return render(request, "portal/submitted.html", context, status=201)


@require_GET
def places(request: HttpRequest) -> JsonResponse:
    """The places under one (public reference data), or the nearest to a position."""
    if "lat" in request.GET:
        try:
            region = place_near(Decimal(request.GET["lat"]), Decimal(request.GET.get("lng", "")))
        except ArithmeticError:
            region = None
        path = place_path(region.code) if region else []
        return JsonResponse({"path": [{"code": p.code, "name": p.name} for p in path]})
    items = places_under(request.GET.get("parent", "")[:12] or None)
    return JsonResponse(
        {"items": [{"code": p.code, "name": p.name} for p in items]},
        json_dumps_params={"ensure_ascii": False},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "portal/track.html", {"form": TrackForm()})
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/track.html", {"form": form}, status=422)
    code, secret = form.cleaned_data["code"], form.cleaned_data["secret"]
    try:
        appeal = access_tracked_appeal(request, code=code, secret=secret)
    except NotFound as exc:
        # The form again rather than the site's error page, whose link leads to the staff's sign-in; the same
        # answer for an unknown code, a wrong secret and a locked lookup.
        context = {"form": TrackForm(initial={"code": code}), "error": exc.message}
        return render(request, "portal/track.html", context, status=404)
    return _status_page(request, appeal, code=code, secret=secret)


def _status_page(
    request: HttpRequest,
    appeal: Appeal,
    *,
    code: str,
    secret: str,
    rate_form: RateForm | None = None,
    thanked: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The citizen's view; the code and secret travel in the rating form's hidden fields, never in a URL."""
    context = {
        "view": public_view(appeal),
        "rate_form": rate_form or RateForm(initial={"code": code, "secret": secret}),
        "thanked": thanked,
    }
    return render(request, "portal/status.html", context, status=status)


@never_cache
@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    form = RateForm(request.POST)
    code, secret = request.POST.get("code", "")[:24], request.POST.get("secret", "")[:16]
    appeal = access_tracked_appeal(request, code=code, secret=secret)
    if not form.is_valid():
        return _status_page(request, appeal, code=code, secret=secret, rate_form=form, status=422)
    appeal = portal_rate(
        appeal=appeal,
        solved=form.cleaned_data["solved"],
        satisfaction=form.cleaned_data["satisfaction"],
        note=form.cleaned_data["note"],
    )
    return _status_page(request, appeal, code=code, secret=secret, thanked=True)


@login_required
@require_GET
def photo(request: HttpRequest, photo_uuid: str) -> FileResponse:
    """A portal photo, for staff who may see its appeal (the same 404 otherwise)."""
    item = get_object_or_404(PortalPhoto.objects.only("appeal_id", "image"), uuid=photo_uuid)
    access_appeal(request_user(request), item.appeal_id)
    return FileResponse(item.image.open("rb"), content_type="image/jpeg")


@require_GET
def consultations(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request, "portal/consultations.html", {"consultations": consultations_public(), "today": today}
    )


def _consultation_page(
    request: HttpRequest, consultation: Consultation, form: ConsultationForm, *, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "consultation": consultation,
        "form": form,
        "is_open": consultation.starts <= today <= consultation.ends,
        "adopted": adopted_answers(consultation),
        "challenge": challenge_issue(),
        "challenge_bits": challenge_bits(),
        "counties": places_under(None),
        "preset": place_path(request.GET.get("place", "")[:12]) if request.GET.get("place") else [],
        "max_photos": 0,
    }
    return render(request, "portal/consultation.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def consultation(request: HttpRequest, consultation_id: int) -> HttpResponse:
    item = access_consultation(consultation_id)
    if request.method == "GET":
        return _consultation_page(request, item, ConsultationForm(questions=item.questions))
    ip = client_ip(request) or ""
    check_submit_allowed(ip=ip, phone=request.POST.get("phone", "").strip())
    form = ConsultationForm(request.POST, questions=item.questions)
    if not form.is_valid():
        return _consultation_page(request, item, form, status=422)
    data = form.cleaned_data
    try:
        challenge_verify(data["challenge"], data["answer"])
        registered = consultation_answer(
            consultation=item,
            answers=[data[name] or "" for name in form.question_names],
            region_code=data["region_code"],
            anonymous=data["anonymous"],
            reporter=Reporter(name=data["name"], phone=data["phone"]),
        )
    except InvalidInput as exc:
        add_details(form, exc, aliases={"region_code": "village", "reporter": "phone", "answers": "q0"})
        return _consultation_page(request, item, form, status=422)
    count_submission(ip=ip, phone=data["phone"])
    context = {"appeal": registered.appeal, "secret": registered.secret, "topic": {"label": item.title}}
    return render(request, "portal/submitted.html", context, status=201)
