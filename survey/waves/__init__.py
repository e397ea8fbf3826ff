"""Waves: opening for the active roster, invitations, closing and summarising."""
