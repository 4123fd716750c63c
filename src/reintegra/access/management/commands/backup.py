"""`reintegra backup [--output PATH] [--database ALIAS]` and `reintegra backup --generate-key`

Writes an encrypted archive of the whole database (PostgreSQL: pg_dump's custom format in one snapshot;
SQLite: the online backup API) with a manifest of row counts and checksums per table, under the newest key
of REINTEGRA_BACKUP_KEY (or REINTEGRA_BACKUP_KEY_FILE), a key of its own, never a field key. Beside it, a
`.sha256` file lets an off-site copy be checked with `sha256sum -c`. See docs/backup.md.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from reintegra.access import audit, backup
from reintegra.access.backup_archive import ArchiveError, decode_key, generate_key, key_id
from reintegra.access.choices import AccessAction


class Command(BaseCommand):
    help = "Write an encrypted, verifiable backup archive of the database (see docs/backup.md)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            help="Archive file, or a directory to write reintegra-<UTC time>.backup in "
            "(default: REINTEGRA_BACKUP_DIR, var/backups).",
        )
        parser.add_argument("--database", default="default", help="Database alias (default: default).")
        parser.add_argument(
            "--generate-key", action="store_true", help="Print a new backup key (to stdout) and do nothing else."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate_key"]:
            key = generate_key()
            self.stdout.write(key)
            self.stderr.write(
                "A new backup key (id "
                + key_id(decode_key(key))
                + "). Put it first in REINTEGRA_BACKUP_KEY (or first in the file of REINTEGRA_BACKUP_KEY_FILE), "
                "keep the older keys after it for as long as their archives are kept, and store a copy away "
                "from the backups: without it no archive it writes can be restored."
            )
            return
        output = Path(options["output"] or settings.REINTEGRA_BACKUP_DIR)
        if not options["output"] or options["output"].endswith("/"):
            output.mkdir(parents=True, exist_ok=True)
        progress = self.stdout.write if options["verbosity"] >= 1 else backup._quiet
        try:
            result = backup.backup(output, alias=options["database"], progress=progress)
        except (backup.BackupError, ArchiveError) as exc:
            raise CommandError(f"{exc} No archive was written.") from None
        if options["database"] == "default":
            # The DPO sees every copy of the whole database in the access trail (not in this archive: it is
            # written after the snapshot, into the next one).
            audit.record_access(
                None,
                AccessAction.EXPORT,
                object_type="backup",
                object_id=result.key_id,
                purpose=f"encrypted backup to {result.path} (backup key {result.key_id})",
                channel="cli",
            )
        checksum_file = result.path.with_name(result.path.name + ".sha256")
        checksum_file.write_text(f"{result.archive_sha256}  {result.path.name}\n")
        manifest = result.manifest
        tables = manifest["tables"]
        if options["verbosity"] >= 2:
            for name, table in sorted(tables.items()):
                self.stdout.write(f"  {name}: {table['rows']} rows, sha256 {table['sha256'][:16]}…")
        self.stdout.write(
            f"Archive: {result.path} ({result.archive_bytes} bytes; sha256 {result.archive_sha256} in "
            f"{checksum_file.name})"
        )
        self.stdout.write(
            f"Database: {manifest['engine']} {manifest['server_version']}; {len(tables)} tables, "
            f"{sum(table['rows'] for table in tables.values())} rows (counts and checksums in the manifest)."
        )
        self.stdout.write(f"Encrypted with the backup key {result.key_id}.")
        self.stdout.write(
            self.style.SUCCESS(
                "Backup written. Restoring it needs this backup key and the field keys (REINTEGRA_FIELD_KEYS, "
                "REINTEGRA_BLIND_INDEX_KEY, REINTEGRA_PSEUDONYM_KEY) of today: keep them, apart from the archives."
            )
        )
