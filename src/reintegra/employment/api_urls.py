"""`/api/v1/` routes of labour intermediation (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver, path

from reintegra.employment import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("occupations/", api.OccupationsView.as_view(), name="occupations"),
    path("jobseekers/", api.JobseekersView.as_view(), name="jobseekers"),
    path("jobseekers/<int:pk>/", api.JobseekerView.as_view(), name="jobseeker"),
    path("jobseekers/<int:pk>/matches/", api.JobseekerMatchesView.as_view(), name="jobseeker-matches"),
    path("cases/<int:pk>/jobseeker/", api.CaseJobseekerView.as_view(), name="case-jobseeker"),
    path("vacancies/", api.VacanciesView.as_view(), name="vacancies"),
    path("vacancies/<int:pk>/", api.VacancyView.as_view(), name="vacancy"),
    path("vacancies/<int:pk>/matches/", api.VacancyMatchesView.as_view(), name="vacancy-matches"),
    path("placements/", api.PlacementsView.as_view(), name="placements"),
    path("placements/<int:pk>/step/", api.PlacementStepView.as_view(), name="placement-step"),
    path("placements/<int:pk>/referral/", api.PlacementReferView.as_view(), name="placement-referral"),
    path("placements/<int:pk>/retention/", api.PlacementRetentionView.as_view(), name="placement-retention"),
    path("employment/skills-gaps/", api.SkillsGapsView.as_view(), name="skills-gaps"),
]
