"""Optional two-factor sign-in (TOTP, RFC 6238) for staff accounts, with recovery codes."""
