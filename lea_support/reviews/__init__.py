"""Joint LEA/School Reviews and the 7-point scale (to be built: see issue 4)."""
