"""Write the CSV of every list export (cases, returnees, follow-up visits, referrals, survey rounds) in Spanish,
English, French and machine codes into a directory, as a programme manager of the largest organisation
downloads them, to compare two versions of the export code byte for byte (issue 19, docs/scaling.md):

    DATABASE_URL=postgres://... PYTHONPATH=<a tree>/src .venv/bin/python bench/dump_exports.py /tmp/out-a
    DATABASE_URL=postgres://... PYTHONPATH=<other tree>/src .venv/bin/python bench/dump_exports.py /tmp/out-b
    diff -r /tmp/out-a /tmp/out-b

Uses the account `bench-exports` (created by `bench/bench_exports.py`, or here) and records one export per file
in the access trail of that database (run it on a database of your own). Prints one JSON object: the files,
their rows and sizes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def main(out: Path) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reintegra.settings")
    import django

    django.setup()
    from django.db.models import Count
    from django.http import StreamingHttpResponse
    from django.utils import translation

    from reintegra.access import exports
    from reintegra.access.models import Organisation, RoleAssignment, User
    from reintegra.access.roles import Role
    from reintegra.cases import exports as case_exports
    from reintegra.cases import selectors
    from reintegra.referrals import exports as referral_exports
    from reintegra.referrals import selectors as referral_selectors
    from reintegra.sustainability import exports as round_exports

    org = Organisation.objects.annotate(n=Count("cases")).order_by("-n").first()
    assert org is not None, "nothing seeded"
    user, _created = User.objects.get_or_create(username="bench-exports", defaults={"organisation": org})
    RoleAssignment.objects.get_or_create(user=user, role=Role.PROGRAMME_MANAGER)
    user = User.objects.get(pk=user.pk)
    tables: dict[str, Callable[[], exports.Table]] = {
        "cases": lambda: case_exports.case_table(user, selectors.CaseFilters()),
        "returnees": lambda: case_exports.returnee_table(user),
        "follow-ups": lambda: case_exports.follow_up_table(user),
        "referrals": lambda: referral_exports.referral_table(user, referral_selectors.ReferralFilters()),
        "rounds": lambda: round_exports.round_table(user),
    }
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Any] = {}
    for mode in ("es", "en", "fr", "codes"):
        with translation.override("es" if mode == "codes" else mode):
            for name, table in tables.items():
                response = exports.download_table(user, "csv", table(), codes=mode == "codes")
                assert isinstance(response, StreamingHttpResponse)  # a CSV streams
                body = b"".join(response)
                path = out / f"{name}-{mode}.csv"
                path.write_bytes(body)
                written[path.name] = {
                    "rows": body.count(b"\n") - 1,
                    "bytes": len(body),
                    "sha256": hashlib.sha256(body).hexdigest()[:16],
                }
    return written


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), indent=1))
