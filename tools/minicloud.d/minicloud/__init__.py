# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""The minicloud program; tools/minicloud launches minicloud.cli.main.

Reading order: settings (where things are, ports), util (output, files,
locks), procs (starting and stopping processes), venv (the cached
virtualenv), infra (MariaDB and RabbitMQ), confgen (what the service
modules share), one module per OpenStack service (keystone,
placement_glance, nova, neutron, promise), services (all config files and
the service table), dbcache (the schema dump), up (`up` and `restart`) and
cli (the other commands, and main).  Everything here uses only the
standard library.
"""
