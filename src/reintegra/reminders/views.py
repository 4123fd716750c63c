"""The user's reminders: a list, mark one or all as read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.reminders import selectors, services
from reintegra.reminders.models import Reminder
from reintegra.web.pagination import page_of


@login_required
@require_GET
def reminder_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    show_all = request.GET.get("todos") == "1"
    qs = selectors.reminders_for(request.user, unread_only=not show_all)
    page = page_of(request, qs, per_page=50)
    return render(request, "reminders/list.html", {"nav": "reminders", "page": page, "show_all": show_all})


@login_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        reminder = selectors.get_reminder(request.user, pk)
    except Reminder.DoesNotExist:
        raise Http404 from None
    services.mark_read(request.user, reminder)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("reminders:list")


@login_required
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.mark_all_read(request.user)
    messages.success(request, _("%(count)d reminders marked as read.") % {"count": count})
    return redirect("reminders:list")
