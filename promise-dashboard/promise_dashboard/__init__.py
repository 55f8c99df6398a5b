"""promise-dashboard: Horizon panels for Promise (service type
``reservation``)."""
