"""What Promise shares with the Nova scheduler filter: the metadata key
names (``keys``) and the filter's old import path (``filter``).

Nothing here may import Promise's server side: nova-scheduler may load
``promise.nova.filter`` with only Nova's own dependencies installed.
"""
