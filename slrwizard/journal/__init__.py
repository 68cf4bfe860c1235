"""The audit journal: what every session did, durable, resumable and exportable.

- :mod:`slrwizard.journal.store`: append records as JSON lines (fsynced, 0600, no secrets), read
  them back.
- :mod:`slrwizard.journal.sessions`: group records into sessions and resources' histories.
- :mod:`slrwizard.journal.resume`: find an unfinished session (:mod:`slrwizard.domain.resume`
  adapts its plan to a fresh scan).
- :mod:`slrwizard.journal.export`: the change ticket's evidence (JSON), ``export_markdown``.
- :mod:`slrwizard.journal.render`: its wording: Markdown, the session list, a timeline.
- :mod:`slrwizard.journal.signals`: make SIGINT/SIGTERM/SIGHUP end the session in the journal.

Nothing here imports boto3 or textual: the journal is part of the core and is tested without AWS.
"""
