"""A cadence that runs itself: an admin-defined schedule and the idempotent daily ``tick``.

``calendar`` knows working days (weekends, Japanese public holidays, the year-end closure),
``plan`` turns the schedule into dated rounds (pure), ``services`` decides and does what is
due on a day and records it in ``schedule_run`` so that a second tick does nothing.
"""
