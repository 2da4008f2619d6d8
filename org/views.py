from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from org.home import home_sections, scope_figures


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page: one section for each role the user holds, in the order of their daily work."""
    user = request.user
    context = {"sections": home_sections(user), "figures": scope_figures(user)}  # type: ignore[arg-type]
    return render(request, "org/home.html", context)
