"""R&D challenges posted by seekers."""
