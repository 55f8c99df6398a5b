# shellcheck shell=bash
# Promise's devstack plugin: the reservation service (Blazar-compatible
# API) with its CLI plugin, database, Keystone entries and Nova scheduler
# filter.
#
#   [[local|localrc]]
#   enable_plugin promise <promise git URL> [branch]
#
# Phases: stack install | post-config | extra, unstack, clean.
#
# devstack's functions (iniset, run_process, write_uwsgi_config, ...) and
# its globals (DEST, SERVICE_HOST, NOVA_CONF, ...) come from the devstack
# run that sources this file; shellcheck cannot see them.

# Save trace setting
_XTRACE_PROMISE=$(set +o | grep xtrace)
set -o xtrace

PROMISE_API_SERVICE=promise-api
PROMISE_MANAGER_SERVICE=promise-manager

function is_promise_enabled {
    is_service_enabled "$PROMISE_API_SERVICE" "$PROMISE_MANAGER_SERVICE"
}

# install_promise - the Nova scheduler filter (promise-nova, which
# nova-scheduler imports from the same Python environment), the service
# and the CLI.
function install_promise {
    setup_develop "$PROMISE_DIR/promise-nova"
    setup_develop "$PROMISE_DIR"
    install_promiseclient
}

# install_promise_dashboard - the Horizon panels, when Horizon is enabled:
# the package, and its enabled files in Horizon's local/enabled.
function install_promise_dashboard {
    setup_develop "$PROMISE_DIR/promise-dashboard"
    local enabled
    for enabled in "$PROMISE_DIR"/promise-dashboard/promise_dashboard/enabled/_[0-9]*.py; do
        cp "$enabled" "$HORIZON_DIR/openstack_dashboard/local/enabled/"
    done
}

# configure_promise_tempest - blazar-tempest-plugin runs against Promise
# as against Blazar: the reservation service is there, with every plugin
# it tests.
function configure_promise_tempest {
    iniset "$TEMPEST_CONFIG" service_available blazar True
    iniset "$TEMPEST_CONFIG" resource_reservation endpoint_type publicURL
    iniset "$TEMPEST_CONFIG" resource_reservation flavor_instance_plugin True
    iniset "$TEMPEST_CONFIG" resource_reservation lease_interval 1
}

function install_promiseclient {
    if [[ "$PROMISE_INSTALL_BLAZARCLIENT" == "True" ]]; then
        pip_install python-blazarclient
    fi
    setup_develop "$PROMISECLIENT_DIR"
}

function _promise_url {
    echo "$PROMISE_SERVICE_PROTOCOL://$PROMISE_SERVICE_HOST$PROMISE_URL_PREFIX/v1"
}

# configure_promise - /etc/promise/promise.conf and the uwsgi app.
function configure_promise {
    sudo install -d -o "$STACK_USER" -m 755 "$PROMISE_CONF_DIR"
    sudo install -d -o "$STACK_USER" -m 755 "$PROMISE_STATE_PATH"
    rm -f "$PROMISE_CONF_FILE"
    touch "$PROMISE_CONF_FILE"

    iniset "$PROMISE_CONF_FILE" DEFAULT debug "$PROMISE_DEBUG"
    iniset "$PROMISE_CONF_FILE" DEFAULT host "$HOSTNAME"
    iniset "$PROMISE_CONF_FILE" DEFAULT state_path "$PROMISE_STATE_PATH"
    iniset "$PROMISE_CONF_FILE" DEFAULT auth_strategy keystone
    iniset_rpc_backend promise "$PROMISE_CONF_FILE"
    iniset "$PROMISE_CONF_FILE" oslo_messaging_notifications driver messagingv2
    iniset "$PROMISE_CONF_FILE" database connection "$(database_connection_url promise)"
    if [[ -n "$PROMISE_PLUGINS" ]]; then
        iniset "$PROMISE_CONF_FILE" manager plugins "$PROMISE_PLUGINS"
    elif ! is_service_enabled neutron q-svc neutron-api; then
        # Floating IP reservations need Neutron: without it, the others.
        iniset "$PROMISE_CONF_FILE" manager plugins \
            "physical:host,virtual:instance,flavor:instance"
    fi

    # Webhook secrets are stored encrypted, with a key kept beside the
    # state so that a re-stack can still read the rows it left.
    local key_file=$PROMISE_STATE_PATH/webhook-secrets.key
    if [[ ! -s "$key_file" ]]; then
        (umask 077 && python3 -c 'import base64, os
print(base64.urlsafe_b64encode(os.urandom(32)).decode())' > "$key_file")
    fi
    iniset "$PROMISE_CONF_FILE" notifications secret_encryption_keys "$(cat "$key_file")"

    # Incoming requests: keystonemiddleware.
    configure_keystone_authtoken_middleware "$PROMISE_CONF_FILE" "$PROMISE_SERVICE_USER"

    # Outgoing calls to Nova and Placement: the same service user.
    iniset "$PROMISE_CONF_FILE" nova auth_type password
    iniset "$PROMISE_CONF_FILE" nova auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$PROMISE_CONF_FILE" nova username "$PROMISE_SERVICE_USER"
    iniset "$PROMISE_CONF_FILE" nova password "$SERVICE_PASSWORD"
    iniset "$PROMISE_CONF_FILE" nova user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$PROMISE_CONF_FILE" nova project_name "$SERVICE_PROJECT_NAME"
    iniset "$PROMISE_CONF_FILE" nova project_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$PROMISE_CONF_FILE" nova region_name "$REGION_NAME"
    iniset "$PROMISE_CONF_FILE" nova aggregate_freepool_name "$PROMISE_FREEPOOL_NAME"
    # Keystone unified limits (oslo.limit) on what projects' leases hold;
    # Promise's user reads them with a system-scoped reader token.
    iniset "$PROMISE_CONF_FILE" quota enforce "$PROMISE_QUOTA_ENFORCE"
    iniset "$PROMISE_CONF_FILE" oslo_limit auth_type password
    iniset "$PROMISE_CONF_FILE" oslo_limit auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$PROMISE_CONF_FILE" oslo_limit username "$PROMISE_SERVICE_USER"
    iniset "$PROMISE_CONF_FILE" oslo_limit password "$SERVICE_PASSWORD"
    iniset "$PROMISE_CONF_FILE" oslo_limit user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$PROMISE_CONF_FILE" oslo_limit system_scope all
    iniset "$PROMISE_CONF_FILE" oslo_limit endpoint_service_type "$PROMISE_SERVICE_TYPE"
    iniset "$PROMISE_CONF_FILE" oslo_limit endpoint_region_name "$REGION_NAME"
    # ONAP Multicloud's check_vim_capacity answers for this region.
    iniset "$PROMISE_CONF_FILE" multicloud cloud_owner "$PROMISE_CLOUD_OWNER"
    iniset "$PROMISE_CONF_FILE" multicloud cloud_region_id "$REGION_NAME"

    if [[ -f "$PROMISE_DIR/etc/promise/policy.yaml.sample" ]]; then
        cp "$PROMISE_DIR/etc/promise/policy.yaml.sample" "$PROMISE_POLICY_FILE"
    fi

    # promise.wsgi.api reads /etc/promise/promise.conf unless
    # PROMISE_CONFIG_FILES names other files.
    write_uwsgi_config "$PROMISE_UWSGI_CONF" "$PROMISE_UWSGI" "$PROMISE_URL_PREFIX" "" "$PROMISE_API_SERVICE"
    iniset "$PROMISE_UWSGI_CONF" uwsgi env "PROMISE_CONFIG_FILES=$PROMISE_CONF_FILE"

    if [[ "$PROMISE_CONFIGURE_NOVA" == "True" ]]; then
        configure_nova_for_promise
    fi
}

# _promise_add_filter FILE - PromiseFilter (and the server group filters
# Promise's affinity support relies on) in FILE's [filter_scheduler].
function _promise_add_filter {
    local conf=$1
    local enabled available filter

    available=$(iniget_multiline "$conf" filter_scheduler available_filters)
    if [[ -z "$available" ]]; then
        # Naming any filter replaces Nova's default, so keep that first.
        iniset "$conf" filter_scheduler available_filters nova.scheduler.filters.all_filters
    fi
    if [[ "$available" != *"$PROMISE_NOVA_FILTER"* ]]; then
        iniadd "$conf" filter_scheduler available_filters "$PROMISE_NOVA_FILTER"
    fi

    enabled=$(iniget "$conf" filter_scheduler enabled_filters)
    if [[ -z "$enabled" ]]; then
        enabled="ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter"
    fi
    enabled=${enabled// /}
    for filter in ServerGroupAntiAffinityFilter ServerGroupAffinityFilter PromiseFilter; do
        if [[ ",$enabled," != *",$filter,"* ]]; then
            enabled="$enabled,$filter"
        fi
    done
    iniset "$conf" filter_scheduler enabled_filters "$enabled"
}

# configure_nova_for_promise - the scheduler filter for nova-scheduler and
# for every nova-conductor: conductors read [filter_scheduler]
# enabled_filters too (server group checks on build and move), so they
# must agree with the scheduler. And Nova's versioned notifications, on the
# transport promise-manager listens to (by default its own, which devstack
# shares with Nova).
function configure_nova_for_promise {
    local conf
    _promise_add_filter "$NOVA_CONF"
    for conf in "$NOVA_CONF_DIR"/nova_cell*.conf; do
        if [[ -f "$conf" ]]; then
            _promise_add_filter "$conf"
        fi
    done
    # promise-manager learns of servers and compute services from Nova's
    # versioned notifications ("both" keeps the legacy ones for others).
    iniset "$NOVA_CONF" oslo_messaging_notifications driver messagingv2
    iniset "$NOVA_CONF" notifications notification_format "$PROMISE_NOVA_NOTIFICATION_FORMAT"
}

# init_promise - a new database, migrated to the newest schema.
function init_promise {
    recreate_database promise
    "$PROMISE_BIN_DIR/promise-db-manage" --config-file "$PROMISE_CONF_FILE" upgrade head
}

# create_promise_accounts - service user (admin in the service project)
# and the catalog entry of the reservation service.
function create_promise_accounts {
    create_service_user "$PROMISE_SERVICE_USER" "admin"
    # oslo.limit reads the limits with a system-scoped token.
    openstack role add --user "$PROMISE_SERVICE_USER" \
        --user-domain "$SERVICE_DOMAIN_NAME" --system all reader
    local service
    service=$(get_or_create_service "$PROMISE_SERVICE_NAME" \
        "$PROMISE_SERVICE_TYPE" "Promise resource reservation service")
    get_or_create_endpoint "$service" "$REGION_NAME" "$(_promise_url)"
}

# create_promise_freepool - the Nova aggregate of unreserved hosts.
function create_promise_freepool {
    if ! openstack --os-cloud devstack-admin aggregate show \
            "$PROMISE_FREEPOOL_NAME" >/dev/null 2>&1; then
        openstack --os-cloud devstack-admin aggregate create "$PROMISE_FREEPOOL_NAME"
    fi
}

function start_promise {
    run_process "$PROMISE_API_SERVICE" \
        "$(command -v uwsgi) --procname-prefix $PROMISE_API_SERVICE --ini $PROMISE_UWSGI_CONF"
    run_process "$PROMISE_MANAGER_SERVICE" \
        "$PROMISE_BIN_DIR/promise-manager --config-file $PROMISE_CONF_FILE"

    echo "Waiting for promise-api to answer at $(_promise_url)"
    if ! wait_for_service "$SERVICE_TIMEOUT" "$PROMISE_SERVICE_PROTOCOL://$PROMISE_SERVICE_HOST$PROMISE_URL_PREFIX/"; then
        die $LINENO "promise-api did not start"
    fi
}

function stop_promise {
    local service
    for service in "$PROMISE_API_SERVICE" "$PROMISE_MANAGER_SERVICE"; do
        stop_process "$service"
    done
}

# cleanup_promise - what stack.sh made that unstack.sh leaves.
function cleanup_promise {
    remove_uwsgi_config "$PROMISE_UWSGI_CONF" "$PROMISE_API_SERVICE"
    sudo rm -rf "$PROMISE_CONF_DIR" "$PROMISE_STATE_PATH"
}

if is_promise_enabled; then
    PROMISE_BIN_DIR=$(get_python_exec_prefix)

    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing Promise"
        install_promise
        if is_service_enabled horizon; then
            install_promise_dashboard
        fi
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring Promise"
        configure_promise
        create_promise_accounts
        init_promise
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting Promise"
        create_promise_freepool
        start_promise
    elif [[ "$1" == "stack" && "$2" == "test-config" ]]; then
        if is_service_enabled tempest; then
            echo_summary "Configuring tempest for Promise"
            configure_promise_tempest
        fi
    fi

    if [[ "$1" == "unstack" ]]; then
        echo_summary "Stopping Promise"
        stop_promise
    fi

    if [[ "$1" == "clean" ]]; then
        echo_summary "Removing Promise's files"
        cleanup_promise
    fi
fi

# Restore xtrace
$_XTRACE_PROMISE
