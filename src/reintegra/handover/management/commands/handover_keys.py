"""`reintegra handover-keys`: show this installation's public keys and fingerprint (created on first use);
`--rotate` adds a new key pair (older ones still decrypt packages sealed for them). Never prints a private key."""

import json
from typing import Any

from django.core.management.base import BaseCommand

from reintegra.handover import keys, package


class Command(BaseCommand):
    help = "Show (or rotate) this installation's hand-over key pair: public keys and fingerprint."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rotate", action="store_true", help="Generate a new key pair.")
        parser.add_argument("--json", action="store_true", help="Print only the public JWK set.")

    def handle(self, *args: Any, **options: Any) -> None:
        key = keys.rotate() if options["rotate"] else keys.current()
        if options["json"]:
            self.stdout.write(json.dumps(key.public_jwks))
            return
        self.stdout.write(f"installation id: {key.kid}")
        self.stdout.write(f"fingerprint: {package.fingerprint(key.public_jwks)}")
        self.stdout.write(json.dumps(key.public_jwks, indent=2))
