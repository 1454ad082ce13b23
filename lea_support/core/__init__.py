"""Shared foundations: base columns, the audit log, errors, terms and dates, web plumbing."""
