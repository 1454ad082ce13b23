"""Termly reports to governors: drafts made from a school's records, checked, published and
re-issued in versions; bulk runs of a term's drafts (bulk/); the governors' own pages."""
