/**
 * The lifeline itself: a POSIX shell script, not a Node.js process. Its whole job is to notice
 * that the supervisor died (its stdin pipe closes without a goodbye) and kill every process group
 * it was told about; a shell does that in about 1-2 MB of memory where a Node.js runtime held
 * about 40 MB (issue 17: every megabyte the gateway holds is one a model cannot use on a Mac).
 *
 * It reads one instruction per line on stdin:
 *
 *   watch <pgid> <start time>   a child group to kill if the supervisor dies
 *   unwatch <pgid>
 *   keep 1|0                     keepModelsOnExit: leave children running
 *   bye                          graceful exit of the supervisor: nothing to do
 *
 * A group is killed only while it is still ours: its leader is gone (no pid can be reused while
 * the group lives) or the leader's start time is the one recorded at watch time (read the same
 * way as `processStartTime` in process-table.ts: /proc/<pid>/stat field 22 on Linux, `ps -o
 * lstart=` elsewhere). SIGTERM first, SIGKILL to what is left after about 0.7 s. It prints
 * `ready` once its signal dispositions are set, for whoever wants to wait on that.
 */
export const LIFELINE_SCRIPT = `
trap '' INT HUP
echo ready
groups=''
keep=0
bye=0
while IFS=' ' read -r op pgid start; do
  case "$op" in
    watch) groups="$groups$pgid $start
" ;;
    unwatch) groups=$(printf '%s' "$groups" | grep -v "^$pgid ")
      [ -n "$groups" ] && groups="$groups
" ;;
    keep) keep="$pgid" ;;
    bye) bye=1 ;;
  esac
done
[ "$bye" = 1 ] && exit 0
[ "$keep" = 1 ] && exit 0

start_time() {
  if [ -r "/proc/$1/stat" ]; then
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    set -- $(printf '%s' "$stat" | sed 's/.*) //')
    [ "$1" = Z ] && return 0
    shift 19
    printf '%s' "$1"
  else
    ps -o lstart= -p "$1" 2>/dev/null | sed 's/^ *//;s/ *$//'
  fi
}

targets=''
while IFS=' ' read -r pgid start; do
  [ -n "$pgid" ] || continue
  now=$(start_time "$pgid")
  if [ -z "$now" ] || [ -z "$start" ] || [ "$now" = "$start" ]; then
    kill -TERM "-$pgid" 2>/dev/null && targets="$targets $pgid"
  fi
done <<EOF
$groups
EOF

tries=0
while [ -n "$targets" ] && [ "$tries" -lt TERM_WAIT_TICKS ]; do
  left=''
  for pgid in $targets; do
    kill -0 "-$pgid" 2>/dev/null && left="$left $pgid"
  done
  targets=$left
  [ -n "$targets" ] || exit 0
  sleep 0.05
  tries=$((tries + 1))
done
for pgid in $targets; do kill -KILL "-$pgid" 2>/dev/null; done
# SIGKILL is delivered asynchronously: stay until the groups are gone (zombies count until
# reaped), for at most another 0.3 s, so that whoever waits on the lifeline's exit sees them gone.
tries=0
while [ -n "$targets" ] && [ "$tries" -lt 6 ]; do
  left=''
  for pgid in $targets; do
    kill -0 "-$pgid" 2>/dev/null && left="$left $pgid"
  done
  targets=$left
  [ -n "$targets" ] && sleep 0.05
  tries=$((tries + 1))
done
exit 0
`.replace('TERM_WAIT_TICKS', String(Math.round(700 / 50)));
