"""`reintegra load_isco`: (re)load the ISCO-08 groups from the shipped data file (the migration does it once)."""

from typing import Any

from django.core.management.base import BaseCommand

from reintegra.employment import isco
from reintegra.employment.models import Occupation


class Command(BaseCommand):
    help = "Load or refresh the ISCO-08 occupations (es/en/fr) from employment/data/isco08.csv."

    def handle(self, *args: Any, **options: Any) -> None:
        count = isco.load(Occupation)
        self.stdout.write(f"{count} ISCO-08 groups loaded.")
