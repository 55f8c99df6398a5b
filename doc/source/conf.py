# Sphinx configuration of Promise's documentation (tox -e docs).
#
# Built offline: every extension renders from what is installed (promise's
# own options and policies, python-promiseclient's commands, the OpenAPI
# file in this tree); nothing is fetched at build time.

import os

project = 'Promise'
copyright = 'Promise developers'  # noqa: A001
author = 'Promise developers'

extensions = [
    'oslo_config.sphinxext',
    'oslo_config.sphinxconfiggen',
    'oslo_policy.sphinxext',
    'oslo_policy.sphinxpolicygen',
    'sphinxcontrib.openapi',
    'cliff.sphinxext',
]

_here = os.path.dirname(os.path.abspath(__file__))
_etc = os.path.join(_here, '..', '..', 'etc', 'promise')

# The samples are generated from the same generator configs as
# ``tox -e genconfig`` / ``tox -e genpolicy``, into _static so that the
# pages can link the files.
config_generator_config_file = os.path.join(
    _etc, 'promise-config-generator.conf')
sample_config_basename = '_static/promise'
policy_generator_config_file = os.path.join(
    _etc, 'promise-policy-generator.conf')
sample_policy_basename = '_static/promise'

# cliff: the commands python-promiseclient adds to ``openstack``.
autoprogram_cliff_application = 'openstack'

master_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
exclude_patterns = ['_build', 'api/openapi.yaml']
templates_path = []
html_static_path = ['_static']

html_theme = 'alabaster'
html_title = 'Promise documentation'
html_theme_options = {
    'description': 'Resource reservation for OpenStack',
    'fixed_sidebar': False,
}
pygments_style = 'sphinx'
# Pages link each other with :doc:/:ref: only; a broken one fails -W.
nitpicky = False

# sphinxcontrib-httpdomain (under sphinxcontrib-openapi): the OpenAPI
# ``default`` response (any error status) is not a number; show it as text
# instead of failing.
http_strict_mode = False
# Its examples of the ``default`` response start "HTTP/1.1 default -",
# which Pygments' HTTP lexer refuses; Sphinx then shows the block
# unhighlighted. Only that (highlighting) warning is silenced.
suppress_warnings = ['misc.highlighting_failure']
