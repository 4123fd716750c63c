"""Deliberately empty, like `cases/admin.py`: consents and case shares hold personal data (a guardian's name,
why someone withdrew, why a case was shared) and their rules (consent before sharing, the minor rule,
revocation on withdrawal) live in `services`. The Django admin would bypass both."""
