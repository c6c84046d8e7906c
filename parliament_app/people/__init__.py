"""Staff: accounts, passwords, sign-in sessions and their HTTP routes, and the audit log's
search."""
