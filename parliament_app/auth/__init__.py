"""Accounts and sign-in: password hashing, sign-in sessions, throttling, HTTP routes."""
