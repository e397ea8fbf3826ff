"""The storage boundary: the only modules of ``reports`` that read survey tables' answers.

- :mod:`reports.storage.summarise` turns a closing wave's answers into one stored aggregate per
  cell (the survey package calls it through the hook ``app.py`` wires);
- :mod:`reports.storage.load` reads waves, their stored aggregates, comments, principles,
  logged actions and (for the response-level export) answer rows into the pure data of
  :mod:`reports.aggregates`.

Everything downstream (gate, figures, reports, pages, exports) works on that data.
"""
