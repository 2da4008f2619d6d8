"""The oversight pages: interviews, the rectification ledger, good practices."""
