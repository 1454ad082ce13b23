"""Statutory intervention: warning notices to maintained schools (s60 of the Education and
Inspections Act 2006) with their working-day clocks, the powers used once a school is eligible for
intervention, and referrals of concerns about academies to the DfE's regional director. models,
forms, services, permissions, documents (the PDFs' plain data) and routes (the blueprint)."""
