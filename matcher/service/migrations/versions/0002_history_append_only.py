"""Make the role history append-only in the database itself: updates and deletes are refused.

The repository only ever inserts history rows; these triggers make the promise hold for any
other client of the database too (an administrator's SQL shell, a future bug).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MESSAGE = "role_history is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER role_history_no_{verb.lower()} BEFORE {verb} ON role_history "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION role_history_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
    )
    op.execute(
        "CREATE TRIGGER role_history_append_only BEFORE UPDATE OR DELETE ON role_history "
        "FOR EACH ROW EXECUTE FUNCTION role_history_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER role_history_no_update")
        op.execute("DROP TRIGGER role_history_no_delete")
        return
    op.execute("DROP TRIGGER role_history_append_only ON role_history")
    op.execute("DROP FUNCTION role_history_append_only()")
