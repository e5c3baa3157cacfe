"""The HTTP service: authentication, storage of deliveries, workers (the server extra)."""
