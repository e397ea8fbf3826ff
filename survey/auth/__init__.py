"""Staff-side accounts: argon2id passwords, login/logout and role checks."""
