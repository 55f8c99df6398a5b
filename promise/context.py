"""Request context carried from the API edge through RPC to the manager."""

from oslo_context import context


class RequestContext(context.RequestContext):

    def to_policy_values(self):
        values = dict(super().to_policy_values())
        values['is_admin'] = self.is_admin
        # A caller without a project has no project_id to match: oslo.policy
        # would compare str(None) with a target's str(None) and pass
        # ``project_id:%(project_id)s``.
        if values.get('project_id') is None:
            del values['project_id']
        return values

    @classmethod
    def from_dict(cls, values, **kwargs):
        kwargs.setdefault('is_admin', values.get('is_admin', False))
        return super().from_dict(values, **kwargs)


def admin_context():
    """Context for the manager's own work (event handlers, periodic tasks)."""
    return RequestContext(user_id=None, project_id=None, is_admin=True,
                          roles=['admin'], overwrite=False)
