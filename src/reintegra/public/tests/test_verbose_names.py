"""The audit trail names records and fields by their verbose names: every public model and field has one of
its own, translated (issue 18: "Feedback event" and "edited_by" read as English on a Spanish page)."""

from django.apps import apps
from django.utils import translation


def test_every_public_model_and_field_is_named_in_spanish() -> None:
    missing = []
    with translation.override("es"):
        for model in apps.get_app_config("public").get_models():
            if "verbose_name" not in model._meta.original_attrs:
                missing.append(model.__name__)
            for field in model._meta.concrete_fields:
                default = field.name.replace("_", " ")
                if field.name != "id" and str(field.verbose_name) == default and field.name not in {"version"}:
                    missing.append(f"{model.__name__}.{field.name}")
    assert not missing, missing
