"""Pages anyone may read: the start page and the transparency log."""
