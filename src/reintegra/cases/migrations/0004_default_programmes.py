"""Every organisation gets a default programme and its existing cases join it."""

from django.db import migrations


def forwards(apps, schema_editor):
    Organisation = apps.get_model("access", "Organisation")
    Programme = apps.get_model("access", "Programme")
    Case = apps.get_model("cases", "Case")
    for org in Organisation.objects.all():
        programme = Programme.objects.filter(organisation=org).order_by("id").first()
        if programme is None:
            if not Case.objects.filter(organisation=org).exists():
                continue
            programme = Programme.objects.create(
                organisation=org,
                code=f"{org.code}-reintegracion"[:32],
                name=f"Programa de reintegración · {org.name}"[:200],
                countries=[str(org.country)],
            )
        Case.objects.filter(organisation=org, programme__isnull=True).update(programme=programme)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0005_programme"),
        ("cases", "0003_case_programme_alter_caseevent_kind"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
