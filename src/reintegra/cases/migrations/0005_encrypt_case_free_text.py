"""Encrypt the free text about a person's situation held by the case records (assessment texts, plan goals,
follow-up notes, closure note, household notes, sharing reasons...) and the returnee's gender identity and
languages; existing values are encrypted in place (docs/data-protection.md).

The reason typed when a case is reopened moves from the timeline event's JSON (`data["reason"]`, in clear)
to the event's new encrypted `note`. Reversible: values are decrypted and the reason put back.
"""

from django.db import migrations

import reintegra.access.fields
from reintegra.access.encryption_migrations import check_deferred_constraints, encrypt_values

REOPENED = "reopened"


def move_reopen_reasons(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    for event in CaseEvent.objects.filter(kind=REOPENED).only("pk", "data").iterator(chunk_size=500):
        data = dict(event.data or {})
        if "reason" not in data:
            continue
        reason = str(data.pop("reason") or "")
        # The historical model's `note` field encrypts on save.
        CaseEvent.objects.filter(pk=event.pk).update(data=data, note=reason[:300])
    check_deferred_constraints(schema_editor)


def restore_reopen_reasons(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    for event in CaseEvent.objects.filter(kind=REOPENED).exclude(note="").only("pk", "data", "note").iterator(
        chunk_size=500
    ):
        data = {**(event.data or {}), "reason": event.note}
        CaseEvent.objects.filter(pk=event.pk).update(data=data, note="")
    check_deferred_constraints(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_default_programmes'),
    ]

    operations = [
        migrations.AddField(
            model_name='caseevent',
            name='note',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', max_length=300),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='capacities_skills',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='capacities and skills'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='economic_needs',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='economic needs'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='family_situation',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='family situation'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='needs_vulnerabilities',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='needs and vulnerabilities'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='protective_factors',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='protective factors'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='psychosocial_needs',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='psychosocial needs'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='risk_factors',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='risk factors'),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='social_needs',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='social needs'),
        ),
        migrations.AlterField(
            model_name='case',
            name='causes_note',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', max_length=300, verbose_name='other causes / details'),
        ),
        migrations.AlterField(
            model_name='case',
            name='closure_note',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='closure note'),
        ),
        migrations.AlterField(
            model_name='case',
            name='reception_place',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', max_length=200, verbose_name='reception place'),
        ),
        migrations.AlterField(
            model_name='caseshare',
            name='reason',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', max_length=300),
        ),
        migrations.AlterField(
            model_name='counsellingsession',
            name='topics',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', max_length=300, verbose_name='topics'),
        ),
        migrations.AlterField(
            model_name='followupvisit',
            name='notes',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='notes'),
        ),
        migrations.AlterField(
            model_name='followupvisit',
            name='significant_changes',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='significant changes'),
        ),
        migrations.AlterField(
            model_name='household',
            name='notes',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='household notes'),
        ),
        migrations.AlterField(
            model_name='planitem',
            name='description',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='description'),
        ),
        migrations.AlterField(
            model_name='planitemprogress',
            name='note',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', max_length=300, verbose_name='note'),
        ),
        migrations.AlterField(
            model_name='reintegrationplan',
            name='agreed_late_reason',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', max_length=300, verbose_name='reason for agreeing after the first month'),
        ),
        migrations.AlterField(
            model_name='reintegrationplan',
            name='goals',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='goals'),
        ),
        migrations.AlterField(
            model_name='reintegrationplan',
            name='motivations',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', verbose_name='motivations'),
        ),
        migrations.AlterField(
            model_name='returnee',
            name='gender_identity',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', max_length=80, verbose_name='gender identity'),
        ),
        migrations.AlterField(
            model_name='returnee',
            name='languages',
            field=reintegra.access.fields.EncryptedTextField(blank=True, default='', help_text="Comma-separated, e.g. español, k'iche'", max_length=200, verbose_name='languages'),
        ),
        encrypt_values(
            ("cases", "Assessment", "capacities_skills"),
            ("cases", "Assessment", "economic_needs"),
            ("cases", "Assessment", "family_situation"),
            ("cases", "Assessment", "needs_vulnerabilities"),
            ("cases", "Assessment", "protective_factors"),
            ("cases", "Assessment", "psychosocial_needs"),
            ("cases", "Assessment", "risk_factors"),
            ("cases", "Assessment", "social_needs"),
            ("cases", "Case", "causes_note"),
            ("cases", "Case", "closure_note"),
            ("cases", "Case", "reception_place"),
            ("cases", "CaseShare", "reason"),
            ("cases", "CounsellingSession", "topics"),
            ("cases", "FollowUpVisit", "notes"),
            ("cases", "FollowUpVisit", "significant_changes"),
            ("cases", "Household", "notes"),
            ("cases", "PlanItem", "description"),
            ("cases", "PlanItemProgress", "note"),
            ("cases", "ReintegrationPlan", "agreed_late_reason"),
            ("cases", "ReintegrationPlan", "goals"),
            ("cases", "ReintegrationPlan", "motivations"),
            ("cases", "Returnee", "gender_identity"),
            ("cases", "Returnee", "languages"),
        ),
        migrations.RunPython(move_reopen_reasons, restore_reopen_reasons),
    ]
