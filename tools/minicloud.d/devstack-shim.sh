# shellcheck shell=bash
# Just enough of devstack for tools/minicloud to run the configuration
# steps of devstack/plugin.sh (configure_promise, configure_nova_for_promise)
# for real: their output is the promise.conf and the Nova filter settings
# the minicloud runs with.  Steps that need devstack itself (installing,
# uwsgi, Apache, recreating databases) are not called from here.
#
# The caller exports: MINICLOUD_INI (devstack_ini.py), MINICLOUD_PYTHON,
# MINICLOUD_TRANSPORT_URL, MINICLOUD_PROMISE_DB_URL, KEYSTONE_SERVICE_URI,
# SERVICE_PASSWORD and the devstack globals the plugin reads.

iniset() { "$MINICLOUD_PYTHON" -S "$MINICLOUD_INI" set "$@"; }
iniadd() { "$MINICLOUD_PYTHON" -S "$MINICLOUD_INI" add "$@"; }
iniget() { "$MINICLOUD_PYTHON" -S "$MINICLOUD_INI" get "$@"; }
iniget_multiline() { "$MINICLOUD_PYTHON" -S "$MINICLOUD_INI" getm "$@"; }

enable_service() { ENABLED_SERVICES="${ENABLED_SERVICES:-},$*"; }
is_service_enabled() {
    local s
    for s in "$@"; do
        [[ ",${ENABLED_SERVICES:-}," == *",$s,"* ]] && return 0
    done
    return 1
}
trueorfalse() {
    local value=${!2:-$1}
    case $value in
        [Tt]rue|1|yes|[Oo]n) echo True ;;
        *) echo False ;;
    esac
}
get_python_exec_prefix() { dirname "$MINICLOUD_PYTHON"; }
echo_summary() { echo "devstack-plugin: $*" >&2; }
die() { echo "devstack-plugin: $*" >&2; exit 1; }
# The minicloud runs as one user that owns its files.
sudo() { "$@"; }

iniset_rpc_backend() {
    iniset "$2" DEFAULT transport_url "$MINICLOUD_TRANSPORT_URL"
}
database_connection_url() { echo "$MINICLOUD_PROMISE_DB_URL"; }
configure_keystone_authtoken_middleware() {
    local conf=$1 user=$2 section=${3:-keystone_authtoken}
    iniset "$conf" "$section" www_authenticate_uri "$KEYSTONE_SERVICE_URI"
    iniset "$conf" "$section" auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$conf" "$section" auth_type password
    iniset "$conf" "$section" username "$user"
    iniset "$conf" "$section" password "$SERVICE_PASSWORD"
    iniset "$conf" "$section" user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf" "$section" project_name "$SERVICE_PROJECT_NAME"
    iniset "$conf" "$section" project_domain_name "$SERVICE_DOMAIN_NAME"
}
# promise-api runs as its console script on the minicloud, not under uwsgi.
write_uwsgi_config() { :; }
