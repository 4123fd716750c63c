"""Directory entries get an owner organisation, provider links need the named organisation's acceptance
(ProviderLink), and a referral stores its receiving organisation when it is sent.

Data (forward): each existing provider's owner is the organisation of the user who created it according
to the change log; failing that the organisation it is linked to, the referring organisation of its
oldest SOP, the oldest organisation of its country, the oldest organisation. Existing links are kept as
they are (they predate acceptance: review them in the directory). Each sent referral's receiving
organisation is its provider's organisation today, which is what the portal showed until now.
Backwards: nothing to undo (the columns are dropped).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


CREATED = 0  # auditlog's LogEntry.Action.CREATE


def _creators(apps):
    """{provider id: organisation of the user who created it} from the change log."""
    try:
        log_entry = apps.get_model("auditlog", "LogEntry")
        content_type = apps.get_model("contenttypes", "ContentType")
    except LookupError:
        return {}
    kind = content_type.objects.filter(app_label="referrals", model="serviceprovider").first()
    if kind is None:
        return {}
    found = {}
    rows = (
        log_entry.objects.filter(content_type=kind, action=CREATED, actor__organisation__isnull=False)
        .order_by("timestamp", "id")
        .values_list("object_pk", "actor__organisation_id")
    )
    for pk, organisation_id in rows:
        if str(pk).isdigit():
            found.setdefault(int(pk), organisation_id)
    return found


def fill_owners_and_recipients(apps, schema_editor):
    provider_model = apps.get_model("referrals", "ServiceProvider")
    pathway_model = apps.get_model("referrals", "ReferralPathway")
    referral_model = apps.get_model("referrals", "Referral")
    organisation_model = apps.get_model("access", "Organisation")
    providers = list(provider_model.objects.filter(owner__isnull=True).values_list("pk", "organisation_id", "country"))
    if providers:
        creators = _creators(apps)
        first_sop = {}
        for provider_id, organisation_id in pathway_model.objects.order_by("created_at", "id").values_list(
            "provider_id", "referring_organisation_id"
        ):
            first_sop.setdefault(provider_id, organisation_id)
        by_country = {}
        for organisation_id, country in organisation_model.objects.order_by("id").values_list("id", "country"):
            by_country.setdefault(str(country), organisation_id)
        oldest = organisation_model.objects.order_by("id").values_list("id", flat=True).first()
        for pk, linked, country in providers:
            owner = creators.get(pk) or linked or first_sop.get(pk) or by_country.get(str(country)) or oldest
            if owner is None:
                raise RuntimeError("Directory entries exist but no organisation does: create one, then migrate.")
            provider_model.objects.filter(pk=pk).update(owner_id=owner)
    for pk, organisation_id in provider_model.objects.filter(organisation__isnull=False).values_list(
        "pk", "organisation_id"
    ):
        referral_model.objects.filter(provider_id=pk, recipient_organisation__isnull=True).exclude(
            status="draft"
        ).update(recipient_organisation_id=organisation_id)


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0005_programme'),
        ('cases', '0004_default_programmes'),
        ('referrals', '0001_initial'),
        ('auditlog', '0017_add_actor_email'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ProviderLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('pending', 'Waiting for an answer'), ('accepted', 'Accepted'), ('refused', 'Refused'), ('withdrawn', 'Withdrawn')], default='pending', max_length=10, verbose_name='status')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested at')),
                ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
            ],
            options={
                'verbose_name': 'provider link request',
                'verbose_name_plural': 'provider link requests',
                'ordering': ['-requested_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='referral',
            name='recipient_organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='access.organisation', verbose_name='receiving organisation'),
        ),
        migrations.AddField(
            model_name='serviceprovider',
            name='owner',
            field=models.ForeignKey(help_text='The organisation that maintains this directory entry: only its users may change it.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='access.organisation', verbose_name='maintained by'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['recipient_organisation', 'status', 'created_at'], name='referral_recipient_idx'),
        ),
        migrations.AddField(
            model_name='providerlink',
            name='answered_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='answered by'),
        ),
        migrations.AddField(
            model_name='providerlink',
            name='organisation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='access.organisation', verbose_name='organisation'),
        ),
        migrations.AddField(
            model_name='providerlink',
            name='provider',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='link_requests', to='referrals.serviceprovider', verbose_name='provider'),
        ),
        migrations.AddField(
            model_name='providerlink',
            name='requested_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by'),
        ),
        migrations.AddIndex(
            model_name='providerlink',
            index=models.Index(fields=['organisation', 'status'], name='provider_link_org_idx'),
        ),
        migrations.AddConstraint(
            model_name='providerlink',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('provider',), name='provider_link_one_pending'),
        ),
        migrations.AddConstraint(
            model_name='providerlink',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'pending'), ('answered_at__isnull', False), _connector='OR'), name='provider_link_answer_dated'),
        ),
        migrations.RunPython(fill_owners_and_recipients, migrations.RunPython.noop),
    ]
