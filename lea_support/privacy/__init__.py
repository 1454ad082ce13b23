"""UK GDPR: who read which record, the retention schedule, subject access and anonymising staff."""
