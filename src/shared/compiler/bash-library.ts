/**
 * The helper functions every exported lab script carries: ownership tags, teardown that
 * tolerates half-built labs, preflight, status and the probe runner. Plain bash, checked
 * with shellcheck through the golden scripts.
 */
import { LAB_SH_STATUS } from '../exit-codes.js';

export const BASH_LIBRARY = `nsd_die() {
  printf 'lab.sh: %s\\n' "$*" >&2
  exit 1
}

nsd_note() {
  printf 'note: %s\\n' "$*"
}

nsd_event() {
  if [[ \${NSD_EVENTS:-} == 1 ]]; then printf '@nsd %s\\n' "$*"; fi
}

# Progress: one numbered line per step; NSD_EVENTS=1 adds machine-readable lines for the runner,
# which knows the steps by their number.
nsd_step() { # ELEMENT TITLE (the phase is in NSD_PHASE)
  NSD_STEP=$((NSD_STEP + 1))
  NSD_ELEMENT=$1 NSD_TITLE=$2
  nsd_event "step $NSD_STEP $NSD_TOTAL"
  printf '[%*d/%d] %-10s %s\\n' "\${#NSD_TOTAL}" "$NSD_STEP" "$NSD_TOTAL" "$NSD_PHASE" "$NSD_TITLE"
}

# How to run ACTION of this lab again. Sent over SSH ("bash -s") the script has no file on the
# host and $0 is just "bash": then nsd is the way to run it.
nsd_again() { # ACTION [NSD-OPTION]
  local command=$1
  if [[ -z $NSD_SELF ]]; then
    case $1 in up) command=deploy ;; down) command=destroy ;; esac
    printf 'nsd %s %q --host ...%s' "$command" "$NSD_SOURCE" "\${2:+ $2}"
  elif [[ $NSD_SELF == */* && -x $NSD_SELF ]]; then
    printf 'sudo %q %s' "$NSD_SELF" "$1"
  else
    printf 'sudo bash %q %s' "$NSD_SELF" "$1"
  fi
}

nsd_on_error() { # STATUS COMMAND
  printf '\\nFAILED at step %d/%d (%s, %s): %s\\n  command: %s\\n  exit status: %d\\n' \\
    "$NSD_STEP" "$NSD_TOTAL" "$NSD_PHASE" "$NSD_ELEMENT" "$NSD_TITLE" "$2" "$1" >&2
  nsd_event "failed $NSD_STEP $1 $2"
  if [[ $NSD_ACTION == up ]]; then
    printf 'The lab is partly up: "%s" removes what was made; "%s" resumes after a fix.\\n' "$(nsd_again down)" "$(nsd_again up)" >&2
  fi
  exit "$1"
}

nsd_has_netns() { # NAME
  [[ -e /run/netns/$1 ]]
}

# True when the interface exists (in NETNS, or in the host) and carries this lab's tag.
nsd_owned_link() { # IFNAME [NETNS]
  local where=() out
  if [[ -n \${2:-} ]]; then where=(-n "$2"); fi
  out=$(ip "\${where[@]}" -o link show dev "$1" 2>/dev/null) || return 1
  [[ $out == *"alias $NSD_TAG" ]]
}

nsd_owned_netns() { # NAME
  nsd_has_netns "$1" && nsd_owned_link lo "$1"
}

# Every interface of the host with its alias, from one "ip -o link show": a check per name would
# start hundreds of processes in a big lab. NSD_HOST_ALIAS[NAME] is set for each one.
nsd_read_host_links() {
  local line name
  declare -gA NSD_HOST_ALIAS=()
  while IFS= read -r line; do
    name=\${line#*: }
    name=\${name%%: *}
    name=\${name%%@*}
    NSD_HOST_ALIAS[$name]=''
    if [[ $line == *'    alias '* ]]; then NSD_HOST_ALIAS[$name]=\${line##*    alias }; fi
  done < <(ip -o link show)
}

nsd_host_has_link() { # IFNAME (after nsd_read_host_links)
  [[ -v NSD_HOST_ALIAS[$1] ]]
}

nsd_host_link_owned() { # IFNAME (after nsd_read_host_links)
  [[ \${NSD_HOST_ALIAS[$1]-} == "$NSD_TAG" ]]
}

nsd_remember() { # FILE LINE: lab state kept for down
  mkdir -p "$NSD_STATE"
  printf '%s\\n' "$2" >>"$NSD_STATE/$1"
}

# Sets a host sysctl, remembering the value it had before the lab so down can restore it.
nsd_sysctl() { # KEY VALUE
  if [[ ! -e $NSD_STATE/sysctl.$1 ]]; then
    mkdir -p "$NSD_STATE"
    sysctl -n "$1" >"$NSD_STATE/sysctl.$1"
  fi
  sysctl -qw "$1=$2"
}

nsd_sysctl_restore() { # KEY
  local saved=$NSD_STATE/sysctl.$1
  if [[ -e $saved ]]; then
    sysctl -qw "$1=$(<"$saved")"
    rm -f "$saved"
  fi
}

nsd_ensure_dir() { # DIR: made once; down removes it again if the lab made it
  if [[ ! -d $1 ]]; then
    mkdir -p "$1"
    nsd_remember created-dirs "$1"
  fi
}

nsd_quietly() { # COMMAND...: for teardown of things that may already be gone
  "$@" >/dev/null 2>&1 || true
}

nsd_link_remove() { # IFNAME: deletes a host interface only if this lab made it
  if nsd_owned_link "$1"; then ip link del dev "$1"; fi
}

nsd_netns_remove() { # NAME
  nsd_has_netns "$1" || return 0
  if ! nsd_owned_link lo "$1"; then
    printf 'lab.sh: leaving namespace %s alone: it does not carry the tag %s\\n' "$1" "$NSD_TAG" >&2
    return 0
  fi
  # A process left inside keeps the namespace (and its veths) alive after "ip netns del".
  local pids
  pids=$(ip netns pids "$1" | tr '\\n' ' ')
  if [[ -n \${pids// /} ]]; then
    printf '         stopping processes in %s: %s\\n' "$1" "$pids"
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null || true
    local tries=0
    while [[ -n $(ip netns pids "$1") ]] && ((tries < 20)); do
      sleep 0.1
      tries=$((tries + 1))
    done
    # shellcheck disable=SC2046
    kill -9 $(ip netns pids "$1") 2>/dev/null || true
  fi
  ip netns del "$1"
}

nsd_dns_remove() { # NAME
  rm -f "/etc/netns/$1/resolv.conf"
  rmdir "/etc/netns/$1" 2>/dev/null || true
}

nsd_chain_remove() { # IPTABLES TABLE PARENT CHAIN: the jump (tagged) first, then the chain
  local ipt=$1 table=$2 parent=$3 chain=$4
  command -v "$ipt" >/dev/null || return 0
  while "$ipt" -t "$table" -C "$parent" -m comment --comment "$NSD_TAG" -j "$chain" 2>/dev/null; do
    "$ipt" -t "$table" -D "$parent" -m comment --comment "$NSD_TAG" -j "$chain"
  done
  if "$ipt" -t "$table" -n -L "$chain" >/dev/null 2>&1; then
    "$ipt" -t "$table" -F "$chain"
    "$ipt" -t "$table" -X "$chain"
  fi
}

nsd_state_remove() {
  local dirs=() dir
  if [[ -e $NSD_STATE/created-dirs ]]; then mapfile -t dirs <"$NSD_STATE/created-dirs"; fi
  for dir in "\${dirs[@]}"; do rmdir "$dir" 2>/dev/null || true; done
  rm -f "$NSD_STATE/created-dirs"
  rmdir "$NSD_STATE" 2>/dev/null || true
  rmdir "\${NSD_STATE%/*}" 2>/dev/null || true
}

nsd_preflight() { # ACTION
  local missing=() tool conflicts=() name
  if [[ $(id -u) -ne 0 ]]; then nsd_die "$1 needs root: $(nsd_again "$1" --sudo)"; fi
  local tools=(ip sysctl)
  if [[ $1 != status ]] && ((NSD_NEEDS_IPTABLES)); then tools+=("\${NSD_IPTABLES[@]}"); fi
  if [[ $1 == verify ]]; then tools+=(ping timeout nsenter); fi
  for tool in "\${tools[@]}"; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if ((\${#missing[@]} > 0)); then
    nsd_die "missing tools: \${missing[*]} (on Debian or Ubuntu: apt-get install iproute2 procps iptables iputils-ping util-linux)"
  fi
  ip netns list >/dev/null 2>&1 || nsd_die "ip netns does not work here: this kernel or iproute2 lacks network namespace support"
  [[ $1 == up ]] || return 0

  for name in "\${NSD_NAMESPACES[@]}"; do
    if nsd_has_netns "$name" && ! nsd_owned_link lo "$name"; then
      conflicts+=("namespace $name exists and was not made by this lab (ip netns del $name, or rename it in the drawing)")
    fi
  done
  nsd_read_host_links
  for name in "\${NSD_HOST_LINKS[@]}"; do
    if nsd_host_has_link "$name" && ! nsd_host_link_owned "$name"; then
      conflicts+=("interface $name exists in the host and was not made by this lab (ip link del $name, or rename it in the drawing)")
    fi
  done
  for name in "\${NSD_TRANSIT_LINKS[@]}"; do
    if nsd_host_has_link "$name"; then
      if nsd_host_link_owned "$name"; then
        ip link del dev "$name" # left in the host by an interrupted run
      else
        conflicts+=("interface $name exists in the host; the lab needs that name there while it creates a veth pair")
      fi
    fi
  done
  if [[ -n $NSD_UPLINK ]] && ! nsd_host_has_link "$NSD_UPLINK"; then
    conflicts+=("the uplink $NSD_UPLINK does not exist; set the host's uplink in the drawing to one of: \${!NSD_HOST_ALIAS[*]}")
  fi
  if ((\${#conflicts[@]} > 0)); then
    printf 'lab.sh: cannot build lab %s:\\n' "$NSD_LAB" >&2
    printf '  - %s\\n' "\${conflicts[@]}" >&2
    exit 1
  fi
  if ((NSD_NEEDS_IPTABLES)) && iptables -S FORWARD 2>/dev/null | grep -qx -- '-P FORWARD DROP'; then
    nsd_note "the FORWARD policy is DROP (Docker does this); the lab accepts its own traffic in chain $NSD_FORWARD_CHAIN"
  fi
  if [[ -d /proc/sys/net/bridge ]]; then
    nsd_note "br_netfilter is loaded: bridged frames pass through iptables; the lab's FORWARD rules let them through"
  fi
}

nsd_status() {
  local name present=0 total=0
  nsd_preflight status
  printf '%-10s %-24s %s\\n' KIND NAME STATE
  for name in "\${NSD_NAMESPACES[@]}"; do
    total=$((total + 1))
    if nsd_owned_netns "$name"; then present=$((present + 1)) state=present; else state=missing; fi
    printf '%-10s %-24s %s\\n' namespace "$name" "$state"
  done
  nsd_read_host_links
  for name in "\${NSD_HOST_LINKS[@]}"; do
    total=$((total + 1))
    if nsd_host_link_owned "$name"; then present=$((present + 1)) state=present; else state=missing; fi
    printf '%-10s %-24s %s\\n' interface "$name" "$state"
  done
  local ipt table parent chain
  for name in "\${NSD_CHAINS[@]}"; do
    # The jump into a lab chain is added last, once the chain is complete.
    IFS=: read -r ipt table parent chain <<<"$name"
    total=$((total + 1))
    if command -v "$ipt" >/dev/null && "$ipt" -t "$table" -C "$parent" -m comment --comment "$NSD_TAG" -j "$chain" 2>/dev/null; then
      present=$((present + 1)) state=present
    else
      state=missing
    fi
    printf '%-10s %-24s %s\\n' "$ipt" "$table $parent -> $chain" "$state"
  done
  # Forwarding may have been on before the lab; only the lab's own parts decide whether it is down.
  local owned=$present
  for name in "\${NSD_SYSCTLS[@]}"; do
    total=$((total + 1))
    if [[ $(sysctl -n "$name" 2>/dev/null) == 1 ]]; then present=$((present + 1)) state=present; else state=missing; fi
    printf '%-10s %-24s %s\\n' sysctl "$name=1" "$state"
  done
  if ((present == total)); then
    printf 'lab %s is up (%d of %d parts present)\\n' "$NSD_LAB" "$present" "$total"
  elif ((owned == 0)); then
    printf 'lab %s is down\\n' "$NSD_LAB"
    return ${LAB_SH_STATUS.down}
  else
    printf 'lab %s is partly up (%d of %d parts present): run up to finish it or down to remove it\\n' "$NSD_LAB" "$present" "$total"
    return ${LAB_SH_STATUS.partlyUp}
  fi
}

# Runs a command inside a namespace's network, or in the host for "-". nsenter is lighter than
# ip netns exec (no private mount namespace), which counts when hundreds of probes run.
nsd_in() { # NETNS COMMAND...
  local netns=$1
  shift
  if [[ $netns == - ]]; then "$@"; else nsenter --net="/run/netns/$netns" "$@"; fi
}

# A listener for a port-forward probe when nothing listens yet; it accepts and closes connections.
nsd_listen() { # NETNS ADDRESS PORT
  if [[ -n $(ip netns exec "$1" ss -Hltn "sport = :$3") ]]; then return 0; fi
  command -v python3 >/dev/null || return 0
  ip netns exec "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(64)
while True:
    s.accept()[0].close()
' "$2" "$3" &
  NSD_LISTENERS+=("$!")
  local tries=0
  while [[ -z $(ip netns exec "$1" ss -Hltn "sport = :$3") ]] && ((tries < 50)); do
    sleep 0.05
    tries=$((tries + 1))
  done
}

# Probes run in parallel, at most 64 at a time.
nsd_spawn() { # COMMAND...
  "$@" &
  NSD_PROBES+=("$!")
  NSD_RUNNING=$((NSD_RUNNING + 1))
  if ((NSD_RUNNING >= 64)); then
    wait -n
    NSD_RUNNING=$((NSD_RUNNING - 1))
  fi
}

# One probe; writes a result line to DIR/N: id, from, to, kind, expect, observed, result, ms, reason.
nsd_probe() { # DIR N ID NETNS FROM TO KIND ADDRESS PORT EXPECT REASON
  local dir=$1 n=$2 id=$3 netns=$4 from=$5 to=$6 kind=$7 address=$8 port=$9 expect=\${10} reason=\${11}
  local observed=unreachable ms=- out family=IPv4
  if [[ $address == @uplink ]]; then address=$NSD_UPLINK_ADDRESS; fi
  if [[ $address == @uplink6 ]]; then address=$NSD_UPLINK_ADDRESS6 family=IPv6; fi
  if [[ -z $address ]]; then
    observed=unknown reason="the uplink $NSD_UPLINK has no $family address"
  elif [[ $kind == ping ]]; then
    if out=$(nsd_in "$netns" ping -n -c 1 -w 2 "$address" 2>&1); then
      observed=reachable
      local rtt='rtt[^=]*= [0-9.]+/([0-9.]+)/'
      if [[ $out =~ $rtt ]]; then ms=\${BASH_REMATCH[1]}; fi
    fi
  else
    local start=\${EPOCHREALTIME/./}
    # shellcheck disable=SC2016
    if nsd_in "$netns" timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$address" "$port" 2>/dev/null; then
      observed=reachable
      local us=$((\${EPOCHREALTIME/./} - start))
      printf -v ms '%d.%03d' $((us / 1000)) $((us % 1000))
    fi
  fi
  local result=fail
  if [[ $observed == "$expect" ]]; then result=pass; fi
  if [[ $observed == unknown ]]; then result=skip; fi
  printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$id" "$from" "$to" "$kind" "$address\${port:+:$port}" "$expect" "$observed" "$result" "\${ms:--}" "$reason" >"$dir/$n"
}

nsd_verify_report() { # DIR
  local dir=$1 pass=0 fail=0 skip=0 line
  local id from to kind address expect observed result ms reason
  printf '%-24s %-12s %-12s %-4s %-22s %-11s %-11s %-6s %s\\n' PROBE FROM TO KIND ADDRESS EXPECT OBSERVED RESULT MS
  for line in $(find "$dir" -type f -printf '%f\\n' | sort -n); do
    IFS=$'\\t' read -r id from to kind address expect observed result ms reason <"$dir/$line"
    printf '%-24s %-12s %-12s %-4s %-22s %-11s %-11s %-6s %s\\n' "$id" "$from" "$to" "$kind" "$address" "$expect" "$observed" "$result" "$ms"
    case $result in
      pass) pass=$((pass + 1)) ;;
      skip) skip=$((skip + 1)) ;;
      *)
        fail=$((fail + 1))
        printf '    expected %s because %s\\n' "$expect" "$reason"
        ;;
    esac
  done
  for line in $(find "$dir" -type f -printf '%f\\n' | sort -n); do
    IFS=$'\\t' read -r id from to kind address expect observed result ms reason <"$dir/$line"
    printf '@nsd probe id=%s from=%s to=%s kind=%s address=%s expect=%s observed=%s result=%s ms=%s\\n' \\
      "$id" "$from" "$to" "$kind" "$address" "$expect" "$observed" "$result" "$ms"
  done
  printf 'verify: %d passed, %d failed, %d skipped\\n' "$pass" "$fail" "$skip"
  ((fail == 0))
}
`;
