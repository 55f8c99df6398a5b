"""python-promiseclient: the OpenStack CLI plugin for Promise."""
