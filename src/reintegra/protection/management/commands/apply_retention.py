"""`reintegra apply-retention [--dry-run] [--organization CODE]`

Data retention (IOM DP principle 9): anonymises every returnee whose cases were all closed more than
their organisation's retention period ago (Organisation.retention_months, default 60), and revokes shares
whose consent has expired. A person with an open case, or a case closed more recently, is kept whole.

Anonymising replaces names with "Anonimizado", keeps only the birth year, clears phone, address,
locality, gender identity and languages, deletes identity documents, name search tokens and
duplicate-matching keys, clears household members' names and every free-text note of the cases
(assessments, counselling, plan, follow-up, closure, sharing reasons, consent names), and keeps what
statistics need: statuses, dates, dimensions, need levels, return types, causes, municipality, sex,
nationality.

Run it on a schedule (e.g. nightly cron). It is idempotent. The change log (auditlog) is switched off
while anonymising, because logging the change would copy the erased data into the append-only trail;
the returnee's `anonymised_at` records that it happened, and this command prints and logs counts per
organisation, never names. No AccessEvent is written: anonymisation is not an access to personal data.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from reintegra.access.models import Organisation
from reintegra.protection import services


class Command(BaseCommand):
    help = "Anonymise returnees whose cases were closed longer ago than their organisation's retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report counts per organisation; change nothing.")
        parser.add_argument(
            "--organization", "--organisation", dest="organisation", default=None, help="Only this organisation (code)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["organisation"]:
            organisation = Organisation.objects.filter(code__iexact=options["organisation"].strip()).first()
            if organisation is None:
                raise CommandError(_("Unknown organisation %(code)s.") % {"code": options["organisation"]})
        dry_run = options["dry_run"]
        report = services.apply_retention(dry_run=dry_run, organisation=organisation)
        verb = "would be anonymised" if dry_run else "anonymised"
        for code, count in report.per_organisation.items():
            self.stdout.write(f"{code}: {count.returnees} returnee(s), {count.cases} case(s) {verb}")
        self.stdout.write(
            f"Shares whose consent has lapsed: {report.lapsed_shares} {'to revoke' if dry_run else 'revoked'}"
        )
        summary = f"Total: {report.returnees} returnee(s), {report.cases} case(s) {verb}."
        if dry_run:
            summary += " Dry run: nothing was changed."
        self.stdout.write(self.style.SUCCESS(summary))
