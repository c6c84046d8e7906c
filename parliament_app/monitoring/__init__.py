"""What staff follow: the home page's figures, the caseload dashboard, early-warning alerts and the
monthly task-force pack.

- ``caseload``: a centre's children with their participation, computed with GROUP BY (a constant
  number of queries whatever the caseload's size), and one child's participation timeline.
- ``alerts``: the five early-warning rules, per-centre settings, the caseworker's inbox and the
  facilitators' neutral family-check prompts.
- ``taskforce``: the monthly pack (XLSX and PDF) for the multi-agency meeting.
- ``home``: the figures on each role's home page.

Data-protection rights are ``parliament_app.children.privacy``; ``parliament alerts`` is
``parliament_app.cli.alerts``.

Every service takes a Session and the acting User, enforces the policy of
``parliament_app.policy.access`` (participation is consent-gated for centres for social work:
``participation_visible_to_csw``) and writes the audit log in the caller's transaction.
"""

from __future__ import annotations

from parliament_app.core.clock import LOCAL_TIMEZONE
from parliament_app.core.i18n import N_
from parliament_app.models.monitoring import AlertRule, AlertStatus

RULE_LABELS: dict[AlertRule, str] = {
    AlertRule.CONSECUTIVE_ABSENCES: N_("Consecutive absences"),
    AlertRule.LOW_ATTENDANCE: N_("Low attendance over 4 weeks"),
    AlertRule.NO_ATTENDANCE: N_("No attendance for a long time"),
    AlertRule.WANTS_TO_TALK: N_("Asked to talk to someone in a quiz"),
    AlertRule.CONSENT_WITHDRAWN: N_("Enrolment ended: consent withdrawn"),
}
ALERT_STATUS_LABELS: dict[AlertStatus, str] = {
    AlertStatus.OPEN: N_("Open"),
    AlertStatus.ACKNOWLEDGED: N_("Acknowledged"),
    AlertStatus.RESOLVED: N_("Resolved"),
}
TREND_LABELS: dict[str, str] = {
    "up": N_("Improving"),
    "down": N_("Declining"),
    "steady": N_("Steady"),
}

__all__ = ["ALERT_STATUS_LABELS", "LOCAL_TIMEZONE", "RULE_LABELS", "TREND_LABELS"]
