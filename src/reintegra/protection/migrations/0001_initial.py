"""The consent ledger (`access.Consent`) and the case shares (`cases.CaseShare`) join this app with their rows.

State only: the models are declared here on their existing tables (`access_consent`, `cases_caseshare`);
`access`, `cases` and `referrals` then drop or repoint them in their own state, and 0002 renames the tables
to this app's names. Nothing is copied. Reversible.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import reintegra.access.fields


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("access", "0011_programme_suppression_threshold"),
        ("cases", "0008_identity_document_unique_per_organisation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Consent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        (
                            "purpose",
                            models.CharField(
                                choices=[
                                    ("assistance", "Reintegration assistance"),
                                    ("referral", "Referral to an organisation or service"),
                                    ("data_sharing", "Data sharing with a partner"),
                                    ("cross_border", "Cross-border transfer"),
                                    ("research", "Research and monitoring & evaluation"),
                                ],
                                max_length=20,
                                verbose_name="purpose",
                            ),
                        ),
                        (
                            "recipient_description",
                            reintegra.access.fields.EncryptedTextField(
                                blank=True, default="", max_length=200, verbose_name="recipient or service type"
                            ),
                        ),
                        ("given_by_returnee", models.BooleanField(default=True, verbose_name="given by the returnee")),
                        (
                            "guardian_name",
                            reintegra.access.fields.EncryptedTextField(
                                blank=True, default="", max_length=200, verbose_name="guardian's name"
                            ),
                        ),
                        ("child_assent", models.BooleanField(default=False, verbose_name="child's assent obtained")),
                        (
                            "method",
                            models.CharField(
                                choices=[
                                    ("signed", "Signed form"),
                                    ("verbal", "Verbal, witnessed"),
                                    ("digital", "Digital"),
                                ],
                                max_length=10,
                                verbose_name="how it was given",
                            ),
                        ),
                        ("given_on", models.DateField(verbose_name="date given")),
                        ("expires_on", models.DateField(blank=True, null=True, verbose_name="expiry date")),
                        ("withdrawn_on", models.DateField(blank=True, null=True, verbose_name="withdrawn on")),
                        (
                            "withdrawal_note",
                            reintegra.access.fields.EncryptedTextField(
                                blank=True, default="", max_length=300, verbose_name="withdrawal note"
                            ),
                        ),
                        ("recorded_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "recipient_organisation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="access.organisation",
                                verbose_name="recipient organisation",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "returnee",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="consents",
                                to="cases.returnee",
                                verbose_name="returnee",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "consent",
                        "verbose_name_plural": "consents",
                        "ordering": ["-given_on", "-id"],
                        "db_table": "access_consent",
                        "indexes": [
                            models.Index(fields=["returnee", "purpose"], name="access_cons_returne_961130_idx")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CaseShare",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("reason", reintegra.access.fields.EncryptedTextField(blank=True, default="", max_length=300)),
                        ("granted_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="shares", to="cases.case"
                            ),
                        ),
                        (
                            "consent",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="protection.consent",
                            ),
                        ),
                        (
                            "granted_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="shared_cases",
                                to="access.organisation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cases_caseshare",
                        "indexes": [models.Index(fields=["organisation", "revoked_at"], name="case_share_org_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
