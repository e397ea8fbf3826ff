"""The roster: importing the staff list (CSV or XLSX) all or nothing, and its overview."""
