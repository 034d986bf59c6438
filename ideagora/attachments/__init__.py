"""Files attached to challenges, IP offers and proposals."""
