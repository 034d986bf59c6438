"""The public face of the exchange: home and browse pages."""
