"""What manifest imports register (called from ReceptionConfig.ready): navigation and audit."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from reintegra.access import audit
    from reintegra.access.roles import Capability
    from reintegra.web import navigation

    audit.register_model("reception.ManifestMapping", personal=False)
    # The import keeps the file (encrypted) until it has run; a review names people by their records.
    audit.register_model("reception.ManifestImport", personal=True)
    audit.register_model("reception.ManifestReview", personal=True)
    navigation.register(
        navigation.NavItem(
            "manifests", _("Manifest imports"), "manifests:list", frozenset({Capability.IMPORT_MANIFESTS}), order=39
        )
    )
