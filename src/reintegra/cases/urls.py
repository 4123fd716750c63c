"""URLs of the case-management UI, included under the namespace "cases" by reintegra.urls."""

from django.urls import path

from reintegra.cases import views

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
    path("cases/<int:pk>/person/edit/", views.edit_returnee, name="edit_returnee"),
    path("cases/<int:pk>/return/edit/", views.edit_return, name="edit_return"),
    path("cases/<int:pk>/household/edit/", views.household, name="household"),
    path("cases/<int:pk>/assign/", views.assign, name="assign"),
    path("cases/<int:pk>/assessments/new/", views.assessment_new, name="assessment_new"),
    path("cases/<int:pk>/counselling/new/", views.counselling_new, name="counselling_new"),
    path("cases/<int:pk>/plan/edit/", views.plan_edit, name="plan_edit"),
    path("cases/<int:pk>/plan/agree/", views.plan_agree, name="plan_agree"),
    path("cases/<int:pk>/follow-up/new/", views.follow_up_new, name="follow_up_new"),
    path("cases/<int:pk>/close/", views.close, name="close"),
    path("cases/<int:pk>/reopen/", views.reopen, name="reopen"),
]
