"""Units of the organisation and the accounts that head them (issue 11, the unit-head role).

A unit is its path down the roster's hierarchy, broad to fine (('総務部', '総務課') for 総務課),
as :func:`survey.waves.cells.unit_path` makes it; ``()`` is the whole organisation.  Stored
anywhere (assignments, action plans) a path is one JSON text (:func:`unit_key`), so that it can
be part of a key on SQLite and PostgreSQL alike.
"""
