/**
 * `lab.sh inspect`: the live state of the lab as one JSON document (its shape is InspectReport
 * in src/shared/deploy/inspect.ts). Bash only checks each line of what the drawing wants against
 * the host and dumps what `ip -j`, `tc -j`, `ip netns pids` and `iptables -S` show; nsd and the
 * designer parse the dumps (operational state, addresses, routes, qdiscs, processes).
 */

export const BASH_INSPECT = `nsd_json() { # TEXT: as a JSON string
  local s=$1
  s=\${s//\\\\/\\\\\\\\}
  s=\${s//\\"/\\\\\\"}
  s=\${s//$'\\t'/\\\\t}
  s=\${s//$'\\n'/\\\\n}
  printf '"%s"' "$s"
}

nsd_ip() { # WHERE ARGS...: ip in a namespace, or in the host for -
  if [[ $1 == - ]]; then ip "\${@:2}"; else ip -n "$1" "\${@:2}"; fi
}

# An interface of a veth pair or a bridge: 1 when missing, 2 (NSD_NOTE says how) when it is not
# plugged where the drawing says or has another MTU.
nsd_inspect_end() { # NAME WHERE MASTER MTU
  local out
  out=$(nsd_ip "$2" -o link show dev "$1" 2>/dev/null) || return 1
  if [[ $3 != - && $out != *" master $3 "* ]]; then
    NSD_NOTE="$1 is not plugged into bridge $3"
    return 2
  fi
  if [[ $4 != - && $out != *" mtu $4 "* ]]; then
    NSD_NOTE="$1 does not have MTU $4"
    return 2
  fi
}

# A namespace's resolv.conf: 1 when missing, 2 (NSD_NOTE says how) when it does not say what up
# writes there for the drawing's servers (NSD_DNS_SERVERS, from nsd_inspect; NSD_RESOLV_FORMAT).
nsd_inspect_dns() { # NAME
  local servers want have
  [[ -e /etc/netns/$1/resolv.conf ]] || return 1
  [[ -n \${NSD_DNS_SERVERS[$1]-} ]] || return 0
  read -ra servers <<<"\${NSD_DNS_SERVERS[$1]}"
  # shellcheck disable=SC2059 # lab.sh's own format, the one up writes the file with
  printf -v want "$NSD_RESOLV_FORMAT" "\${servers[@]}"
  # As $(<FILE) reads the file: without its last line break.
  want=\${want%$'\\n'}
  have=$(<"/etc/netns/$1/resolv.conf") || return 1
  if [[ $have != "$want" ]]; then
    # The file as one line of at most 200 characters, any other control character as ? (a note is JSON text).
    have=\${have//$'\\n'/; }
    have=\${have//[[:cntrl:]]/?}
    NSD_NOTE="resolv.conf says \${have:0:200}, where the drawing has \${want//$'\\n'/; }"
    return 2
  fi
}

# One record line against the host: 0 present, 1 missing, 2 different (NSD_NOTE says how).
nsd_inspect_check() { # KIND WORD...
  local kind=$1 out value
  shift
  NSD_NOTE=''
  case $kind in
    netns) nsd_netns_ours "$1" && ((NSD_NETNS_HALF == 0)) ;;
    veth)
      nsd_inspect_end "$1" "$2" "$3" "$7" || return
      nsd_inspect_end "$4" "$5" "$6" "$7"
      ;;
    bridge) nsd_inspect_end "$1" - - "$2" ;;
    dns) nsd_inspect_dns "$1" ;;
    dir) [[ -d $1 ]] ;;
    addr)
      out=$(nsd_ip "$1" -o addr show dev "$2" 2>/dev/null) || return 1
      [[ $out == *" $3 "* ]]
      ;;
    route)
      local family=() words
      if [[ $2 == -6 ]]; then family=(-6); fi
      words=("\${@:2+\${#family[@]}}")
      out=$(nsd_ip "$1" "\${family[@]}" route show exact "\${words[0]}" 2>/dev/null) || return 1
      [[ -n $out ]] || return 1
      words=("\${words[@]:1}")
      local i
      for ((i = 0; i + 1 < \${#words[@]}; i += 2)); do
        if [[ " $out " != *" \${words[i]} \${words[i + 1]} "* ]]; then
          out=\${out%%$'\\n'*}
          NSD_NOTE="the route is: \${out% }"
          return 2
        fi
      done
      ;;
    sysctl)
      if [[ $1 == - ]]; then value=$(sysctl -n "$2" 2>/dev/null) || return 1; else value=$(nsenter --net="/run/netns/$1" sysctl -n "$2" 2>/dev/null) || return 1; fi
      if [[ $value != 1 ]]; then
        NSD_NOTE="$2 is $value"
        return 2
      fi
      ;;
    chain) command -v "$1" >/dev/null && "$1" -t "$2" -n -L "$3" >/dev/null 2>&1 ;;
    rule) command -v "$1" >/dev/null && "$1" -t "$2" -C "$3" "\${@:4}" 2>/dev/null ;;
    jump) command -v "$1" >/dev/null && "$1" -t "$2" -C "$3" -m comment --comment "$NSD_TAG" -j "$4" 2>/dev/null ;;
    service)
      nsd_service_read "$1" "$2"
      case $NSD_SERVICE_STATE in
        running) ;;
        exited)
          NSD_NOTE="service $2 exited with status $NSD_SERVICE_EXIT"
          return 2
          ;;
        *) return 1 ;;
      esac
      ;;
    qdisc) # present when the interface has a root netem; nsd compares its figures (tc -j dumps) with the words
      command -v tc >/dev/null || return 1
      if [[ $1 == - ]]; then out=$(tc qdisc show dev "$2" root 2>/dev/null); else out=$(tc -n "$1" qdisc show dev "$2" root 2>/dev/null); fi || return 1
      [[ $out == 'qdisc netem '* ]]
      ;;
    *) return 1 ;;
  esac
}

nsd_inspect_item() { # LINE ELEMENT
  local state=present status=0
  nsd_words "$1"
  nsd_inspect_check "\${NSD_WORDS[@]}" || status=$?
  case $status in 0) ;; 2) state=different ;; *) state=missing ;; esac
  printf '{"line":%s,"element":%s,"state":"%s","note":%s}' "$(nsd_json "$1")" "$(nsd_json "$2")" "$state" "$(nsd_json "$NSD_NOTE")"
}

nsd_inspect_dump() { # WHERE: what ip -j, tc -j and ip netns pids show there, as JSON members
  local in=() pid comm first=1 out
  if [[ $1 != - ]]; then in=(-n "$1"); fi
  printf '"links":%s,' "$(ip "\${in[@]}" -j link show 2>/dev/null || echo '[]')"
  printf '"addrs":%s,' "$(ip "\${in[@]}" -j addr show 2>/dev/null || echo '[]')"
  out=$(ip "\${in[@]}" -j route show 2>/dev/null) || out='[]'
  printf '"routes":%s,' "$out"
  out=$(ip "\${in[@]}" -j -6 route show 2>/dev/null) || out='[]'
  printf '"routes6":%s,' "\${out:-[]}"
  out=''
  if command -v tc >/dev/null; then out=$(tc "\${in[@]}" -j qdisc show 2>/dev/null) || out=''; fi
  printf '"qdiscs":%s,"pids":[' "\${out:-[]}"
  if [[ $1 != - ]]; then
    for pid in $(ip netns pids "$1" 2>/dev/null); do
      comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
      if ((first == 0)); then printf ','; fi
      first=0
      printf '{"pid":%d,"comm":%s}' "$pid" "$(nsd_json "$comm")"
    done
  fi
  printf ']'
}

# The drawing's lines (want), the record's lines the drawing lacks (extra), each present,
# missing or different on the host, then the dumps: every namespace the lab has or wants, the
# host, and the rules of the lab's iptables chains. Links are judged by their veth and bridge lines.
nsd_inspect() {
  local i item line first=1 name ipt table parent chain
  local -A want=() seen=()
  nsd_preflight inspect
  nsd_record_open
  # The drawing's DNS servers by namespace, for nsd_inspect_dns: one pass over NSD_DNS, not one
  # per DNS file (a big lab has thousands).
  declare -gA NSD_DNS_SERVERS=()
  for line in "\${NSD_DNS[@]}"; do NSD_DNS_SERVERS[\${line%% *}]=\${line#* }; done
  nsd_want_read
  printf '{"lab":%s,"tag":%s,"want":[' "$(nsd_json "$NSD_LAB")" "$(nsd_json "$NSD_TAG")"
  for item in "\${NSD_WANT[@]}"; do
    line=\${item%$'\\t'*}
    want[$line]=1
    [[ $line != 'link '* ]] || continue
    if ((first == 0)); then printf ','; fi
    first=0
    nsd_inspect_item "$line" "\${item##*$'\\t'}"
  done
  printf '],"extra":['
  first=1
  for i in "\${!NSD_RECORD_LINES[@]}"; do
    line=\${NSD_RECORD_LINES[i]}
    [[ -z \${want[$line]-} && $line != 'link '* ]] || continue
    if ((first == 0)); then printf ','; fi
    first=0
    nsd_inspect_item "$line" "\${NSD_RECORD_OF[i]/#-/lab}"
  done
  printf '],"namespaces":['
  first=1
  for line in "\${NSD_NAMESPACES[@]/#/netns }" "\${NSD_RECORD_LINES[@]}"; do
    [[ $line == 'netns '* ]] || continue
    name=\${line#netns }
    [[ -z \${seen[$name]-} ]] || continue
    seen[$name]=1
    if ! nsd_netns_ours "$name" || ((NSD_NETNS_HALF)); then continue; fi
    if ((first == 0)); then printf ','; fi
    first=0
    printf '{"name":%s,' "$(nsd_json "$name")"
    nsd_inspect_dump "$name"
    printf '}'
  done
  printf '],"host":{'
  nsd_inspect_dump -
  printf '},"services":['
  # Every service the drawing or the record names: running (with its pid), exited (with its
  # status) or missing, with the last lines of its output.
  first=1
  seen=()
  for line in "\${NSD_SERVICES[@]/#/service }" "\${NSD_RECORD_LINES[@]}"; do
    [[ $line == 'service '* ]] || continue
    nsd_words "\${line/\\// }"
    name="\${NSD_WORDS[1]}/\${NSD_WORDS[2]}"
    [[ -z \${seen[$name]-} ]] || continue
    seen[$name]=1
    nsd_service_read "\${NSD_WORDS[1]}" "\${NSD_WORDS[2]}"
    if ((first == 0)); then printf ','; fi
    first=0
    printf '{"netns":%s,"id":%s,"state":"%s","pid":%s,"exit":%s,"tail":%s}' "$(nsd_json "\${NSD_WORDS[1]}")" "$(nsd_json "\${NSD_WORDS[2]}")" "$NSD_SERVICE_STATE" \
      "\${NSD_SERVICE_PID:-null}" "\${NSD_SERVICE_EXIT:-null}" "$(nsd_json "$NSD_SERVICE_TAIL")"
  done
  printf '],"chains":['
  first=1
  for line in "\${NSD_CHAINS[@]}"; do
    IFS=: read -r ipt table parent chain <<<"$line"
    if ((first == 0)); then printf ','; fi
    first=0
    printf '{"iptables":"%s","table":"%s","parent":"%s","chain":%s,"rules":[' "$ipt" "$table" "$parent" "$(nsd_json "$chain")"
    if command -v "$ipt" >/dev/null && "$ipt" -t "$table" -n -L "$chain" >/dev/null 2>&1; then
      local rules=() r rfirst=1
      mapfile -t rules < <("$ipt" -t "$table" -S "$chain")
      for r in "\${rules[@]}"; do
        [[ $r == '-A '* ]] || continue
        if ((rfirst == 0)); then printf ','; fi
        rfirst=0
        nsd_json "$r"
      done
    fi
    printf ']}'
  done
  printf ']}\\n'
}
`;
