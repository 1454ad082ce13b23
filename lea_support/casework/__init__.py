"""Link adviser visits, notes of visit and caseloads (to be built: see issue 3)."""
