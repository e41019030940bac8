# shellcheck shell=bash
# shellcheck disable=SC2016,SC2119,SC2120  # single quotes are bash -c scripts; wait timeouts are optional args
# deploy/lib/jvm-services.sh: run Kafka 4.1 (KRaft, one node) and Camunda 7.24 CE from Maven
# Central jars, without Docker. Source it; it sets no shell options and is safe under
# `set -euo pipefail`. Every function returns non-zero (with a message on stderr) on failure.
#
#   source deploy/lib/jvm-services.sh
#   kafka_start && kafka_wait_ready          # resolves the jars on first use
#   camunda_start && camunda_wait_ready      # builds the app on first use
#   kafka_stop; camunda_stop
#
# Functions
#   kafka_resolve        copy the broker/tool jars into $CPQ_CACHE/kafka/libs (skipped when the pom hash matches)
#   kafka_start          format the KRaft log dir once, start kafka.Kafka in the background (no-op if running)
#   kafka_wait_ready [S] wait until the broker answers API_VERSIONS on $KAFKA_PORT (timeout S, default $KAFKA_READY_TIMEOUT)
#   kafka_stop           stop the broker started by kafka_start (pid file), nothing else
#   kafka_is_running     exit 0 when the broker of the pid file is alive
#   kafka_tool CLASS ... run a Kafka tool main class with the broker classpath, e.g.
#                        kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --list
#   kafka_reset          stop the broker and delete its data (topics, offsets); next start formats again
#   camunda_build        mvn package deploy/jvm/camunda into $CPQ_CACHE/camunda (skipped when the pom/src hash matches)
#   camunda_start        create the database if missing, start the app jar in the background (no-op if running)
#   camunda_wait_ready [S] wait until GET /engine-rest/engine answers 200 (timeout S, default $CAMUNDA_READY_TIMEOUT)
#   camunda_stop         stop the app started by camunda_start (pid file), nothing else
#   camunda_is_running   exit 0 when the app of the pid file is alive
#   jvm_services_up      kafka_start, camunda_start, then wait for both
#   jvm_services_down    camunda_stop, kafka_stop
#
# Variables (set before sourcing or before calling; defaults in brackets)
#   CPQ_CACHE [<repo>/.cache]   downloaded jars and the built app      (git-ignored)
#   CPQ_RUN   [<repo>/.run]     pid files, logs, Kafka data             (git-ignored)
#   JAVA      [$JAVA_HOME/bin/java or java]   MVN [mvn]
#   KAFKA_HOST [127.0.0.1]  KAFKA_PORT [9092]  KAFKA_CONTROLLER_PORT [9093]
#   KAFKA_BOOTSTRAP  set to $KAFKA_HOST:$KAFKA_PORT on sourcing and by kafka_start/kafka_wait_ready (output, not input)
#   KAFKA_CLUSTER_ID [fixed]  KAFKA_LOG_DIRS [$CPQ_RUN/kafka/data]
#   KAFKA_HEAP_OPTS [-Xms256m -Xmx512m]  KAFKA_JVM_OPTS [G1 settings of Kafka's own scripts]
#   KAFKA_READY_TIMEOUT [120]
#   CAMUNDA_PORT [8080]  CAMUNDA_DB_HOST [127.0.0.1]  CAMUNDA_DB_PORT [5432]  CAMUNDA_DB_NAME [camunda]
#   CAMUNDA_DB_USER [postgres]  CAMUNDA_DB_PASSWORD []  CAMUNDA_DB_URL [jdbc:postgresql://HOST:PORT/NAME]
#   CAMUNDA_DB_CREATE [1]  (0: do not create the database with psql)
#   CAMUNDA_HEAP_OPTS [-Xms256m -Xmx512m]  CAMUNDA_JVM_OPTS []  CAMUNDA_READY_TIMEOUT [180]
#   CAMUNDA_HISTORY_LEVEL [the level the database holds; audit for a new one]

# ---------------------------------------------------------------------------------------------
# Defaults
# ---------------------------------------------------------------------------------------------
_JVMS_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_JVMS_KAFKA_SRC="$_JVMS_REPO_ROOT/deploy/jvm/kafka"
_JVMS_CAMUNDA_SRC="$_JVMS_REPO_ROOT/deploy/jvm/camunda"

: "${CPQ_CACHE:=$_JVMS_REPO_ROOT/.cache}"
: "${CPQ_RUN:=$_JVMS_REPO_ROOT/.run}"
if [[ -z "${JAVA:-}" ]]; then
  if [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi
fi
: "${MVN:=mvn}"

: "${KAFKA_HOST:=127.0.0.1}"
: "${KAFKA_PORT:=9092}"
: "${KAFKA_CONTROLLER_PORT:=9093}"
# Fixed so that the data dir and the cluster id always agree (generated once with
# `kafka.tools.StorageTool random-uuid`).
: "${KAFKA_CLUSTER_ID:=wh9JJYEMSdSZJZ4UUtHtag}"
: "${KAFKA_LOG_DIRS:=$CPQ_RUN/kafka/data}"
: "${KAFKA_HEAP_OPTS:=-Xms256m -Xmx512m}"
: "${KAFKA_JVM_OPTS:=-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}"
: "${KAFKA_READY_TIMEOUT:=120}"
KAFKA_BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"

: "${CAMUNDA_PORT:=8080}"
: "${CAMUNDA_DB_HOST:=127.0.0.1}"
: "${CAMUNDA_DB_PORT:=5432}"
: "${CAMUNDA_DB_NAME:=camunda}"
: "${CAMUNDA_DB_USER:=postgres}"
: "${CAMUNDA_DB_PASSWORD:=}"
: "${CAMUNDA_DB_URL:=jdbc:postgresql://$CAMUNDA_DB_HOST:$CAMUNDA_DB_PORT/$CAMUNDA_DB_NAME}"
: "${CAMUNDA_DB_CREATE:=1}"
: "${CAMUNDA_HEAP_OPTS:=-Xms256m -Xmx512m}"
: "${CAMUNDA_JVM_OPTS:=}"
: "${CAMUNDA_READY_TIMEOUT:=180}"

# ---------------------------------------------------------------------------------------------
# Helpers (private)
# ---------------------------------------------------------------------------------------------
_jvms_log() { printf '[jvm-services] %s\n' "$*" >&2; }
_jvms_err() { printf '[jvm-services] ERROR: %s\n' "$*" >&2; }

# _jvms_pid_alive PIDFILE MARKER: 0 if the pid in PIDFILE is alive and its command line
# contains MARKER (protects against a recycled pid); removes a stale pid file.
_jvms_pid_alive() {
  local pidfile="$1" marker="$2" pid cmd
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]]; then
    cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    if [[ "$cmd" == *"$marker"* ]]; then
      return 0
    fi
  fi
  rm -f "$pidfile"
  return 1
}

# _jvms_port_open HOST PORT: 0 if something accepts TCP connections there.
_jvms_port_open() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# _jvms_launch PIDFILE LOGFILE CMD...: start CMD in its own session (it survives the caller's
# shell and job control), with nohup, stdin from /dev/null, output appended to LOGFILE.
# The pid written to PIDFILE is the java process itself (bash execs into nohup, nohup into CMD).
_jvms_launch() {
  local pidfile="$1" logfile="$2"; shift 2
  rm -f "$pidfile"
  # 9>&- : do not let the service inherit the start lock.
  setsid -f bash -c 'echo $$ >"$1"; shift; exec nohup "$@"' _ "$pidfile" "$@" \
    </dev/null >>"$logfile" 2>&1 9>&-
  local i
  for i in $(seq 1 50); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.1
  done
  _jvms_err "no pid file $pidfile after launch"
  return 1
}

# _jvms_stop NAME PIDFILE MARKER TIMEOUT: SIGTERM the process of PIDFILE, SIGKILL after TIMEOUT s.
_jvms_stop() {
  local name="$1" pidfile="$2" marker="$3" timeout="$4" pid i
  if ! _jvms_pid_alive "$pidfile" "$marker"; then
    _jvms_log "$name is not running (no live pid in $pidfile)"
    return 0
  fi
  pid="$(cat "$pidfile")"
  _jvms_log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    _jvms_log "$name did not stop within ${timeout}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pidfile"
  _jvms_log "$name stopped"
}

_jvms_tail_log() {
  local logfile="$1" n="${2:-60}"
  if [[ -f "$logfile" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$logfile" >&2
    tail -n "$n" "$logfile" >&2
    printf -- '----- end of log -----\n' >&2
  fi
}

# Rotate LOGFILE to LOGFILE.1 (keep one previous run).
_jvms_rotate_log() {
  local logfile="$1"
  [[ -f "$logfile" ]] && mv -f "$logfile" "$logfile.1"
  : >"$logfile"
}

_jvms_sha() { sha256sum | cut -c1-64; }

# ---------------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------------
_kafka_libs() { printf '%s' "$CPQ_CACHE/kafka/libs"; }
_kafka_rundir() { printf '%s' "$CPQ_RUN/kafka"; }
_kafka_pidfile() { printf '%s' "$CPQ_RUN/kafka/kafka.pid"; }
_kafka_logfile() { printf '%s' "$CPQ_RUN/kafka/kafka.log"; }
_kafka_config() { printf '%s' "$CPQ_RUN/kafka/server.properties"; }
# Marker that identifies our broker in /proc/PID/cmdline: main class + our config path.
_kafka_marker() { printf 'kafka.Kafka %s' "$(_kafka_config)"; }

kafka_resolve() {
  local libs stamp hash
  libs="$(_kafka_libs)"
  stamp="$CPQ_CACHE/kafka/libs.sha256"
  mkdir -p "$CPQ_CACHE/kafka" || return 1
  hash="$(_jvms_sha <"$_JVMS_KAFKA_SRC/pom.xml")" || return 1
  (
    flock -w 600 9 || { _jvms_err "could not lock $CPQ_CACHE/kafka/resolve.lock"; exit 1; }
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$hash" && -f "$libs/.complete" ]]; then
      exit 0
    fi
    _jvms_log "resolving Kafka jars into $libs"
    local start=$SECONDS
    rm -rf "$libs.tmp"
    if ! "$MVN" -B -q -f "$_JVMS_KAFKA_SRC/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$libs.tmp" -DincludeScope=runtime 9>&-; then
      _jvms_err "mvn dependency:copy-dependencies failed for $_JVMS_KAFKA_SRC/pom.xml"
      rm -rf "$libs.tmp"
      exit 1
    fi
    touch "$libs.tmp/.complete"
    rm -rf "$libs"
    mv "$libs.tmp" "$libs"
    printf '%s\n' "$hash" >"$stamp"
    _jvms_log "Kafka jars resolved in $((SECONDS - start))s ($(find "$libs" -name '*.jar' | wc -l) jars)"
  ) 9>"$CPQ_CACHE/kafka/resolve.lock"
}

# Write $CPQ_RUN/kafka/server.properties from the template.
_kafka_render_config() {
  local tpl="$_JVMS_KAFKA_SRC/server.properties.template" out
  out="$(_kafka_config)"
  sed -e "s|@KAFKA_HOST@|$KAFKA_HOST|g" \
      -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@KAFKA_LOG_DIRS@|$KAFKA_LOG_DIRS|g" \
      "$tpl" >"$out.tmp" || return 1
  if grep -q '@KAFKA_[A-Z_]*@' "$out.tmp"; then
    _jvms_err "unreplaced placeholder in $out.tmp"
    return 1
  fi
  mv -f "$out.tmp" "$out"
}

# Format the log dir once. The standalone (dynamic quorum) format records the controller
# endpoint in the data dir, so a change of host/port/cluster id wipes the data and formats again.
_kafka_format() {
  local key keyfile="$KAFKA_LOG_DIRS/.cpq-format-key"
  key="$KAFKA_CLUSTER_ID $KAFKA_HOST:$KAFKA_CONTROLLER_PORT"
  if [[ -f "$KAFKA_LOG_DIRS/meta.properties" && -f "$keyfile" && "$(cat "$keyfile")" == "$key" ]]; then
    return 0
  fi
  if [[ -e "$KAFKA_LOG_DIRS" ]]; then
    _jvms_log "Kafka data dir $KAFKA_LOG_DIRS was formatted for another cluster id/controller endpoint: wiping it"
    rm -rf "$KAFKA_LOG_DIRS"
  fi
  mkdir -p "$KAFKA_LOG_DIRS" || return 1
  _jvms_log "formatting Kafka log dir $KAFKA_LOG_DIRS (cluster id $KAFKA_CLUSTER_ID, --standalone)"
  # shellcheck disable=SC2086
  if ! "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$_JVMS_KAFKA_SRC/log4j2.properties" \
      -Dcpq.log.level=WARN -Dcpq.log.target=SYSTEM_ERR \
      -cp "$(_kafka_libs)/*" kafka.tools.StorageTool format --standalone \
      -t "$KAFKA_CLUSTER_ID" -c "$(_kafka_config)" --ignore-formatted >>"$(_kafka_logfile)" 2>&1 9>&-; then
    _jvms_err "kafka.tools.StorageTool format failed"
    _jvms_tail_log "$(_kafka_logfile)" 30
    return 1
  fi
  printf '%s\n' "$key" >"$keyfile"
}

kafka_is_running() { _jvms_pid_alive "$(_kafka_pidfile)" "$(_kafka_marker)"; }

# kafka_tool MAIN_CLASS ARGS...: e.g. kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --list
kafka_tool() {
  [[ $# -ge 1 ]] || { _jvms_err "usage: kafka_tool MAIN_CLASS [ARGS...]"; return 2; }
  [[ -f "$(_kafka_libs)/.complete" ]] || kafka_resolve || return 1
  local cls="$1"; shift
  "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$_JVMS_KAFKA_SRC/log4j2.properties" \
    -Dcpq.log.level=WARN -Dcpq.log.target=SYSTEM_ERR \
    -cp "$(_kafka_libs)/*" "$cls" "$@"
}

# 0 if the broker answers API_VERSIONS on $KAFKA_BOOTSTRAP (a real Kafka request, not just TCP).
_kafka_probe() {
  local out
  _jvms_port_open "$KAFKA_HOST" "$KAFKA_PORT" || return 1
  out="$(timeout 30 "$JAVA" -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$_JVMS_KAFKA_SRC/log4j2.properties" \
    -Dcpq.log.level=ERROR -Dcpq.log.target=SYSTEM_ERR \
    -cp "$(_kafka_libs)/*" org.apache.kafka.tools.BrokerApiVersionsCommand \
    --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" 2>/dev/null 9>&-)" || return 1
  [[ "$out" == *"$KAFKA_HOST:$KAFKA_PORT (id: "* ]]
}

_kafka_start_locked() {
  local pidfile logfile
  pidfile="$(_kafka_pidfile)"
  logfile="$(_kafka_logfile)"
  if kafka_is_running; then
    _jvms_log "Kafka already running (pid $(cat "$pidfile")), not starting another"
    return 0
  fi
  if _jvms_port_open "$KAFKA_HOST" "$KAFKA_PORT" || _jvms_port_open "$KAFKA_HOST" "$KAFKA_CONTROLLER_PORT"; then
    _jvms_err "port $KAFKA_PORT or $KAFKA_CONTROLLER_PORT on $KAFKA_HOST is taken by a process this library did not start (no live pid in $pidfile)"
    return 1
  fi
  _jvms_rotate_log "$logfile"
  _kafka_render_config || return 1
  _kafka_format || return 1
  _jvms_log "starting Kafka on $KAFKA_BOOTSTRAP (controller $KAFKA_HOST:$KAFKA_CONTROLLER_PORT), log $logfile"
  # shellcheck disable=SC2086
  _jvms_launch "$pidfile" "$logfile" "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS \
    -Dlog4j2.configurationFile="$_JVMS_KAFKA_SRC/log4j2.properties" \
    -Dkafka.logs.dir="$(_kafka_rundir)" \
    -cp "$(_kafka_libs)/*" kafka.Kafka "$(_kafka_config)" || return 1
  date +%s >"$(_kafka_rundir)/started-at"
  _jvms_log "Kafka started (pid $(cat "$pidfile"))"
}

kafka_start() {
  KAFKA_BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"
  kafka_resolve || return 1
  mkdir -p "$(_kafka_rundir)" || return 1
  ( flock -w 300 9 || { _jvms_err "could not lock $(_kafka_rundir)/start.lock"; exit 1; }
    _kafka_start_locked
  ) 9>"$(_kafka_rundir)/start.lock"
}

kafka_wait_ready() {
  local timeout="${1:-$KAFKA_READY_TIMEOUT}" logfile start=$SECONDS
  KAFKA_BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"
  logfile="$(_kafka_logfile)"
  while :; do
    if ! kafka_is_running; then
      _jvms_err "Kafka is not running (process gone; see $logfile)"
      _jvms_tail_log "$logfile" 60
      return 1
    fi
    # Cheap check first (the log line), then a real API_VERSIONS round trip.
    if grep -q 'Kafka Server started' "$logfile" 2>/dev/null && _kafka_probe; then
      local since=""
      [[ -f "$(_kafka_rundir)/started-at" ]] && since=", $(($(date +%s) - $(cat "$(_kafka_rundir)/started-at")))s since start"
      _jvms_log "Kafka ready on $KAFKA_BOOTSTRAP (waited $((SECONDS - start))s$since)"
      return 0
    fi
    if ((SECONDS - start >= timeout)); then
      _jvms_err "Kafka not ready on $KAFKA_BOOTSTRAP after ${timeout}s"
      _jvms_tail_log "$logfile" 60
      return 1
    fi
    sleep 1
  done
}

kafka_stop() {
  _jvms_stop Kafka "$(_kafka_pidfile)" "$(_kafka_marker)" 60
}

kafka_reset() {
  kafka_stop || return 1
  _jvms_log "deleting Kafka data $KAFKA_LOG_DIRS"
  rm -rf "$KAFKA_LOG_DIRS"
}

# ---------------------------------------------------------------------------------------------
# Camunda
# ---------------------------------------------------------------------------------------------
_camunda_jar() { printf '%s' "$CPQ_CACHE/camunda/cpq-camunda.jar"; }
_camunda_rundir() { printf '%s' "$CPQ_RUN/camunda"; }
_camunda_pidfile() { printf '%s' "$CPQ_RUN/camunda/camunda.pid"; }
_camunda_logfile() { printf '%s' "$CPQ_RUN/camunda/camunda.log"; }
_camunda_marker() { printf -- '-jar %s' "$(_camunda_jar)"; }

_camunda_src_hash() {
  ( cd "$_JVMS_CAMUNDA_SRC" &&
    find pom.xml src -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum ) | _jvms_sha
}

camunda_build() {
  local jar stamp hash
  jar="$(_camunda_jar)"
  stamp="$CPQ_CACHE/camunda/build.sha256"
  mkdir -p "$CPQ_CACHE/camunda" || return 1
  hash="$(_camunda_src_hash)" || return 1
  (
    flock -w 900 9 || { _jvms_err "could not lock $CPQ_CACHE/camunda/build.lock"; exit 1; }
    if [[ -f "$jar" && -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then
      exit 0
    fi
    _jvms_log "building Camunda app ($_JVMS_CAMUNDA_SRC) into $CPQ_CACHE/camunda"
    local start=$SECONDS target="$CPQ_CACHE/camunda/target"
    if ! "$MVN" -B -q -f "$_JVMS_CAMUNDA_SRC/pom.xml" package -DskipTests \
      -Dcpq.build.dir="$target" 9>&-; then
      _jvms_err "mvn package failed for $_JVMS_CAMUNDA_SRC/pom.xml"
      exit 1
    fi
    cp -f "$target/cpq-camunda.jar" "$jar.tmp" && mv -f "$jar.tmp" "$jar" || exit 1
    printf '%s\n' "$hash" >"$stamp"
    _jvms_log "Camunda app built in $((SECONDS - start))s: $jar"
  ) 9>"$CPQ_CACHE/camunda/build.lock"
}

camunda_is_running() { _jvms_pid_alive "$(_camunda_pidfile)" "$(_camunda_marker)"; }

_camunda_ensure_db() {
  [[ "$CAMUNDA_DB_CREATE" == 1 ]] || return 0
  local exists
  exists="$(PGPASSWORD="$CAMUNDA_DB_PASSWORD" psql -h "$CAMUNDA_DB_HOST" -p "$CAMUNDA_DB_PORT" -U "$CAMUNDA_DB_USER" \
    -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$CAMUNDA_DB_NAME'")" || {
    _jvms_err "cannot reach PostgreSQL at $CAMUNDA_DB_HOST:$CAMUNDA_DB_PORT as $CAMUNDA_DB_USER"
    return 1
  }
  if [[ "$exists" != 1 ]]; then
    _jvms_log "creating database $CAMUNDA_DB_NAME"
    PGPASSWORD="$CAMUNDA_DB_PASSWORD" psql -h "$CAMUNDA_DB_HOST" -p "$CAMUNDA_DB_PORT" -U "$CAMUNDA_DB_USER" \
      -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$CAMUNDA_DB_NAME\"" || return 1
  fi
}

# The history level Camunda starts with: CAMUNDA_HISTORY_LEVEL when set; otherwise the level its
# database already holds (Camunda stores it there and refuses to start when the configured one
# differs: a database made when the default was `full` keeps it), else `audit` for a new one.
_camunda_history_level() {
  if [[ -n "${CAMUNDA_HISTORY_LEVEL:-}" ]]; then printf '%s' "$CAMUNDA_HISTORY_LEVEL"; return 0; fi
  local stored
  stored="$(PGPASSWORD="$CAMUNDA_DB_PASSWORD" psql -h "$CAMUNDA_DB_HOST" -p "$CAMUNDA_DB_PORT" -U "$CAMUNDA_DB_USER" \
    -d "$CAMUNDA_DB_NAME" -tAc "SELECT value_ FROM act_ge_property WHERE name_ = 'historyLevel'" 2>/dev/null)" || stored=""
  case "$stored" in
    0) printf none ;;
    1) printf activity ;;
    2) printf audit ;;
    3) printf full ;;
    *) printf audit ;;
  esac
}

_camunda_start_locked() {
  local pidfile logfile jar
  pidfile="$(_camunda_pidfile)"
  logfile="$(_camunda_logfile)"
  jar="$(_camunda_jar)"
  if camunda_is_running; then
    _jvms_log "Camunda already running (pid $(cat "$pidfile")), not starting another"
    return 0
  fi
  if _jvms_port_open 127.0.0.1 "$CAMUNDA_PORT"; then
    _jvms_err "port $CAMUNDA_PORT is taken by a process this library did not start (no live pid in $pidfile)"
    return 1
  fi
  _camunda_ensure_db || return 1
  _jvms_rotate_log "$logfile"
  local history
  history="$(_camunda_history_level)"
  _jvms_log "starting Camunda on 127.0.0.1:$CAMUNDA_PORT (db $CAMUNDA_DB_URL, history level $history), log $logfile"
  # shellcheck disable=SC2086
  CAMUNDA_PORT="$CAMUNDA_PORT" CAMUNDA_DB_URL="$CAMUNDA_DB_URL" CAMUNDA_DB_USER="$CAMUNDA_DB_USER" \
  CAMUNDA_DB_PASSWORD="$CAMUNDA_DB_PASSWORD" CAMUNDA_HISTORY_LEVEL="$history" \
    _jvms_launch "$pidfile" "$logfile" "$JAVA" $CAMUNDA_HEAP_OPTS $CAMUNDA_JVM_OPTS \
      -Djava.awt.headless=true -jar "$jar" || return 1
  date +%s >"$(_camunda_rundir)/started-at"
  _jvms_log "Camunda started (pid $(cat "$pidfile"))"
}

camunda_start() {
  camunda_build || return 1
  mkdir -p "$(_camunda_rundir)" || return 1
  ( flock -w 300 9 || { _jvms_err "could not lock $(_camunda_rundir)/start.lock"; exit 1; }
    _camunda_start_locked
  ) 9>"$(_camunda_rundir)/start.lock"
}

camunda_wait_ready() {
  local timeout="${1:-$CAMUNDA_READY_TIMEOUT}" logfile code start=$SECONDS
  logfile="$(_camunda_logfile)"
  while :; do
    if ! camunda_is_running; then
      _jvms_err "Camunda is not running (process gone; see $logfile)"
      _jvms_tail_log "$logfile" 80
      return 1
    fi
    code="$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$CAMUNDA_PORT/engine-rest/engine" 2>/dev/null || true)"
    if [[ "$code" == 200 ]]; then
      local since=""
      [[ -f "$(_camunda_rundir)/started-at" ]] && since=", $(($(date +%s) - $(cat "$(_camunda_rundir)/started-at")))s since start"
      _jvms_log "Camunda ready on http://127.0.0.1:$CAMUNDA_PORT/engine-rest (waited $((SECONDS - start))s$since)"
      return 0
    fi
    if ((SECONDS - start >= timeout)); then
      _jvms_err "Camunda not ready on port $CAMUNDA_PORT after ${timeout}s (last HTTP status: ${code:-none})"
      _jvms_tail_log "$logfile" 80
      return 1
    fi
    sleep 1
  done
}

camunda_stop() {
  _jvms_stop Camunda "$(_camunda_pidfile)" "$(_camunda_marker)" 60
}

# ---------------------------------------------------------------------------------------------
# Both
# ---------------------------------------------------------------------------------------------
jvm_services_up() {
  kafka_start || return 1
  camunda_start || return 1
  kafka_wait_ready || return 1
  camunda_wait_ready || return 1
}

jvm_services_down() {
  local rc=0
  camunda_stop || rc=1
  kafka_stop || rc=1
  return $rc
}
