"""The moved tables take this app's names, and the content types follow the models.

- `access_consent` → `protection_consent`, `cases_caseshare` → `protection_caseshare`: a rename, instant on
  SQLite and PostgreSQL (no copy); the foreign keys of other tables (a referral's consent, a share's consent)
  follow the table on both. The consent index gets a name of its own.
- The content types `access.consent` and `cases.caseshare` become `protection.consent` and
  `protection.caseshare`: the change log (django-auditlog, append-only: its rows cannot be rewritten) refers
  to the content type row, so the history of every consent and share stays attached to it, and so do the
  permissions. When the new content type already exists (a migration run that stopped at 0001 let Django
  create it), it is replaced by the old one if nothing was logged under it yet; otherwise both are kept.

Reversible: the tables, the index and the content types go back.
"""

from django.db import migrations

MOVED = (("access", "consent"), ("cases", "caseshare"))


def _move(apps, moves):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("auditlog", "LogEntry")
    for (old_app, model), new_app in moves:
        old = ContentType.objects.filter(app_label=old_app, model=model).first()
        if old is None:  # a database that never held a row of it: Django creates the new one itself
            continue
        new = ContentType.objects.filter(app_label=new_app, model=model).first()
        if new is not None:
            if LogEntry.objects.filter(content_type=new).exists():
                continue
            new.delete()  # its permissions go with it; the old row brings its own
        old.app_label = new_app
        old.save(update_fields=["app_label"])


def content_types_forward(apps, schema_editor):
    _move(apps, [((app, model), "protection") for app, model in MOVED])


def content_types_backward(apps, schema_editor):
    _move(apps, [(("protection", model), app) for app, model in MOVED])


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0001_initial"),
        ("access", "0012_consent_moved_to_protection"),
        ("cases", "0009_caseshare_moved_to_protection"),
        ("referrals", "0006_consent_moved_to_protection"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="consent", table=None),
        migrations.AlterModelTable(name="caseshare", table=None),
        migrations.RenameIndex(
            model_name="consent", new_name="consent_returnee_purpose_idx", old_name="access_cons_returne_961130_idx"
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
