"""Which models hold personal data, for the commands that could write records out of the database.

Deny by default: every model holds personal data unless it is listed in NOT_PERSONAL (reference data and
configuration: places, instruments, the service directory's organisations and services, the regional
catalogue...). A model with an encrypted field is personal whatever the list says. The decision for each
field is in docs/data-protection.md.
"""

from django.db import models

from reintegra.access.fields import EncryptedTextField

# "app_label.modelname" (lower case, Model._meta.label_lower).
NOT_PERSONAL = frozenset(
    {
        "contenttypes.contenttype",
        "auth.permission",
        "auth.group",
        "access.organisation",
        "access.programme",
        "access.team",
        "access.rolesecuritypolicy",
        "places.adminarea",
        "sustainability.instrument",
        "sustainability.instrumentversion",
        "sustainability.feasibilityapproach",
        "referrals.serviceprovider",
        "referrals.service",
        "referrals.referralpathway",
        "regional.institution",
        "regional.regionalaction",
        "regional.actioncell",
    }
)


def has_encrypted_field(model: type[models.Model]) -> bool:
    return any(isinstance(f, EncryptedTextField) for f in model._meta.concrete_fields)


def holds_personal_data(model: type[models.Model]) -> bool:
    return has_encrypted_field(model) or model._meta.label_lower not in NOT_PERSONAL
