"""The quarterly culture report: leadership's page, PDF, JSON API and ``flask report``.

- :mod:`~reports.quarterly.build` assembles the report from loaded waves (pure);
- :mod:`~reports.quarterly.findings` picks the sentences worth saying first (pure);
- :mod:`~reports.quarterly.wording` words codes, labels and findings for people;
- :mod:`~reports.quarterly.charts` draws the report's charts;
- :mod:`~reports.quarterly.page` renders the page, the standalone HTML and the PDF;
- :mod:`~reports.quarterly.serialise` writes the JSON;
- :mod:`~reports.quarterly.services` loads and builds (the entry point of views and CLI);
- :mod:`~reports.quarterly.views` and :mod:`~reports.quarterly.cli` are its web pages and
  command (action plans are kept on ``survey.plans``' pages; the report marks them).
"""
