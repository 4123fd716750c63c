# DRF's `rest_framework.authtoken` stored API tokens in clear (and the Django admin listed them). It is no
# longer installed: API tokens are now `access.ApiToken` (hashed, named, expiring). The old table and its
# migration history go; its tokens cannot be carried over (only their clear value existed, and they had no
# expiry), so API users create new tokens (README, API). Not reversible: nothing is recreated.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0006_api_tokens_and_login_throttle'),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                "DROP TABLE IF EXISTS authtoken_token",
                "DELETE FROM django_migrations WHERE app = 'authtoken'",
            ],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
