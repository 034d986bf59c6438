"""Framework-free rules: disclosure under NDA, licence terms and agreements."""
