"""Django's own messages that its catalogues do not translate yet, translated in ours (LOCALE_PATHS wins).

Only listed here so that makemessages keeps them in src/reintegra/locale; nothing imports this module.
"""

from django.utils.translation import gettext_noop

# Django 6.1's blank choice label (django.db.models.fields.BLANK_CHOICE_LABEL): empty in its es/fr catalogues.
BLANK_CHOICE = gettext_noop("- Select an option -")
