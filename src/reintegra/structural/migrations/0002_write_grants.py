"""Write grants: another organisation's coordinators change an organisation's structural records or regional
actions only under a grant from it. None is created here: from this migration on, coordinators change only
their own organisation's records until an owner grants more (its programme manager, /estructural/permisos/)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0005_programme'),
        ('structural', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='WriteGrant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scope', models.CharField(choices=[('structural', 'Structural records of a programme'), ('regional', 'Regional actions the organisation entered')], max_length=12, verbose_name='what it covers')),
                ('granted_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='granted at')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                ('granted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='granted by')),
                ('grantee', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='access.organisation', verbose_name='coordination body')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='access.organisation', verbose_name='granting organisation')),
                ('programme', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='access.programme', verbose_name='programme')),
                ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='revoked by')),
            ],
            options={
                'verbose_name': 'write grant',
                'verbose_name_plural': 'write grants',
                'ordering': ['-granted_at', '-id'],
                'indexes': [models.Index(fields=['grantee', 'scope', 'revoked_at'], name='write_grant_grantee_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('scope', 'structural'), ('programme__isnull', False)), models.Q(('scope', 'regional'), ('programme__isnull', True)), _connector='OR'), name='write_grant_scope_programme'), models.CheckConstraint(condition=models.Q(('grantee', models.F('organisation')), _negated=True), name='write_grant_other_org'), models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True), ('scope', 'structural')), fields=('organisation', 'grantee', 'programme'), name='write_grant_once_structural'), models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True), ('scope', 'regional')), fields=('organisation', 'grantee'), name='write_grant_once_regional')],
            },
        ),
    ]
