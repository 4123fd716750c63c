"""`reintegra restore ARCHIVE [--database ALIAS | --database-url URL]` and `reintegra restore ARCHIVE --check`

Restores an archive of `reintegra backup` into an empty database, audit trail included, then recomputes the
row count and checksum of every table and compares them with the archive's manifest. The whole archive is
authenticated before the database is touched: a wrong key, a truncated or an altered archive is refused and
nothing is restored. `--check` only authenticates the archive (a drill for off-site copies).
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reintegra.access import append_only, backup
from reintegra.access.backup_archive import ArchiveError, OpenedArchive


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and verify it (see docs/backup.md)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="An archive written by `reintegra backup`.")
        parser.add_argument("--database", default="default", help="Database alias to restore into (default: default).")
        parser.add_argument(
            "--database-url", help="Restore into this database instead (postgres://… or sqlite:////path/new.sqlite3)."
        )
        parser.add_argument(
            "--check", action="store_true", help="Only decrypt and authenticate the archive; restore nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["archive"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        progress = self.stdout.write if options["verbosity"] >= 1 else backup._quiet
        try:
            if options["check"]:
                opened = backup.check(path)
                self._describe(path, opened)
                self.stdout.write(self.style.SUCCESS("The archive is complete and authentic. Nothing was restored."))
                return
            result = backup.restore(path, alias=options["database"], url=options["database_url"], progress=progress)
        except (backup.BackupError, ArchiveError) as exc:
            raise CommandError(str(exc)) from None
        self._describe(path, result.archive)
        self._report(result.verification, options["verbosity"])

    def _describe(self, path: Path, opened: OpenedArchive) -> None:
        manifest = opened.manifest
        self.stdout.write(
            f"Archive: {path} (written {manifest.get('created_at')} by Reintegra {manifest.get('reintegra_version')}, "
            f"{manifest.get('engine')} {manifest.get('server_version')}, backup key {opened.key_id})"
        )
        self.stdout.write(f"Dump: {opened.dump_bytes} bytes, authenticated; its checksum matches the manifest.")

    def _report(self, verification: backup.Verification, verbosity: int) -> None:
        if verbosity >= 2:
            for name, digest in sorted(verification.tables.items()):
                self.stdout.write(f"  {name}: {digest.rows} rows, sha256 {digest.sha256[:16]}…")
        problems = verification.mismatches
        if problems:
            for problem in problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"The restored database does not match the archive's manifest ({len(problems)} problem(s) above). "
                "Do not use it: drop it, and restore again into a new empty database."
            )
        self.stdout.write(
            f"Verified: {len(verification.tables)} of {len(verification.expected)} tables match the manifest "
            f"(row counts and checksums), {verification.rows} rows."
        )
        guarded = [table for table in append_only.TABLES if table in verification.guarded]
        self.stdout.write(f"Audit trail restored; its append-only guard is in place on {', '.join(guarded)}.")
        self.stdout.write(
            self.style.SUCCESS(
                "Restore complete. Start the application with the field keys the backup was written with "
                "(REINTEGRA_FIELD_KEYS, REINTEGRA_BLIND_INDEX_KEY, REINTEGRA_PSEUDONYM_KEY), then run "
                "`reintegra migrate` if this installation is newer than the backup."
            )
        )
