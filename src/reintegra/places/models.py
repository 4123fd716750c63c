"""Administrative areas (state/department → municipality) of return countries."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField

from reintegra.places.choices import AdminLevel


class AdminArea(models.Model):
    country: "models.Field[str | Country, Country]" = CountryField(_("country"))
    level = models.PositiveSmallIntegerField(_("level"), choices=AdminLevel.choices)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )

    class Meta:
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        ordering = ["country", "level", "name"]
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="admin_area_unique_code")]
        indexes = [models.Index(fields=["country", "level", "name"])]

    def __str__(self) -> str:
        if self.level == AdminLevel.SECOND and self.parent is not None:
            return f"{self.name}, {self.parent.name}"
        return self.name
