"""Action plans: what a unit (or the whole organisation) will do about its results (issue 11).

A plan names one or more principles, says what will be done, by whom (a role, not a named
person), by when, and keeps a dated history of its status.  Leadership and administrators keep
every plan; a unit head keeps the plans of the units they head (and of the units below them).
Plans replace the bare interventions list: the report marks them on trend charts through
:func:`survey.plans.services.plan_markers`.
"""
