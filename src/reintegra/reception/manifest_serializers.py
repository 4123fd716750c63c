"""API shapes of manifest imports: the upload (parse only) and the import's status, progress and report."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from reintegra.api import versioning
from reintegra.api.fields import CountryCodeField, EnumChoiceField, IdField
from reintegra.cases.choices import DocumentType
from reintegra.reception import manifest_services
from reintegra.reception.choices import ArrivalMeans, ReturnType
from reintegra.reception.manifest_choices import LetterM, ManifestDateFormat, ManifestStatus
from reintegra.reception.manifest_models import ManifestImport, ManifestMapping


class ManifestUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="The manifest, CSV (UTF-8) or XLSX")
    point = IdField(help_text="Reception point (id)")
    mapping = IdField(help_text="Saved column mapping (id)")
    arrived_on = serializers.DateField(
        required=False, allow_null=True, help_text="Arrival date of rows without one (when the mapping has none)"
    )


class ManifestMappingSerializer(serializers.ModelSerializer[ManifestMapping]):
    host_country = serializers.CharField(help_text="ISO 3166 code, or empty")
    version = versioning.version_field()

    class Meta:
        model = ManifestMapping
        fields = [
            "id",
            "name",
            "columns",
            "date_format",
            "letter_m",
            "document_type",
            "means",
            "return_type",
            "host_country",
            "version",
        ]


class ManifestMappingWriteSerializer(serializers.Serializer[Any]):
    """A saved mapping replaced as a whole (PUT): parsed here, checked by `manifest_services.save_mapping`, the
    same rules as the page."""

    name = serializers.CharField(max_length=120, allow_blank=True)
    columns = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=True),
        help_text="{intake field: header of its column in the file}; given_names and family names are required",
    )
    date_format = EnumChoiceField(ManifestDateFormat, required=False, default=ManifestDateFormat.DAY_MONTH_YEAR)
    letter_m = EnumChoiceField(LetterM, required=False, default=LetterM.FEMALE)
    document_type = EnumChoiceField(DocumentType, required=False, default=DocumentType.PASSPORT)
    means = EnumChoiceField(ArrivalMeans, required=False, default=ArrivalMeans.FLIGHT)
    return_type = EnumChoiceField(ReturnType, allow_blank=True)
    host_country = CountryCodeField(required=False, allow_blank=True, default="")

    def to_input(self) -> manifest_services.MappingInput:
        d = self.validated_data
        return manifest_services.MappingInput(
            name=d["name"],
            columns={str(k): str(v) for k, v in d["columns"].items()},
            return_type=d.get("return_type") or "",
            date_format=d["date_format"],
            letter_m=d["letter_m"],
            document_type=d["document_type"],
            means=d["means"],
            host_country=d.get("host_country") or "",
        )


class ManifestReportLineSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(help_text="Row of the file (the header is row 1; 0: the file as a whole)")
    column = serializers.CharField()
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ManifestProgressSerializer(serializers.Serializer[Any]):
    rows_total = serializers.IntegerField()
    rows_checked = serializers.IntegerField()
    rows_written = serializers.IntegerField()


COUNTS = ("arrivals", "new_returnees", "repeat_returnees", "within_file_duplicates", "unchanged", "to_review")


class ManifestCountsSerializer(serializers.Serializer[Any]):
    arrivals = serializers.IntegerField()
    new_returnees = serializers.IntegerField()
    repeat_returnees = serializers.IntegerField()
    within_file_duplicates = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    to_review = serializers.IntegerField()


class ManifestTaskSerializer(serializers.Serializer[Any]):
    task_id = serializers.CharField()
    import_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ManifestStatus.choices)
    file_name = serializers.CharField()
    point = serializers.IntegerField()
    mapping = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    progress = ManifestProgressSerializer()
    counts = ManifestCountsSerializer()
    problems = ManifestReportLineSerializer(many=True)
    more_problems = serializers.IntegerField()
    reviews_pending = serializers.IntegerField()

    @staticmethod
    def present(record: ManifestImport, reviews_pending: int) -> dict[str, Any]:
        return {
            "task_id": record.task_id,
            "import_id": record.pk,
            "status": record.status,
            "file_name": record.file_name,
            "point": record.point_id,
            "mapping": record.mapping_id,
            "created_at": record.created_at,
            "finished_at": record.finished_at,
            "progress": {
                "rows_total": record.rows_total,
                "rows_checked": record.rows_checked,
                "rows_written": record.rows_written,
            },
            "counts": {name: getattr(record, name) for name in COUNTS},
            "problems": manifest_services.report_lines(record),
            "more_problems": record.report.get("more", 0),
            "reviews_pending": reviews_pending,
        }
