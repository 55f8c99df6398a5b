#!/usr/bin/env python
"""Django's manage.py for the unit tests:

    python manage.py test promise_dashboard \
        --settings=promise_dashboard.test.settings
"""

import os
import sys

from django.core.management import execute_from_command_line

if __name__ == '__main__':
    os.environ.setdefault('DJANGO_SETTINGS_MODULE',
                          'promise_dashboard.test.settings')
    execute_from_command_line(sys.argv)
