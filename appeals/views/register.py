"""登记: the registration form, and the page that shows the tracking code and the secret once."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from appeals.forms import RegisterForm, region_options
from appeals.permissions import REGISTER_ROLES, access_appeal
from appeals.services import appeal_register
from core.errors import DomainError, InvalidInput
from core.web import add_details, request_user
from org.permissions import require_role

# The secret of a new appeal waits here between the POST and the page that shows it once.
NEW_APPEAL_SESSION_KEY = "appeals.registered_secret"


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """登记诉求: the form; on success the tracking code and the secret are shown once."""
    user = request_user(request)
    require_role(user, *REGISTER_ROLES)
    if request.method == "POST":
        form = RegisterForm(request.POST, user=user)
        if form.is_valid():
            try:
                result = appeal_register(
                    draft=form.draft(), actor=user, on_site_reply=form.cleaned_data["on_site_reply"]
                )
            except InvalidInput as exc:
                add_details(form, exc, RegisterForm.DETAIL_FIELDS)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                request.session[NEW_APPEAL_SESSION_KEY] = {
                    "appeal": result.appeal.pk,
                    "secret": result.secret,
                }
                return redirect("appeals:registered", appeal_id=result.appeal.pk)
    else:
        form = RegisterForm(user=user)
    context = {"form": form, "region_options": region_options(user)}
    return render(request, "appeals/new.html", context)


@login_required
def registered(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """The tracking code, and the secret the first time only: the session holds it from the POST to here."""
    user = request_user(request)
    appeal = access_appeal(user, appeal_id)
    secret = None
    stash = request.session.get(NEW_APPEAL_SESSION_KEY)
    if isinstance(stash, dict) and stash.get("appeal") == appeal.pk:
        secret = stash.get("secret")
        del request.session[NEW_APPEAL_SESSION_KEY]
    response = render(request, "appeals/registered.html", {"appeal": appeal, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response
