"""Staff answer a wave through their single-use link at /s/<token>."""
