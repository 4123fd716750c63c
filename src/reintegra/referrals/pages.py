"""What every page of the referral network shares: the page size. (The role check before any lookup is
`access.permissions.require`.)"""

from __future__ import annotations

PAGE_SIZE = 25
