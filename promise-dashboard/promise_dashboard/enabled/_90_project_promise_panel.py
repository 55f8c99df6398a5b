# Promise in the project dashboard: Project > Compute > Reservation
# Capacity (the capacity timeline with the project's leases, and the lease
# form that shows Promise's offer before committing).
#
# Copy this file (and _91_admin_promise_capacity_changes_panel.py) into
# openstack_dashboard/local/enabled/ to enable the panels.

# The slug of the panel to be added to HORIZON_CONFIG. Required.
PANEL = 'promise_capacity'
# The slug of the dashboard the PANEL is associated with. Required.
PANEL_DASHBOARD = 'project'
# The slug of the panel group the PANEL is associated with.
PANEL_GROUP = 'compute'

# Python panel class of the PANEL to be added.
ADD_PANEL = 'promise_dashboard.content.capacity.panel.Capacity'

ADD_INSTALLED_APPS = ['promise_dashboard']
