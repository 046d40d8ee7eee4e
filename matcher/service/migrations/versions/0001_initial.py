"""The first schema: accounts, roles, role history and web sessions.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("occupation", sa.Text, nullable=True),
        sa.Column("skills_required", sa.Text, nullable=False),
        sa.Column("skills_trained", sa.Text, nullable=False),
        sa.Column("slots", sa.Integer, nullable=False),
        sa.Column("hours", sa.Float, nullable=True),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("languages", sa.Text, nullable=False),
        sa.Column("offers", sa.Text, nullable=False),
        sa.Column("permanent", sa.Boolean, nullable=True),
        sa.Column("form", sa.String(20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_roles_account_id", "roles", ["account_id"])
    op.create_index("ix_roles_status", "roles", ["status"])
    op.create_table(
        "role_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("role_pk", sa.Integer, sa.ForeignKey("roles.id"), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
    )
    op.create_index("ix_role_history_role_pk", "role_history", ["role_pk"])
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_sessions")
    op.drop_index("ix_role_history_role_pk", "role_history")
    op.drop_table("role_history")
    op.drop_index("ix_roles_status", "roles")
    op.drop_index("ix_roles_account_id", "roles")
    op.drop_table("roles")
    op.drop_table("accounts")
