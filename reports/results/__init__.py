"""Staff results ("what we heard, what we are doing"): the organisation's and each reported
unit's page after a wave's results are published, read with a link key, no sign-in.

- :mod:`~reports.results.build` picks the figures and plain findings from the gated report
  (pure);
- :mod:`~reports.results.services` loads them (published waves only) with the plans;
- :mod:`~reports.results.views` and :mod:`~reports.results.cli` are the pages and
  ``flask --app app results links QUARTER``.
"""
