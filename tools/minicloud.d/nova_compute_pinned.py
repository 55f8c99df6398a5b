# Copyright the Promise authors. Licensed under the Apache License 2.0.
"""Run nova-compute with minicloud's restartable fake driver.

Nova loads compute_driver from the nova.virt package only, so the driver
module is registered there under the name nova.virt.minicloud_fake before
nova-compute's own main() runs.
"""
import sys

from nova.cmd import compute  # first: applies nova's monkey patching

import minicloud_fake

sys.modules['nova.virt.minicloud_fake'] = minicloud_fake

if __name__ == '__main__':
    sys.argv[0] = 'nova-compute'
    sys.exit(compute.main())
