"""URLs of the case-management UI, included under the namespace "cases" by reintegra.urls."""

from django.urls import path

from reintegra.cases import step_views, views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.register, name="register"),
    path("cases/new/duplicates/", views.duplicate_check, name="duplicates"),
    path("places/municipalities/", views.municipality_options, name="municipalities"),
    path("cases/<int:pk>/", views.case_tab, {"tab": "summary"}, name="detail"),
    path("cases/<int:pk>/assessments/", views.case_tab, {"tab": "assessments"}, name="assessments"),
    path("cases/<int:pk>/counselling/", views.case_tab, {"tab": "counselling"}, name="counselling"),
    path("cases/<int:pk>/plan/", views.case_tab, {"tab": "plan"}, name="plan"),
    path("cases/<int:pk>/follow-up/", views.case_tab, {"tab": "follow_up"}, name="follow_up"),
    path("cases/<int:pk>/closure/", views.case_tab, {"tab": "closure"}, name="closure"),
    path("cases/<int:pk>/timeline/", views.case_tab, {"tab": "timeline"}, name="timeline"),
    path("cases/<int:pk>/person/edit/", step_views.edit_returnee, name="edit_returnee"),
    path("cases/<int:pk>/return/edit/", step_views.edit_return, name="edit_return"),
    path("cases/<int:pk>/household/edit/", step_views.household, name="household"),
    path("cases/<int:pk>/assign/", step_views.assign, name="assign"),
    path("cases/<int:pk>/assessments/new/", step_views.assessment_new, name="assessment_new"),
    path("cases/<int:pk>/counselling/new/", step_views.counselling_new, name="counselling_new"),
    path("cases/<int:pk>/plan/edit/", step_views.plan_edit, name="plan_edit"),
    path("cases/<int:pk>/plan/agree/", step_views.plan_agree, name="plan_agree"),
    path("cases/<int:pk>/follow-up/new/", step_views.follow_up_new, name="follow_up_new"),
    path("cases/<int:pk>/close/", step_views.close, name="close"),
    path("cases/<int:pk>/reopen/", step_views.reopen, name="reopen"),
]
