"""Mail that survives failure: a queue in the database and a worker that drains it.

Opening a wave or asking for reminders only *queues* one row per invitee (``queue``); the
``flask --app app mail work`` worker (``worker``) sends them over SMTP (``smtp``) at a bounded
rate, retries temporary refusals with back-off and resumes after a crash without sending twice.
A queued row holds the wave, the person and only "pending / sent / failed": no token, no link
and nothing that says whether the person has answered (docs/anonymity.md, "Mail queue").
"""
