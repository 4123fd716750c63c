"""Pages of a programme's results framework: the app's landing page (the user's programmes, each with its
sections), the results tree (a printable diagram), the theory of change, the logframe matrix and the forms of
the tree's results."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reintegra.access import permissions as access_permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.monitoring import learning_panels, pages, permissions, selectors, services
from reintegra.monitoring.forms import FrameworkForm, NodeForm
from reintegra.monitoring.models import ResultNode
from reintegra.web import versioning
from reintegra.web.forms import apply_service_errors
from reintegra.web.steps import show_refused


@login_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require_view(request.user)
    rows = [
        {
            "programme": programme,
            "framework": selectors.framework_of(programme),
            "can_manage": permissions.can_manage(request.user, programme),
        }
        for programme in selectors.programmes_for(request.user)
    ]
    user = request.user
    context = {
        "nav": "monitoring",
        "rows": rows,
        # The pages that are about no single programme, each for those who may open it.
        "can_cross": access_permissions.has_any(user, Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS),
        "can_analyse": access_permissions.has_any(user, Capability.VIEW_AGGREGATES),
    }
    return render(request, "monitoring/index.html", context)


@login_required
@require_GET
def framework_page(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = pages.programme_or_404(request.user, programme)
    framework = selectors.framework_of(found)
    # Planning or reading the framework, what similar programmes learned is beside it.
    similar = learning_panels.similar_lessons_context(request.user, found)
    if framework is None:
        context = pages.context(request.user, found, "framework", **similar)
        return render(request, "monitoring/no_framework.html", context)
    context = pages.context(
        request.user, found, "framework", framework=framework, tree=selectors.tree(framework), **similar
    )
    return render(request, "monitoring/framework.html", context)


@login_required
@require_POST
def framework_create(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = pages.programme_or_404(request.user, programme, for_write=True)
    try:
        services.create_framework(request.user, found)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The results framework was created."))
    return redirect("monitoring:framework", found.pk)


@login_required
@require_http_methods(["GET", "POST"])
def framework_edit(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = pages.programme_or_404(request.user, programme, for_write=True)
    framework = pages.framework_or_404(found)
    form = FrameworkForm(request.POST or None, initial=services.FrameworkInput.of(framework).__dict__)
    edit = pages.save_edit(
        request,
        form,
        framework.revision,
        lambda data, version: services.edit_framework(request.user, framework, data, expected_version=version),
        lambda current: services.FrameworkInput.of(current).__dict__,
    )
    if edit.saved:
        messages.success(request, _("The results framework was saved."))
        return redirect("monitoring:framework", found.pk)
    context = pages.context(
        request.user,
        found,
        "framework",
        form=form,
        framework=framework,
        record_version=edit.record_version,
        conflict=edit.conflict,
        title=_("Theory of change"),
        **learning_panels.similar_lessons_context(request.user, found),
    )
    return render(request, "monitoring/framework_form.html", context)


@login_required
@require_GET
def logframe(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = pages.programme_or_404(request.user, programme)
    framework = pages.framework_or_404(found)
    rows = selectors.flattened(selectors.tree(framework))
    return render(
        request,
        "monitoring/logframe.html",
        pages.context(request.user, found, "framework", framework=framework, rows=rows),
    )


def _node_page(request: AuthenticatedHttpRequest, form: NodeForm, context: dict[str, Any]) -> HttpResponse:
    return render(request, "monitoring/node_form.html", {**context, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def node_create(request: AuthenticatedHttpRequest, programme: int) -> HttpResponse:
    found = pages.programme_or_404(request.user, programme, for_write=True)
    framework = pages.framework_or_404(found)
    nodes = selectors.nodes_of(framework)
    initial = {"parent": request.GET.get("parent", ""), "kind": request.GET.get("kind", "")}
    form = NodeForm(request.POST or None, nodes=nodes, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_node(request.user, framework, form.to_input())
        except ValidationError as exc:
            apply_service_errors(exc, form)
        else:
            messages.success(request, _("The result was added."))
            return redirect("monitoring:framework", found.pk)
    context = pages.context(request.user, found, "framework", framework=framework, node=None, record_version=None)
    return _node_page(request, form, context)


def _node_or_404(request: AuthenticatedHttpRequest, pk: int) -> ResultNode:
    permissions.require_view(request.user)
    try:
        return selectors.get_node(request.user, pk)
    except ResultNode.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def node_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    node = _node_or_404(request, pk)
    found = pages.programme_or_404(request.user, node.framework.programme_id, for_write=True)
    nodes = [n for n in selectors.nodes_of(node.framework) if n.pk != node.pk]
    form = NodeForm(request.POST or None, nodes=nodes, initial=NodeForm.initial_from(services.NodeInput.of(node)))
    edit = pages.save_edit(
        request,
        form,
        node.revision,
        lambda data, version: services.edit_node(request.user, node, data, expected_version=version),
        lambda current: NodeForm.initial_from(services.NodeInput.of(current)),
    )
    if edit.saved:
        messages.success(request, _("The result was saved."))
        return redirect("monitoring:framework", found.pk)
    context = pages.context(
        request.user,
        found,
        "framework",
        framework=node.framework,
        node=node,
        record_version=edit.record_version,
        conflict=edit.conflict,
    )
    return _node_page(request, form, context)


@login_required
@require_POST
def node_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    node = _node_or_404(request, pk)
    found = pages.programme_or_404(request.user, node.framework.programme_id, for_write=True)
    try:
        services.delete_node(request.user, node, expected_version=versioning.posted_version(request.POST))
    except TransitionError as exc:
        show_refused(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The result was deleted."))
    return redirect("monitoring:framework", found.pk)
