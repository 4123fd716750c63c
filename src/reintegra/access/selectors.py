"""Every read of the access app: the audit trail and programmes. Each checks the user's capability first
(PermissionDenied otherwise).

Callers record bulk reads in the access trail (`audit.record_access(user, "export", ...)`) with their own
channel; these functions do not, so a page that counts something does not flood the trail.
"""

from __future__ import annotations

import base64
import binascii
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from reintegra.access import permissions
from reintegra.access.models import AccessEvent
from reintegra.access.roles import Capability
from reintegra.access.scoping import active_with_organisation

if TYPE_CHECKING:
    from auditlog.models import LogEntry

    from reintegra.access.models import Programme, User


# --- audit trail (IOM DP principle 12: oversight) ------------------------------------------------
#
# Scope: a data-protection officer sees the entries whose *actor* belongs to their organisation (changes
# made and data read by its own staff), whatever object they touch. The actor is the practical filter: the
# trail stores only a type and an id for objects (no organisation), and a join per object type would make
# every query slow on large tables. Entries without an actor (shell commands, retention) are outside every
# organisation's scope; the platform operator reads them in the database.
#
# Both trails are read newest first and merged in Python; pages are cut by position (keyset), not by
# offset or count, so a page costs two small index scans however large the tables are.

CHANGE = "change"
ACCESS = "access"
_RANK = {CHANGE: 0, ACCESS: 1}
CHANGE_ACTIONS = {"create": 0, "update": 1, "delete": 2}  # auditlog's LogEntry.Action values
TRAIL_ACTIONS = (*CHANGE_ACTIONS, *AccessEvent.Action.values)


@dataclass(frozen=True)
class TrailFilters:
    source: str = ""  # "", CHANGE or ACCESS
    object_type: str = ""  # "app_label.model", e.g. "cases.case"
    object_id: str = ""
    user: int | None = None
    action: str = ""  # one of TRAIL_ACTIONS
    since: date | None = None
    until: date | None = None  # inclusive
    flagged_only: bool = False


@dataclass(frozen=True)
class TrailPosition:
    """Where a page ends: the sort key of its last entry, as an opaque token for the next page."""

    at: datetime
    source: str
    id: int

    def token(self) -> str:
        raw = f"{self.at.isoformat()}|{self.source}|{self.id}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def parse(cls, token: str) -> TrailPosition:
        """Raises ValueError for anything that is not a token made by `token()`."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            at_text, source, id_text = raw.split("|")
            at = datetime.fromisoformat(at_text)
            number = int(id_text)
            at.astimezone(UTC)
        except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error) as exc:
            raise ValueError("invalid position") from exc
        if source not in _RANK or at.tzinfo is None or not 0 < number < 2**63:
            raise ValueError("invalid position")
        return cls(at, source, number)


@dataclass(frozen=True)
class TrailEntry:
    source: str
    id: int
    at: datetime
    user_id: int | None
    username: str
    action: str
    object_type: str
    object_id: str
    changes: dict[str, list[str | None]] | None = None  # change entries: field -> [old, new], as stored
    purpose: str | None = None  # access entries only
    flagged: bool = False
    channel: str | None = None  # access entries only
    user_name: str = ""  # the actor's full name (the login when none is set)
    object_repr: str = ""  # change entries: the label stored with the change (type and id for personal models)

    @property
    def position(self) -> TrailPosition:
        return TrailPosition(self.at, self.source, self.id)

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        return (self.at, _RANK[self.source], self.id)


def trail_users(user: User) -> QuerySet[User]:
    """The people whose actions the data-protection officer oversees: their organisation's users."""
    from reintegra.access.models import User

    permissions.require(user, Capability.VIEW_AUDIT)
    if not user.organisation_id:
        raise permissions.denied()
    return User.objects.filter(organisation_id=user.organisation_id).order_by("username")


def audit_trail(
    user: User,
    filters: TrailFilters | None = None,
    *,
    older_than: TrailPosition | None = None,
    limit: int | None = None,
) -> Iterator[TrailEntry]:
    """Change-log and access-trail entries of the user's organisation's staff (see the scope above), newest
    first, filtered, starting after `older_than` (a page's last position), at most `limit` of them.
    Capability.VIEW_AUDIT only. Without a limit the entries stream from the database (exports)."""
    filters = filters or TrailFilters()
    staff = trail_users(user).order_by().values("pk")
    streams = []
    changes = _change_entries(filters, staff, older_than)
    if changes is not None:
        streams.append(_stream(changes, _change_entry, limit))
    accesses = _access_entries(filters, staff, older_than)
    if accesses is not None:
        streams.append(_stream(accesses, _access_entry, limit))
    merged = heapq.merge(*streams, key=lambda entry: entry.sort_key, reverse=True)
    return islice(merged, limit) if limit is not None else merged


def _stream(qs: QuerySet[Any], convert: Any, limit: int | None) -> Iterator[TrailEntry]:
    rows = qs[:limit] if limit is not None else qs.iterator(chunk_size=2000)
    return (convert(row) for row in rows)


def _day_start(day: date, plus_days: int = 0) -> datetime | None:
    """Local midnight starting `day` (+ `plus_days`); None at the edges of the calendar (no bound there)."""
    try:
        start = timezone.make_aware(datetime.combine(day + timedelta(days=plus_days), time.min))
        start.astimezone(UTC)  # the database stores UTC: it must be representable there too
    except OverflowError:
        return None
    return start


def _time_filters(field: str, filters: TrailFilters, source: str, older_than: TrailPosition | None) -> Q:
    q = Q()
    since = _day_start(filters.since) if filters.since else None
    if since is not None:
        q &= Q(**{f"{field}__gte": since})
    until = _day_start(filters.until, plus_days=1) if filters.until else None
    if until is not None:
        q &= Q(**{f"{field}__lt": until})
    if older_than is not None:
        rank, their_rank = _RANK[source], _RANK[older_than.source]
        if rank < their_rank:
            q &= Q(**{f"{field}__lte": older_than.at})
        elif rank > their_rank:
            q &= Q(**{f"{field}__lt": older_than.at})
        else:
            q &= Q(**{f"{field}__lt": older_than.at}) | Q(**{field: older_than.at, "id__lt": older_than.id})
    return q


def _change_entries(
    filters: TrailFilters, staff: QuerySet[User, Any], older_than: TrailPosition | None
) -> QuerySet[LogEntry] | None:
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    if filters.source not in ("", CHANGE) or filters.flagged_only:
        return None
    if filters.action and filters.action not in CHANGE_ACTIONS:
        return None
    qs: QuerySet[LogEntry] = LogEntry.objects.filter(
        _time_filters("timestamp", filters, CHANGE, older_than), actor_id__in=staff
    )
    if filters.object_type:
        app_label, _dot, model = filters.object_type.lower().partition(".")
        try:
            content_type = ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            return None
        qs = qs.filter(content_type=content_type)
    if filters.object_id:
        qs = qs.filter(object_pk=filters.object_id)
    if filters.user:
        qs = qs.filter(actor_id=filters.user)
    if filters.action:
        qs = qs.filter(action=CHANGE_ACTIONS[filters.action])
    return qs.select_related("actor").order_by("-timestamp", "-id")


def _access_entries(
    filters: TrailFilters, staff: QuerySet[User, Any], older_than: TrailPosition | None
) -> QuerySet[AccessEvent] | None:
    if filters.source not in ("", ACCESS):
        return None
    if filters.action and filters.action not in AccessEvent.Action.values:
        return None
    qs = AccessEvent.objects.filter(_time_filters("at", filters, ACCESS, older_than), user_id__in=staff)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type.lower())
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.user:
        qs = qs.filter(user_id=filters.user)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.flagged_only:
        qs = qs.filter(flagged=True)
    return qs.select_related("user").order_by("-at", "-id")


_CHANGE_ACTION_NAMES = {value: name for name, value in CHANGE_ACTIONS.items()}


def _stored_changes(raw: Any) -> dict[str, list[str | None]]:
    if not isinstance(raw, dict):
        return {}
    changes: dict[str, list[str | None]] = {}
    for name, values in raw.items():
        if not isinstance(values, list | tuple):
            values = [values]
        changes[str(name)] = [None if value is None else str(value) for value in values]
    return changes


def _change_entry(entry: Any) -> TrailEntry:
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_id(entry.content_type_id)
    return TrailEntry(
        source=CHANGE,
        id=entry.pk,
        at=entry.timestamp,
        user_id=entry.actor_id,
        username=entry.actor.username if entry.actor else "",
        action=_CHANGE_ACTION_NAMES.get(entry.action, str(entry.action)),
        object_type=f"{content_type.app_label}.{content_type.model}",
        object_id=entry.object_pk,
        changes=_stored_changes(entry.changes),
        user_name=_full_name(entry.actor),
        object_repr=entry.object_repr or "",
    )


def _access_entry(event: AccessEvent) -> TrailEntry:
    return TrailEntry(
        source=ACCESS,
        id=event.pk,
        at=event.at,
        user_id=event.user_id,
        username=event.user.username if event.user else "",
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        purpose=event.purpose,
        flagged=event.flagged,
        channel=event.channel,
        user_name=_full_name(event.user),
    )


def _full_name(user: User | None) -> str:
    return "" if user is None else user.display_name()


def programmes_for(user: User) -> QuerySet[Programme]:
    """The programmes of the user's organisation (settings are not personal data, but stay in-house)."""
    from reintegra.access.models import Programme

    if not active_with_organisation(user) or user.organisation_id is None:
        return Programme.objects.none()
    return Programme.objects.filter(organisation_id=user.organisation_id).select_related("organisation")


def programme_list(user: User, *, active_first: bool = True) -> QuerySet[Programme]:
    """The programmes of the user's organisation by name (the page: active ones first)."""
    return programmes_for(user).order_by(*(["-is_active"] if active_first else []), "name")


def get_programme(user: User, pk: Any) -> Any:
    """One programme of the user's organisation; `Programme.DoesNotExist` (→ 404) otherwise."""
    return programmes_for(user).get(pk=pk)


# --- the administrator's home (issue 18.9) --------------------------------------------------------


@dataclass(frozen=True)
class PlatformOverview:
    users_active: int
    users_inactive: int
    organisations: int
    programmes_active: int
    programmes_inactive: int
    tokens_live: int
    tokens_expiring: int  # live, expiring within TOKEN_EXPIRY_WARNING


TOKEN_EXPIRY_WARNING = timedelta(days=14)


def platform_overview(user: User) -> PlatformOverview:
    """What the system administrator looks after, counted (no personal data): accounts, organisations,
    programmes and API tokens of the whole installation. Role.ADMIN only (PermissionDenied otherwise)."""
    from django.db.models import Count

    from reintegra.access.models import ApiToken, Organisation, Programme, User
    from reintegra.access.roles import Role

    permissions.require(user, Capability.MANAGE_USERS)
    if Role.ADMIN not in user.roles:
        raise permissions.denied()
    users = dict(User.objects.values_list("is_active").annotate(n=Count("pk")).order_by())
    programmes = dict(Programme.objects.values_list("is_active").annotate(n=Count("pk")).order_by())
    now = timezone.now()
    live = ApiToken.objects.filter(Q(expiry__isnull=True) | Q(expiry__gt=now))
    return PlatformOverview(
        users_active=users.get(True, 0),
        users_inactive=users.get(False, 0),
        organisations=Organisation.objects.count(),
        programmes_active=programmes.get(True, 0),
        programmes_inactive=programmes.get(False, 0),
        tokens_live=live.count(),
        tokens_expiring=live.filter(expiry__lte=now + TOKEN_EXPIRY_WARNING).count(),
    )


@dataclass(frozen=True)
class AccessAlerts:
    """The access trail's events a data-protection officer looks at first, over the last `days` days."""

    days: int
    since: date
    consent_exceptions: int
    exports: int
    flagged: int


ALERT_DAYS = 30


def access_alerts(user: User, today: date | None = None) -> AccessAlerts:
    """Consent exceptions used, exports made and flagged events of the user's organisation's staff (the
    trail's scope, above) in the last ALERT_DAYS days. Capability.VIEW_AUDIT (PermissionDenied otherwise)."""
    from django.db.models import Count

    staff = trail_users(user).order_by().values("pk")  # the capability check, and the trail's scope
    today = today or timezone.localdate()
    since = today - timedelta(days=ALERT_DAYS)
    start = _day_start(since)
    events = AccessEvent.objects.filter(user_id__in=staff, at__gte=start)
    counts = events.aggregate(
        exceptions=Count("pk", filter=Q(action=AccessEvent.Action.CONSENT_EXCEPTION)),
        exports=Count("pk", filter=Q(action=AccessEvent.Action.EXPORT)),
        flagged=Count("pk", filter=Q(flagged=True)),
    )
    return AccessAlerts(ALERT_DAYS, since, counts["exceptions"], counts["exports"], counts["flagged"])
