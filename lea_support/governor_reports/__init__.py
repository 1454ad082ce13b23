"""Governor reports and every other PDF, through one safe renderer (to be built: see issue 6)."""
