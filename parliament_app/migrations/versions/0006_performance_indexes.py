"""performance: indexes for the national dataset

Revision ID: 0006_performance
Revises: 0005_monitoring
Create Date: 2026-11-28 22:30:00

Measured on the national dataset (docs/performance.md): the social worker's dashboard decides
which children a centre may see with ``permissions.participation_visible_to_csw``, whose
subqueries scanned every enrolment (the centre's referrals) and every consent (live sharing
consents) on each call.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006_performance"
down_revision: str | None = "0005_monitoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enrolments_referred_by", ["referred_by_id", "source"], unique=False
        )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consents_scope_live",
            ["scope", "withdrawn_at", "child_id", "guardian_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index("ix_consents_scope_live")
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrolments_referred_by")
