"""Data-protection rights: subject access, erasure and retention review. Administrators only.

- ``subject_access_export`` / ``subject_access_html``: everything held about one child, as
  JSON-ready data and as a readable page, for a guardian's request. Risk records and alerts are
  included only when the requester may see them (administrators may). Audited as an export.
- ``erase_child`` / ``erase_many``: the child's identity is removed and their participation stays
  as anonymous rows, so past counts (group composition, attendance) do not change:

  * given and family name and school class are blanked; the birth date becomes 1 January of the
    birth year (age bands in reports stay); care situation becomes "unknown" (no report uses it);
  * kept, because the diversity reports count them and suppress small cells: gender, community,
    household income band, school, municipality, residence area (a coarse area chosen from the
    municipality's own list, not an address) and home languages;
  * removed: guardians' links (and guardians linked to no other child, with their own records),
    consents, excursion consents, badges, interests, at-risk records, alerts (their notes and
    family prompts), attendance notes; quiz players are unlinked and renamed;
  * kept anonymous: enrolments and their history (active ones end as "removed", freeing the
    place for the waiting list; places on a waiting list are given up), attendance records,
    quiz answers;
  * ``erased_at`` is set, and every list should leave the child out (``exclude_erased()``,
    defined in ``parliament_app.policy.access`` and part of ``child_scope``);
  * the erasure is audited without any name (the reason is stored with names blotted out).
- ``retention_candidates``: children with no activity (enrolment, attendance, quiz) for
  ``inactive_days``, not enrolled or waiting anywhere and not followed by a centre (its open
  at-risk record is its own legal basis), for review and bulk erasure.

Modules: ``access`` (subject access), ``erasure`` (erasure and retention review) and ``registry``
(every child-linked table and what an erasure does to it).
"""

from __future__ import annotations

from parliament_app.children.privacy.access import (
    EXPORT_FORMAT,
    subject_access_export,
    subject_access_html,
)
from parliament_app.children.privacy.erasure import (
    MIN_INACTIVE_DAYS,
    REASON_MAX_LENGTH,
    RetentionCandidate,
    erase_child,
    erase_many,
    retention_candidates,
)

__all__ = [
    "EXPORT_FORMAT",
    "MIN_INACTIVE_DAYS",
    "REASON_MAX_LENGTH",
    "RetentionCandidate",
    "erase_child",
    "erase_many",
    "retention_candidates",
    "subject_access_export",
    "subject_access_html",
]
