# Sphinx configuration for the Promise release notes (built with reno).

extensions = [
    'reno.sphinxext',
]

source_suffix = '.rst'
master_doc = 'index'

project = 'Promise Release Notes'
copyright = '2026, Promise developers'

# Release notes are not versioned like the code.
version = ''
release = ''

exclude_patterns = []
pygments_style = 'sphinx'
html_theme = 'alabaster'
html_static_path = []
htmlhelp_basename = 'PromiseReleaseNotesdoc'
