"""API routes of hand-overs, included by `reintegra.api.urls` under `/api/v1/`."""

from django.urls import path

from reintegra.handover import api

urlpatterns = [
    path("handovers/", api.HandOversView.as_view(), name="handovers"),
    path("handovers/inbox/", api.InboxView.as_view(), name="handovers-inbox"),
    path("handovers/upload/", api.UploadView.as_view(), name="handovers-upload"),
    path("handovers/installation/", api.InstallationView.as_view(), name="handovers-installation"),
    path("handovers/deliveries/", api.DeliveriesView.as_view(), name="handovers-deliveries"),
    path("handovers/deliveries/<int:pk>/retry/", api.RetryView.as_view(), name="handovers-delivery-retry"),
    path("handovers/<int:pk>/", api.HandOverView.as_view(), name="handover"),
    path("handovers/<int:pk>/send/", api.SendView.as_view(), name="handover-send"),
    path("handovers/<int:pk>/accept/", api.AcceptView.as_view(), name="handover-accept"),
    path("handovers/<int:pk>/decline/", api.DeclineView.as_view(), name="handover-decline"),
    path("handovers/<int:pk>/revoke/", api.RevokeView.as_view(), name="handover-revoke"),
    path("handovers/<int:pk>/package/", api.PackageFileView.as_view(), name="handover-package"),
    path("partners/", api.PartnersView.as_view(), name="partners"),
    path("partners/<int:pk>/", api.PartnerView.as_view(), name="partner"),
]
