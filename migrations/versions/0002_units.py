"""unit-first cells: each wave records its cell design; people carry concurrent posts

Revision ID: units
Revises: 0001
Create Date: 2026-12-01 20:20:00

Waves opened before this revision get a design read back from their own cells: the unit
hierarchy setting (where its columns are in the cells) and the other cell attributes as
secondary ones, with no folds or group sizes recorded (reports then show the cells' own
invited counts, as before).
"""
import json

from alembic import op
import sqlalchemy as sa


revision = 'units'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('wave') as batch:
        batch.add_column(sa.Column('cell_design', sa.JSON(), nullable=True))
    with op.batch_alter_table('person') as batch:
        batch.add_column(sa.Column('concurrent', sa.JSON(), nullable=True))
    _backfill()


def _backfill():
    connection = op.get_bind()
    stored = connection.execute(
        sa.text("SELECT value FROM setting WHERE key = 'group_hierarchy'")).scalar()
    if isinstance(stored, str):
        stored = json.loads(stored)
    hierarchy = list(stored or [])
    waves = connection.execute(sa.text("SELECT id FROM wave")).scalars().all()
    for wave_id in waves:
        key = connection.execute(
            sa.text("SELECT key FROM wave_cell WHERE wave_id = :w ORDER BY id LIMIT 1"),
            {"w": wave_id}).scalar()
        if isinstance(key, str):
            key = json.loads(key)
        names = sorted((key or {}).keys())
        levels = [name for name in hierarchy if name in names]
        design = {"hierarchy": levels, "secondary": [n for n in names if n not in levels],
                  "folds": [], "sizes": {}, "concurrent_rule": "main"}
        connection.execute(sa.text("UPDATE wave SET cell_design = :d WHERE id = :w"),
                           {"d": json.dumps(design, ensure_ascii=False), "w": wave_id})


def downgrade():
    with op.batch_alter_table('person') as batch:
        batch.drop_column('concurrent')
    with op.batch_alter_table('wave') as batch:
        batch.drop_column('cell_design')
