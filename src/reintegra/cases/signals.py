"""Signals of this app for the apps above it (which it never imports)."""

from django.dispatch import Signal

# Sent with `ids` (returnee ids) after a bulk write of returnees past the ORM's `save` (no `post_save`): what the
# apps above derive from a returnee's row (monitoring's case facts) is made again for those people.
returnees_rewritten = Signal()
