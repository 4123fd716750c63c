"""Every read of manifest imports, scoped to the user's organisation (another's is DoesNotExist: 404)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from reintegra.access import permissions
from reintegra.cases.models import Returnee
from reintegra.reception.manifest_choices import ReviewDecision
from reintegra.reception.manifest_models import ManifestImport, ManifestMapping, ManifestReview
from reintegra.reception.manifest_services import IMPORT
from reintegra.reception.models import ReceptionPoint

if TYPE_CHECKING:
    from reintegra.access.models import User


def _organisation_id(user: User) -> int:
    """The user's organisation when they may import manifests there; 0 otherwise (they see nothing)."""
    if not permissions.has_any(user, IMPORT):
        return 0
    return user.organisation_id or 0


def mappings_for(user: User) -> QuerySet[ManifestMapping]:
    return ManifestMapping.objects.filter(organisation_id=_organisation_id(user)).order_by("name", "pk")


def points_for(user: User) -> QuerySet[ReceptionPoint]:
    return ReceptionPoint.objects.filter(organisation_id=_organisation_id(user), active=True).order_by("name", "pk")


def imports_for(user: User) -> QuerySet[ManifestImport]:
    return (
        ManifestImport.objects.filter(organisation_id=_organisation_id(user))
        .select_related("point", "mapping", "created_by")
        .defer("content")
        .order_by("-created_at", "-pk")
    )


def get_import(user: User, pk: Any) -> ManifestImport:
    return imports_for(user).get(pk=pk)


def get_import_by_task(user: User, task_id: str) -> ManifestImport:
    return imports_for(user).get(task_id=task_id)


def get_mapping(user: User, pk: Any) -> ManifestMapping:
    return mappings_for(user).get(pk=pk)


def pending_reviews(record: ManifestImport) -> QuerySet[ManifestReview]:
    return ManifestReview.objects.filter(manifest_import=record, decision=ReviewDecision.PENDING).order_by("row", "pk")


def pending_count(record: ManifestImport) -> int:
    return pending_reviews(record).count()


def get_review(user: User, pk: Any) -> ManifestReview:
    return ManifestReview.objects.select_related("manifest_import").get(
        pk=pk, manifest_import__organisation_id=_organisation_id(user)
    )


def review_people(review: ManifestReview) -> tuple[Returnee | None, list[tuple[Returnee, dict[str, Any]]]]:
    """The person the import created for the row and the candidates, with their scores (decrypted here for
    the reviewer, who may import into this register and so sees it whole, as the duplicate check does)."""
    ids = [c["id"] for c in review.candidates]
    people = Returnee.objects.in_bulk([*ids, review.new_returnee_id or 0])
    created = people.get(review.new_returnee_id or 0)
    return created, [(people[c["id"]], c) for c in review.candidates if c["id"] in people]
