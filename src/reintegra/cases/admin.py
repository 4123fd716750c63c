"""Deliberately empty: no model of this app is registered in the Django admin.

Returnees, documents, households, cases, assessments, counselling notes, plans, follow-up visits, case
shares and the timeline hold personal data of deportees, children and survivors of violence. The Django
admin bypasses the access layer: it has no case scoping (`cases.scoping.case_visibility`), no
field-level protection (`scoping.can_see` for health, mental-health, GBV, protection, psychosocial and
identity-document categories), no consent check before sharing, and its list pages would decrypt
sensitive fields for any staff user. Every read and write of these data goes through `selectors` and
`services`, where those rules live. Do not register these models here.
"""
