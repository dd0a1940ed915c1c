"""Each run records its fingerprint: rule set, plugins, data snapshot and version."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_run_fingerprint"
down_revision = "0003_silences"


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:  # SQLite alters through a copy
        batch.add_column(sa.Column("fingerprint", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("fingerprint")
