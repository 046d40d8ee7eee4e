"""Credentials with a lifecycle: several API tokens per account, each revocable and with an
optional expiry; accounts that can be disabled.

Each account's one token moves to ``api_tokens`` under the token id equal to the account id, so
every token handed out before this migration (``<account id>.<secret>``) keeps working; on
PostgreSQL the id sequence then starts past the largest id taken.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("token_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_tokens_account_id", "api_tokens", ["account_id"])
    op.execute(
        "INSERT INTO api_tokens (id, account_id, token_hash, created_at) "
        "SELECT id, id, token_hash, created_at FROM accounts WHERE token_hash <> ''"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('api_tokens', 'id'), "
            "COALESCE((SELECT MAX(id) FROM api_tokens), 0) + 1, false)"
        )
    # plain ALTER TABLE (SQLite >= 3.35 drops a column in place): a batch copy of `accounts`
    # would drop the table its foreign keys point at
    op.drop_column("accounts", "token_hash")
    op.add_column("accounts", sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("accounts", "disabled_at")
    op.add_column("accounts", sa.Column("token_hash", sa.String(200), nullable=False,
                                        server_default=""))
    # the oldest live token of each account becomes its one token again
    op.execute(
        "UPDATE accounts SET token_hash = COALESCE((SELECT t.token_hash FROM api_tokens t "
        "WHERE t.account_id = accounts.id AND t.revoked_at IS NULL ORDER BY t.id LIMIT 1), '')"
    )
    op.drop_index("ix_api_tokens_account_id", "api_tokens")
    op.drop_table("api_tokens")
