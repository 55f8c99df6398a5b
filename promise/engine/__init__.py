"""The generic machinery that drives the resource plugins: offers, the
capacity view by type and the net value."""
