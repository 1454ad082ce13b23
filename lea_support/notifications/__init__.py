"""Notifications: what the service tells each person when work is handed to them (in the app and by
e-mail, as each person chooses per kind), and the daily digest of what is due."""
