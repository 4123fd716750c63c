"""Every directory entry has an owner from now on (0002 gave one to each existing entry)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0005_programme'),
        ('referrals', '0002_provider_owner_links_recipient'),
    ]

    operations = [
        migrations.AlterField(
            model_name='serviceprovider',
            name='owner',
            field=models.ForeignKey(help_text='The organisation that maintains this directory entry: only its users may change it.', on_delete=django.db.models.deletion.PROTECT, related_name='+', to='access.organisation', verbose_name='maintained by'),
        ),
    ]
