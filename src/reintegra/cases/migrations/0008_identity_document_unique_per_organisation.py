"""Each identity document once per organisation's register, enforced by the database.

Identity documents get their returnee's organisation, and a unique constraint on (organisation, document
type, issuing country, number index): two registrations of the same document, even sent at the same
moment, cannot both succeed (services turn the refusal into the duplicate answer).

Existing duplicates (the same document on two people of one organisation, registered before this rule)
are resolved so the constraint can be created: the earliest registration keeps the document; the later
ones lose their copy of it, and each of their cases gets a timeline entry saying so (without the number
or the other person), so that a supervisor checks whether both records are the same person. Nothing else
is deleted. Backwards the constraint and the column go; removed duplicate rows are not restored (they
were copies of a document that the earliest record still holds).
"""

from django.db import migrations, models
from django.db.models import Count


def attach_organisations_and_resolve_duplicates(apps, schema_editor):
    IdentityDocument = apps.get_model("cases", "IdentityDocument")
    Returnee = apps.get_model("cases", "Returnee")
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    for organisation_id in Returnee.objects.values_list("organisation_id", flat=True).distinct():
        IdentityDocument.objects.filter(returnee__organisation_id=organisation_id).update(
            organisation_id=organisation_id
        )
    groups = (
        IdentityDocument.objects.values("organisation_id", "document_type", "issuing_country", "number_index")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by()
    )
    for group in groups:
        copies = list(
            IdentityDocument.objects.filter(
                organisation_id=group["organisation_id"],
                document_type=group["document_type"],
                issuing_country=group["issuing_country"],
                number_index=group["number_index"],
            )
            .order_by("returnee_id", "id")
            .values_list("id", "returnee_id")
        )
        kept_returnee = copies[0][1]
        removed = [(pk, returnee_id) for pk, returnee_id in copies[1:]]
        IdentityDocument.objects.filter(pk__in=[pk for pk, _r in removed]).delete()
        for case_id in Case.objects.filter(
            returnee_id__in={r for _pk, r in removed if r != kept_returnee}
        ).values_list("pk", flat=True):
            CaseEvent.objects.create(case_id=case_id, kind="updated", data={"what": "duplicate_document"})
    _checks_now(schema_editor)


def _checks_now(schema_editor):
    # PostgreSQL: run the deferred foreign-key checks of the rows written above now, or the schema changes
    # that follow in this transaction fail ("pending trigger events").
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0005_programme"),
        ("cases", "0007_identity_encrypted_at_rest"),
    ]

    operations = [
        migrations.AddField(
            model_name="identitydocument",
            name="organisation",
            field=models.ForeignKey(
                null=True, on_delete=models.deletion.PROTECT, related_name="+", to="access.organisation"
            ),
        ),
        migrations.RunPython(attach_organisations_and_resolve_duplicates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="identitydocument",
            name="organisation",
            field=models.ForeignKey(on_delete=models.deletion.PROTECT, related_name="+", to="access.organisation"),
        ),
        migrations.AddConstraint(
            model_name="identitydocument",
            constraint=models.UniqueConstraint(
                fields=("organisation", "document_type", "issuing_country", "number_index"),
                name="identity_document_unique_per_organisation",
            ),
        ),
    ]
