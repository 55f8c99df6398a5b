# shellcheck shell=bash
# Make sure the real services the functional tests talk to answer on
# 127.0.0.1: MariaDB (3306, root without password), PostgreSQL (5432, user
# postgres, trust) and RabbitMQ (5672, guest/guest).  On a fresh Debian
# machine (as root) missing servers are installed from Debian's packages and
# started without systemd.  Source it and call promise_services_ensure.

_svc_apt_updated=

_svc_port_open() {  # host port
    timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

_svc_wait_port() {  # host port seconds
    local i
    for ((i = 0; i < $3; i++)); do
        _svc_port_open "$1" "$2" && return 0
        sleep 1
    done
    return 1
}

_svc_fail() {
    echo "ERROR: $*" >&2
    return 1
}

_svc_apt_install() {  # packages...
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        _svc_fail "cannot install $* (need root and apt-get); install and" \
                  "start it by hand"
        return 1
    fi
    echo "services: installing $* from Debian's packages"
    if [ -z "$_svc_apt_updated" ]; then
        apt-get update -qq || _svc_fail "apt-get update failed" || return 1
        _svc_apt_updated=1
    fi
    # Without systemd the packages' own service start would fail or hang:
    # keep maintainer scripts from starting anything, we start it ourselves.
    local policy=/usr/sbin/policy-rc.d created=
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' > $policy && chmod +x $policy
        created=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    local rc=$?
    [ -n "$created" ] && rm -f $policy
    [ $rc = 0 ] || _svc_fail "apt-get install $* failed"
}

_svc_mysql() {
    local c
    c=$(command -v mariadb || command -v mysql) || return 127
    "$c" --connect-timeout=5 "$@"
}

promise_mariadb_ensure() {
    if _svc_mysql -uroot -h127.0.0.1 -e 'SELECT 1' >/dev/null 2>&1; then
        echo "services: MariaDB answers on 127.0.0.1:3306"
        return 0
    fi
    if [ ! -x /usr/sbin/mariadbd ] && [ ! -x /usr/sbin/mysqld ]; then
        _svc_apt_install mariadb-server mariadb-client || return 1
    elif ! command -v mariadb >/dev/null && ! command -v mysql >/dev/null
    then
        _svc_apt_install mariadb-client || return 1
    fi
    if ! _svc_port_open 127.0.0.1 3306; then
        echo "services: starting MariaDB"
        mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null
        local bin=/usr/sbin/mariadbd
        [ -x $bin ] || bin=/usr/sbin/mysqld
        start-stop-daemon --start --oknodo --background --exec $bin ||
            _svc_fail "could not start $bin" || return 1
        _svc_wait_port 127.0.0.1 3306 60 ||
            _svc_fail "MariaDB did not open 127.0.0.1:3306 within 60s" \
                      "(see /var/log/mysql/)" || return 1
    fi
    if ! _svc_mysql -uroot -h127.0.0.1 -e 'SELECT 1' >/dev/null 2>&1; then
        # Debian's root authenticates by unix socket only: let root in from
        # 127.0.0.1 without a password, as the tests expect.
        echo "services: allowing MariaDB root from 127.0.0.1 without password"
        _svc_mysql -uroot -e "
            CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'
                IDENTIFIED VIA mysql_native_password USING PASSWORD('');
            GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1'
                WITH GRANT OPTION;
            FLUSH PRIVILEGES;" ||
            _svc_fail "could not configure MariaDB root access" || return 1
    fi
    _svc_mysql -uroot -h127.0.0.1 -e 'SELECT 1' >/dev/null ||
        _svc_fail "MariaDB on 127.0.0.1:3306 refuses root without password"
}

promise_postgresql_ensure() {
    local q=(psql -w -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1')
    if command -v psql >/dev/null &&
       PGCONNECT_TIMEOUT=5 "${q[@]}" >/dev/null 2>&1; then
        echo "services: PostgreSQL answers on 127.0.0.1:5432"
        return 0
    fi
    if ! command -v pg_ctlcluster >/dev/null ||
       [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
        _svc_apt_install postgresql || return 1
    fi
    local ver
    ver=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' |
        sort -V | tail -1)
    if ! _svc_port_open 127.0.0.1 5432; then
        echo "services: starting PostgreSQL $ver"
        pg_ctlcluster --skip-systemctl-redirect "$ver" main start ||
            _svc_fail "could not start PostgreSQL $ver" || return 1
        _svc_wait_port 127.0.0.1 5432 60 ||
            _svc_fail "PostgreSQL did not open 127.0.0.1:5432 within 60s" ||
            return 1
    fi
    if ! PGCONNECT_TIMEOUT=5 "${q[@]}" >/dev/null 2>&1; then
        local hba=/etc/postgresql/$ver/main/pg_hba.conf
        echo "services: trusting local TCP connections in $hba"
        [ -w "$hba" ] || _svc_fail "cannot write $hba" || return 1
        sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
        pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
        sleep 1
    fi
    PGCONNECT_TIMEOUT=5 "${q[@]}" >/dev/null ||
        _svc_fail "PostgreSQL on 127.0.0.1:5432 refuses user postgres"
}

promise_rabbitmq_ensure() {
    if _svc_port_open 127.0.0.1 5672; then
        echo "services: RabbitMQ answers on 127.0.0.1:5672"
        return 0
    fi
    if ! command -v rabbitmq-server >/dev/null; then
        _svc_apt_install rabbitmq-server || return 1
    fi
    echo "services: starting RabbitMQ"
    rabbitmq-server -detached ||
        _svc_fail "could not start rabbitmq-server" || return 1
    _svc_wait_port 127.0.0.1 5672 120 ||
        _svc_fail "RabbitMQ did not open 127.0.0.1:5672 within 120s" \
                  "(see /var/log/rabbitmq/)" || return 1
    # The port opens a little before the broker accepts logins.
    command -v rabbitmqctl >/dev/null &&
        timeout 60 rabbitmqctl -q await_startup >/dev/null 2>&1
    echo "services: RabbitMQ started"
}

promise_services_ensure() {
    local rc=0
    promise_mariadb_ensure || rc=1
    promise_postgresql_ensure || rc=1
    promise_rabbitmq_ensure || rc=1
    if [ $rc != 0 ]; then
        echo "ERROR: the functional tests need MariaDB, PostgreSQL and" \
             "RabbitMQ on 127.0.0.1 (see the messages above)" >&2
    fi
    return $rc
}
