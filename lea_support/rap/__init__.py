"""Raising Achievement Plans: drafting and agreement, project teams, mid-point reviews and
Improvement Notices. models, forms, services, permissions, documents (the PDFs' plain data) and
routes (the blueprint)."""
