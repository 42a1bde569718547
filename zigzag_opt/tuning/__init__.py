"""tuning layer."""
