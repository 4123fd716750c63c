"""Pages of the web UI under /estructural/: every record kind gets list, detail, new and edit routes as
its `Kind` says (pages.KINDS), plus the home page, programme checklists, the information-exchange
matrix, document downloads and the mainstreaming action plan (PDF)."""

from django.urls import URLPattern, URLResolver, path

from reintegra.structural import grant_views, pages, views

app_name = "structural"


def _kind_routes() -> list[URLPattern]:
    routes = []
    for kind in pages.KINDS.values():
        s = kind.slug
        if kind.listed:
            routes.append(path(f"{s}/", views.RecordListView.as_view(kind=kind), name=f"{kind.key}-list"))
        if kind.detailed:
            routes.append(path(f"{s}/<int:pk>/", views.RecordDetailView.as_view(kind=kind), name=f"{kind.key}-detail"))
        if kind.creatable and not kind.parents:
            routes.append(path(f"{s}/nuevo/", views.RecordFormView.as_view(kind=kind), name=f"{kind.key}-new"))
        for parent in kind.parents if kind.creatable else ():
            routes.append(
                path(
                    f"{s}/nuevo/{parent}/<int:parent_pk>/",
                    views.RecordFormView.as_view(kind=kind, parent_field=parent),
                    name=f"{kind.key}-new-{parent}",
                )
            )
        routes.append(path(f"{s}/<int:pk>/editar/", views.RecordFormView.as_view(kind=kind), name=f"{kind.key}-edit"))
    return routes


urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.HomeView.as_view(), name="home"),
    path("estrategias/<str:kind>/", views.ChecklistView.as_view(), name="checklist"),
    path("permisos/", grant_views.GrantsView.as_view(), name="grants"),
    path("permisos/<int:pk>/revocar/", grant_views.GrantRevokeView.as_view(), name="grant-revoke"),
    path("marcos-cooperacion/<int:pk>/intercambio/", views.ExchangeMatrixView.as_view(), name="framework-exchange"),
    path("documentos/<int:pk>/archivo/", views.DocumentFileView.as_view(), name="document-file"),
    path("incorporacion/<int:pk>/plan-de-accion.pdf", views.ActionPlanPdfView.as_view(), name="process-action-plan"),
    *_kind_routes(),
]
