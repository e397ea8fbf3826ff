"""Administration: waves, principles and items, thresholds, audit log."""
