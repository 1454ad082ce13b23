"""Users, roles, sign-in and the permission predicates."""
