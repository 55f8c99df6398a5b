"""Runs the YAML HTTP tests in gabbits/ against the in-process API.

Each YAML file is a sequence of requests with its own fixtures (see
gabbi_fixtures); gabbi runs a test's predecessors first when a test runs
alone, so the files also work when stestr spreads them over workers.
"""

import os

from gabbi import driver

from promise.tests.unit import gabbi_fixtures

TESTS_DIR = 'gabbits'


def load_tests(loader, tests, pattern):
    test_dir = os.path.join(os.path.dirname(__file__), TESTS_DIR)
    return driver.build_tests(test_dir, loader, host=None,
                              test_loader_name=__name__,
                              intercept=gabbi_fixtures.setup_app,
                              fixture_module=gabbi_fixtures)
