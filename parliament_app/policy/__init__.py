"""The one permission policy: may this user do this, and which records may they see?

Every ``may_*`` (a yes/no), ``require_*`` (raises ``PermissionDenied``) and ``*_scope`` (an SQL
predicate, so lists and single lookups can never disagree) lives here, one module per area:
``access`` (children, records, special-category data, administration), ``groups``, ``meetings``
(calendar, attendance, check-in, badges, involvement), ``clubs``, ``quizzes``, ``reports`` and
``monitoring``. Services ask the policy; pages ask only to choose their wording.
"""
