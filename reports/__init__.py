"""Reports: what leadership and HR read, every figure through one disclosure gate.

The pipeline, one step per module (DESIGN.md: flow and decisions 2-4)::

    answer                 survey.answering            (staff answer; survey package)
      │ wave closes
      ▼
    close-time aggregate   reports.storage.summarise   one CellAggregate per cell, stored once
      ▼
    load                   reports.storage.load        waves + stored aggregates → WaveData
      ▼                                                 (reports.aggregates: pure data)
    gate                   reports.disclosure          k, roll-ups, complementary suppression
      ▼
    figures                reports.figures             estimates of shown groups only
      │                    reports.stats               (the statistics they call)
      ▼
    report                 reports.quarterly.build     the quarterly report as data
      │                    reports.quarterly.findings  what it says first
      │                    reports.quarterly.unit      a unit head's units, from the same plan
      ▼
    page / PDF / JSON      reports.quarterly.page, .charts, .wording, .serialise
    export                 reports.exports             HR files (CSV package, XLSX)

Layers.  The **core** (``stats``, ``disclosure``, ``aggregates``, ``figures``, ``quarters``,
``quarterly.build``, ``quarterly.findings``, ``quarterly.unit``, ``results.build``) is pure:
no Flask, no SQLAlchemy, no survey models.  The **storage boundary** (``storage``) is the only
place that reads answers and aggregates from the survey tables.  The **features**
(``quarterly``, ``results``, ``exports``) each hold their services, views, forms, command and
wording.  ``tests/test_reports_layout.py`` runs the import contracts
of ``pyproject.toml`` that keep it so, and keeps ``survey`` free of ``reports`` imports.
"""
