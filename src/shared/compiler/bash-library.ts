/**
 * The helper functions every exported lab script carries: ownership tags, teardown that
 * tolerates half-built labs, preflight, status and the probe runner. Plain bash, checked
 * with shellcheck through the golden scripts.
 */
import { LAB_SH_BUSY, LAB_SH_STATUS } from '../exit-codes.js';
import { NETEM_FIX } from './netem.js';

/**
 * Kernel memory one namespace of a lab takes with its veth pair, addresses and routes, rounded up:
 * measured about 200 KB for a bare namespace and 110 KB more for its veth pair (slab, Linux 6.18,
 * x86_64, 10,000 namespaces; more with more links or CPUs). Preflight refuses a lab whose new
 * namespaces need more than the host has available.
 */
export const NAMESPACE_MEMORY_KB = 320;

/** The here-document delimiter of the step tables: render-bash.ts writes them, nsd_want_read reads them back. */
export const TABLE_END = 'NSD_TABLE';

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
    if [[ -n \${NSD_LOCK_FD-} ]]; then nsd_about failed || true; fi
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
# start hundreds of processes in a big lab. NSD_HOST_ALIAS[NAME] is set for each one (with
# "type bridge", for each bridge only).
nsd_read_host_links() { # [type KIND]
  local line name out
  declare -gA NSD_HOST_ALIAS=()
  out=$(ip -o link show "$@") || true
  nsd_words "$out" $'\\n'
  for line in "\${NSD_WORDS[@]}"; do
    name=\${line#*: }
    name=\${name%%: *}
    name=\${name%%@*}
    NSD_HOST_ALIAS[$name]=''
    if [[ $line == *'    alias '* ]]; then NSD_HOST_ALIAS[$name]=\${line##*    alias }; fi
  done
}

nsd_host_has_link() { # IFNAME (after nsd_read_host_links)
  [[ -v NSD_HOST_ALIAS[$1] ]]
}

nsd_host_link_owned() { # IFNAME (after nsd_read_host_links)
  [[ \${NSD_HOST_ALIAS[$1]-} == "$NSD_TAG" ]]
}

# Takes the lock of FILE (flock), waiting up to WAIT seconds; NSD_FLOCK_FD then holds it.
# Returns 1 when another process keeps it. A lock file removed while we waited (the last
# down of a lab removes its state) is stale: the new one is locked instead.
nsd_flock() { # FILE WAIT
  local fd tries=0
  while :; do
    tries=$((tries + 1))
    if ((tries > 100)); then nsd_die "cannot open the lock file $1"; fi
    [[ -d \${1%/*} ]] || mkdir -p "\${1%/*}"
    { exec {fd}>>"$1"; } 2>/dev/null || continue
    if ! flock -w "$2" "$fd"; then
      exec {fd}>&-
      return 1
    fi
    if [[ /dev/fd/$fd -ef $1 ]]; then
      NSD_FLOCK_FD=$fd
      return 0
    fi
    exec {fd}>&-
  done
}

# One run of a lab at a time: up and down hold the lab's lock until they end; a second run
# waits a few seconds, then gives up, naming the run that holds it and changing nothing.
nsd_lock() { # ACTION
  if ! nsd_flock "$NSD_STATE/lock" "\${NSD_LOCK_WAIT:-5}"; then
    local holder='another run'
    if [[ -r $NSD_STATE/holder ]]; then holder=$(<"$NSD_STATE/holder"); fi
    printf 'lab.sh: lab %s is busy: %s holds it; nothing was changed. Run %s again when it has ended.\\n' "$NSD_LAB" "$holder" "$1" >&2
    exit ${LAB_SH_BUSY}
  fi
  NSD_LOCK_FD=$NSD_FLOCK_FD
  printf 'lab.sh %s (pid %d%s) since %(%F %T %z)T\\n' "$1" "$$" "\${SSH_CLIENT:+, over SSH from \${SSH_CLIENT%% *}}" -1 >"$NSD_STATE/holder"
}

# The record: what this lab made on the host, one line per object, appended (one write each)
# BEFORE the object is made, so an interruption anywhere leaves only things the record names.
# Lines: netns NAME | link NAME | veth FIRST WHERE MASTER SECOND WHERE MASTER MTU | bridge NAME MTU |
# dns NAME | dir PATH | addr WHERE DEV ADDRESS | route WHERE WORDS... | sysctl WHERE KEY |
# chain IPTABLES TABLE CHAIN | rule IPTABLES TABLE CHAIN WORDS... | jump IPTABLES TABLE PARENT CHAIN |
# service NETNS ID HASH | qdisc WHERE DEV NETEM-WORDS...
# (WHERE: a namespace, or - for the host; the compiler's RECORD_KINDS says the same). After a tab,
# each line names the drawing's element it belongs to (- for the lab as a whole), for plan.
# NSD_RECORD_AT[KIND] holds the indexes of KIND's lines in NSD_RECORD_LINES, oldest first: down and
# apply take one kind at a time, and a pass over every line for each kind was a fifth of down.
nsd_record_open() {
  local line lines=() n i=0
  declare -gA NSD_RECORDED=() NSD_RECORD_AT=()
  NSD_RECORD_CUT=0
  if [[ -e $NSD_STATE/record ]]; then mapfile lines <"$NSD_STATE/record"; fi
  # A step table's record lines go in one write; killed half way, it leaves a last line without
  # its end, which may name something else: not a line (the next write drops it; nsd_record_fd).
  n=\${#lines[@]}
  if ((n > 0)) && [[ \${lines[n - 1]} != *$'\\n' ]]; then
    unset 'lines[n - 1]'
    NSD_RECORD_CUT=1
  fi
  # Each list whole, in one expansion (a loop appending to each took twice as long): the lines
  # without their ends, without their elements, and the elements.
  lines=("\${lines[@]%$'\\n'}")
  NSD_RECORD_LINES=("\${lines[@]%%$'\\t'*}")
  NSD_RECORD_OF=("\${lines[@]#*$'\\t'}")
  for line in "\${NSD_RECORD_LINES[@]}"; do
    if [[ \${lines[i]} != *$'\\t'* ]]; then NSD_RECORD_OF[i]=-; fi
    NSD_RECORDED[$line]=1
    NSD_RECORD_AT[\${line%% *}]+="$i "
    i=$((i + 1))
  done
}

# Opens the record for appending (NSD_RECORD_FD), first without a line cut short.
nsd_record_fd() {
  if [[ -n \${NSD_RECORD_FD-} ]]; then return 0; fi
  if ((NSD_RECORD_CUT)); then nsd_record_rewrite; fi
  exec {NSD_RECORD_FD}>>"$NSD_STATE/record"
}

# Replaces the record, in one rename, with its lines that are not blank (nsd_apply blanks what it removed).
nsd_record_rewrite() {
  local i keep=()
  for i in "\${!NSD_RECORD_LINES[@]}"; do
    if [[ -n \${NSD_RECORD_LINES[i]} ]]; then keep+=("\${NSD_RECORD_LINES[i]}"$'\\t'"\${NSD_RECORD_OF[i]}"); fi
  done
  if ((\${#keep[@]} > 0)); then printf '%s\\n' "\${keep[@]}" >"$NSD_STATE/record.new"; else : >"$NSD_STATE/record.new"; fi
  mv -f "$NSD_STATE/record.new" "$NSD_STATE/record"
  if [[ -n \${NSD_RECORD_FD-} ]]; then exec {NSD_RECORD_FD}>&-; fi
  unset NSD_RECORD_FD
  nsd_record_open
}

nsd_record() { # KIND WORD... (for the element of the running step)
  local line="$*"
  if [[ -n \${NSD_RECORDED[$line]-} ]]; then return 0; fi
  nsd_record_fd
  printf '%s\\t%s\\n' "$line" "$NSD_ELEMENT" >&"$NSD_RECORD_FD"
  NSD_RECORDED[$line]=1
  NSD_RECORD_AT[\${line%% *}]+="\${#NSD_RECORD_LINES[@]} "
  NSD_RECORD_LINES+=("$line")
  NSD_RECORD_OF+=("$NSD_ELEMENT")
}

nsd_recorded() { # KIND WORD...
  [[ -n \${NSD_RECORDED["$*"]-} ]]
}

# Whether the kernel has IPv6 (not after ipv6.disable=1). nsd_ipv6 COMMAND runs an IPv6 setting
# only then; nsd_table leaves out its ip6 lines (ip commands of IPv6 settings) otherwise.
nsd_has_ipv6() { [[ -d /proc/sys/net/ipv6 ]]; }
nsd_ipv6() { if nsd_has_ipv6; then "$@"; fi; }

# Runs a table of steps (on standard input; see render-bash.ts): "phase NAME", "step ELEMENT
# TITLE", "record WORDS", "dir PATH" (a directory to make), "write COMMAND" (a printf into a file,
# as bash reads it) and ip commands ("make ip ..." makes an object; "File exists" there means it is
# made already; "ip6 ..." is an IPv6 setting, left out where the kernel has no IPv6). Every record line goes to the record first, in one write; then one mkdir makes
# the directories (a process for each was a quarter of up at 10,000 namespaces), bash itself
# writes the files, and the ip commands run in one "ip -batch" per place: the host first, then
# each namespace. A failed command is reported as the failure of its own step.
nsd_table() {
  local lines line kind rest opts k step=$NSD_STEP element=- records='' made=0
  local dirs=() dir_steps=() writes=() write_steps=()
  # The host goes first: its batch makes the namespaces and the veth pairs the others need.
  local -A place=([" "]=0)
  local places=('') phases=() starts=()
  mapfile -t lines
  for line in "\${lines[@]}"; do
    kind=\${line%% *} rest=\${line#* }
    case $kind in
      '#'*) ;;
      phase)
        NSD_PHASE=$rest
        phases+=("$rest") starts+=($((step + 1)))
        ;;
      step)
        step=$((step + 1)) element=\${rest%% *}
        NSD_TABLE_PHASE[step]=$NSD_PHASE NSD_TABLE_ELEMENT[step]=$element NSD_TABLE_TITLE[step]=\${rest#* }
        ;;
      record)
        [[ -z \${NSD_RECORDED[$rest]-} ]] || continue
        records+=$rest$'\\t'$element$'\\n'
        NSD_RECORDED[$rest]=1
        NSD_RECORD_AT[\${rest%% *}]+="\${#NSD_RECORD_LINES[@]} "
        NSD_RECORD_LINES+=("$rest")
        NSD_RECORD_OF+=("$element")
        ;;
      dir) dirs+=("$rest") dir_steps+=("$step") ;;
      write) writes+=("$rest") write_steps+=("$step") ;;
      make | ip | ip6)
        if [[ $kind == ip6 ]] && ! nsd_has_ipv6; then continue; fi
        if [[ $kind == make ]]; then rest=\${rest#ip }; else kind=ip; fi
        if [[ $rest == 'netns add '* ]]; then
          made=1
          # Preflight has made sure that an existing namespace of the drawing is this lab's.
          if nsd_has_netns "\${rest#netns add }"; then continue; fi
        fi
        opts=''
        while [[ $rest == -* ]]; do
          if [[ $rest == '-n '* ]]; then
            rest=\${rest#-n }
            opts+="-n \${rest%% *} "
          else
            opts+="\${rest%% *} "
          fi
          rest=\${rest#* }
        done
        k=\${place[" $opts"]-}
        if [[ -z $k ]]; then
          k=\${#places[@]}
          place[" $opts"]=$k
          places+=("$opts")
        fi
        # Appending to a plain variable is cheap; to an array element it copies the whole text.
        eval "NSD_BATCH_$k+=\\$rest\\$'\\\\n' NSD_BATCH_STEPS_$k+=\\"\\$kind:\\$step \\""
        ;;
    esac
  done
  starts+=($((step + 1)))
  for k in "\${!phases[@]}"; do
    NSD_PHASE=\${phases[k]}
    nsd_steps "\${starts[k]}" $((starts[k + 1] - 1))
  done
  if [[ -n $records ]]; then
    nsd_record_fd
    printf '%s' "$records" >&"$NSD_RECORD_FD"
  fi
  # When the one mkdir fails, each directory is made again on its own, failing at its own step.
  if ((\${#dirs[@]} > 0)) && ! mkdir -p "\${dirs[@]}" 2>/dev/null; then
    for k in "\${!dirs[@]}"; do
      nsd_table_at "\${dir_steps[k]}"
      mkdir -p "\${dirs[k]}" || nsd_on_error "$?" "mkdir -p \${dirs[k]}"
    done
  fi
  for k in "\${!writes[@]}"; do
    nsd_table_at "\${write_steps[k]}"
    eval "\${writes[k]}" || nsd_on_error "$?" "\${writes[k]}"
  done
  # Back at the table's last step, where its announcements left it.
  if ((\${#dirs[@]} + \${#writes[@]} > 0)); then nsd_table_at "$step"; fi
  local text opt=() in=()
  for k in "\${!places[@]}"; do
    text=NSD_BATCH_$k
    [[ -n \${!text-} ]] || continue
    read -ra opt <<<"\${places[k]}"
    in=()
    # "ip -n NS" copies the whole mount table first (one mount per namespace: slow in a big lab);
    # nsenter enters the namespace's network only, which is all these commands need.
    if [[ \${opt[0]-} == -n ]]; then
      in=(nsenter "--net=/run/netns/\${opt[1]}")
      opt=("\${opt[@]:2}")
    fi
    if ! "\${in[@]}" ip "\${opt[@]}" -force -batch - <<<"\${!text}" 2>"$NSD_STATE/batch.err"; then nsd_table_failed "$k"; fi
    unset "NSD_BATCH_$k" "NSD_BATCH_STEPS_$k"
  done
  rm -f "$NSD_STATE/batch.err"
  if ((made)); then nsd_netns_ids_save; fi
  NSD_STEP=$step
}

# Runs a table of steps one by one (on standard input; see render-bash.ts): "phase NAME", "step
# ELEMENT TITLE", "record WORDS" (written before the step's commands), "unless COMMAND" (when it
# succeeds, the step's run lines are skipped), "run COMMAND" and "after COMMAND" (runs even then),
# each COMMAND as bash reads it.
nsd_run_table() {
  local lines line kind rest skip=0
  mapfile -t lines
  for line in "\${lines[@]}"; do
    kind=\${line%% *} rest=\${line#* }
    case $kind in
      '#'*) ;;
      phase) NSD_PHASE=$rest ;;
      step)
        skip=0
        nsd_step "\${rest%% *}" "\${rest#* }"
        ;;
      record) nsd_record "$rest" ;;
      unless) if eval "$rest" >/dev/null 2>&1; then skip=1; fi ;;
      run) if ((skip == 0)); then eval "$rest"; fi ;;
      after) eval "$rest" ;;
    esac
  done
}

# Progress for the steps FIRST..LAST of a table, written to the record together: one line.
nsd_steps() { # FIRST LAST
  if (($2 < $1)); then return 0; fi
  NSD_STEP=$2 NSD_ELEMENT=\${NSD_TABLE_ELEMENT[$2]} NSD_TITLE=\${NSD_TABLE_TITLE[$2]}
  if (($1 == $2)); then
    nsd_event "step $1 $NSD_TOTAL"
    printf '[%*d/%d] %-10s %s\\n' "\${#NSD_TOTAL}" "$1" "$NSD_TOTAL" "$NSD_PHASE" "$NSD_TITLE"
  else
    nsd_event "step $1 $NSD_TOTAL $2"
    printf '[%*d-%d/%d] %-10s %d steps: %s ... %s\\n' "\${#NSD_TOTAL}" "$1" "$2" "$NSD_TOTAL" "$NSD_PHASE" $(($2 - $1 + 1)) "\${NSD_TABLE_TITLE[$1]}" "$NSD_TITLE"
  fi
}

# Makes step N of an nsd_table the running one, for a failure there to name it.
nsd_table_at() { # N
  NSD_STEP=$1 NSD_PHASE=\${NSD_TABLE_PHASE[$1]} NSD_ELEMENT=\${NSD_TABLE_ELEMENT[$1]} NSD_TITLE=\${NSD_TABLE_TITLE[$1]}
}

# After an ip batch of nsd_table (place K) failed: "File exists" of a make line means the object
# is there already (up ran before); any other error fails up at the step of its line.
nsd_table_failed() { # K
  local text=NSD_BATCH_$1 steps=NSD_BATCH_STEPS_$1 cmds=() refs=() errs=() said='' line n=0 last=0 ref
  mapfile -t cmds <<<"\${!text}"
  # shellcheck disable=SC2206 # KIND:STEP words, nothing to glob
  refs=(\${!steps})
  mapfile -t errs <"$NSD_STATE/batch.err"
  for line in "\${errs[@]}"; do
    if [[ $line =~ ^Command\\ failed\\ -:([0-9]+)$ ]]; then
      last=\${BASH_REMATCH[1]}
      ref=\${refs[last - 1]}
      if [[ \${ref%%:*} != make || $said != *'File exists'* ]]; then
        n=$last
        break
      fi
      said=''
    else
      said+=$line$'\\n'
    fi
  done
  if ((n == 0)); then
    # Only made objects that were there already: done. Anything else (ip ended without naming a
    # line) is put on the line after the last one it reported.
    if [[ -z $said ]] && ((last > 0)); then return 0; fi
    n=$((last < \${#refs[@]} ? last + 1 : last))
    if ((n == 0)); then n=1; fi
  fi
  ref=\${refs[n - 1]}
  nsd_table_at "\${ref#*:}"
  printf '%s' "$said" >&2
  rm -f "$NSD_STATE/batch.err"
  nsd_on_error 1 "ip \${places[$1]}\${cmds[n - 1]}"
}

# About the lab, for nsd labs: its title, drawing, generator, when and how its last run went.
nsd_about() { # STATE
  printf 'lab=%s\\ntitle=%s\\nsource=%s\\ngenerator=%s\\nupdated=%(%F %T %z)T\\nstate=%s\\n' \\
    "$NSD_LAB" "$NSD_LAB_TITLE" "$NSD_SOURCE" "$NSD_GENERATOR" -1 "$1" >"$NSD_STATE/about.new"
  mv -f "$NSD_STATE/about.new" "$NSD_STATE/about"
}

# Host settings (sysctls) are shared by every lab that needs them: each lab leaves a mark, the
# first saves the value from before, and the last one to go down puts it back.
nsd_shared_lock() {
  if [[ -n \${NSD_SHARED_FD-} ]]; then return 0; fi
  nsd_flock "$NSD_SHARED/lock" 30 || nsd_die "cannot lock $NSD_SHARED/lock"
  NSD_SHARED_FD=$NSD_FLOCK_FD
}

# The files in $NSD_SHARED that nsd_shared_unlock removes (names in it).
NSD_SHARED_GOING=()

# NSD_SHARED_GOING go first (with the lock and the directory when nothing else is left), then
# PATH... and DIR... as nsd_rm takes them: all in one rm. Down leaves its settings' files to the
# removal of its own state (nsd_state_remove), one process for both.
nsd_shared_unlock() { # [PATH... [-- DIR...]]
  local files file left=0 paths=()
  local -A going=()
  for file in "\${NSD_SHARED_GOING[@]}"; do going[$NSD_SHARED/$file]=1; done
  while (($# > 0)) && [[ $1 != -- ]]; do
    paths+=("$1")
    shift
  done
  (($# == 0)) || shift
  shopt -s nullglob
  files=("$NSD_SHARED"/*)
  shopt -u nullglob
  for file in "\${files[@]}"; do
    if [[ -z \${going[$file]-} && $file != "$NSD_SHARED/lock" ]]; then left=1; fi
  done
  # $NSD_SHARED before the directories after it: the last of them may hold it.
  if ((left == 0)); then
    nsd_rm "\${!going[@]}" "$NSD_SHARED/lock" "\${paths[@]}" -- "$NSD_SHARED" "$@"
  elif ((\${#going[@]} + \${#paths[@]} + $# > 0)); then
    nsd_rm "\${!going[@]}" "\${paths[@]}" -- "$@"
  fi
  exec {NSD_SHARED_FD}>&-
  unset NSD_SHARED_FD
  NSD_SHARED_GOING=()
}

# With at-least, a limit is only raised, never lowered, and only where this namespace can change it
# (gc_thresh3 exists in the initial namespace only; preflight said what to do elsewhere).
nsd_sysctl() { # KEY VALUE [at-least] (the record names it already)
  if [[ \${3-} == at-least && ! -w /proc/sys/\${1//.//} ]]; then return 0; fi
  nsd_shared_lock
  if [[ ! -e $NSD_SHARED/$1 ]]; then
    sysctl -n "$1" >"$NSD_SHARED/$1.new"
    mv -f "$NSD_SHARED/$1.new" "$NSD_SHARED/$1"
  fi
  : >"$NSD_SHARED/$1@$NSD_LAB"
  if [[ \${3-} != at-least ]] || (($(sysctl -n "$1") < $2)); then sysctl -qw "$1=$2"; fi
  nsd_shared_unlock
}

# Before up changes anything: says when the lab's namespaces, all talking through their gateways
# at once, need more neighbour entries than the kernel's shared tables allow, and what to do.
nsd_neigh_check() {
  local word key need limit room
  for word in "\${NSD_NEIGH_NEED[@]}"; do
    IFS=: read -r NSD_NEIGH_TABLES key need limit <<<"$word"
    nsd_neigh_read
    room=$((NSD_NEIGH_LIMIT - NSD_NEIGH_MARGIN))
    ((need > room)) || continue
    if [[ -w /proc/sys/\${key//.//} ]]; then
      nsd_note "this lab needs up to $need neighbour entries ($NSD_NEIGH_TABLES), more than $key=$NSD_NEIGH_LIMIT leaves it: up raises it to $limit, and the last lab to go down puts it back"
    else
      printf 'lab.sh: warning: this lab needs up to %d neighbour entries (%s) when its namespaces all talk through their gateways at once; the kernel allows %d for every namespace on the machine together (%s), and new neighbours fail beyond that. Only the host can raise it: sysctl -w %s=%d (verify is not affected: it probes in waves).\\n' "$need" "$NSD_NEIGH_TABLES" "$NSD_NEIGH_LIMIT" "$key" "$key" "$limit" >&2
    fi
  done
}

# With MODE down the lock stays held and the files wait for nsd_state_remove (see nsd_shared_unlock).
nsd_sysctl_release() { # KEY [MODE]
  local mark value last=1
  nsd_shared_lock
  for mark in "$NSD_SHARED/$1@"*; do
    if [[ -e $mark && $mark != "$NSD_SHARED/$1@$NSD_LAB" ]]; then last=0; fi
  done
  # A .new is only written under this lock: one found now was left by a run interrupted before
  # its rename (the setting itself was not changed yet), so it goes too. The last lab puts the
  # value from before back, then removes it with its mark (a run interrupted between the two puts
  # it back again).
  if ((last)) && [[ -e $NSD_SHARED/$1 ]]; then
    IFS= read -r value <"$NSD_SHARED/$1"
    # What sysctl -w does, without a process.
    printf '%s\\n' "$value" >"/proc/sys/\${1//.//}"
    NSD_SHARED_GOING+=("$1")
  fi
  NSD_SHARED_GOING+=("$1@$NSD_LAB" "$1.new")
  if [[ \${2-} != down ]]; then nsd_shared_unlock; fi
}

nsd_ensure_dir() { # DIR: made once; down removes it again (when empty) if the lab made it
  if [[ ! -d $1 ]]; then
    nsd_record dir "$1"
    mkdir -p "$1"
  fi
}

nsd_quietly() { # COMMAND...: for teardown of things that may already be gone
  "$@" >/dev/null 2>&1 || true
}

# Removes the files FILE..., then each directory DIR that is empty then, with one rm (rm -d takes
# only an empty directory). A file that stays is removed once more, for rm to say why.
nsd_rm() { # FILE... [-- DIR...]
  local files=() file
  while (($# > 0)) && [[ $1 != -- ]]; do
    files+=("$1")
    shift
  done
  (($# == 0)) || shift
  rm -fd -- "\${files[@]}" "$@" 2>/dev/null || true
  for file in "\${files[@]}"; do
    if [[ -e $file || -L $file ]]; then rm -f -- "$file"; fi
  done
}

# The alias of a host interface (after nsd_read_host_links): this lab's when it carries the
# lab's tag, or no alias at all while the record names it (an interruption between making it and
# tagging it). Anything else belongs to someone else.
nsd_host_link_ours() { # IFNAME
  local alias=\${NSD_HOST_ALIAS[$1]-}
  [[ $alias == "$NSD_TAG" ]] || { [[ -z $alias ]] && nsd_recorded link "$1"; }
}

# A namespace is this lab's when it is tagged, or untagged and recorded. "ip netns add" makes a
# file, then mounts the namespace on it: killed in between it leaves a file that is no namespace
# (NSD_NETNS_HALF=1 then), this lab's too when recorded.
nsd_netns_ours() { # NAME
  local out
  NSD_NETNS_HALF=0
  nsd_has_netns "$1" || return 1
  if ! out=$(ip -n "$1" -o link show dev lo 2>/dev/null); then
    NSD_NETNS_HALF=1
    nsd_recorded netns "$1"
    return
  fi
  [[ $out == *"alias $NSD_TAG" ]] || { [[ $out != *' alias '* ]] && nsd_recorded netns "$1"; }
}

nsd_netns_remove() { # NAME
  nsd_has_netns "$1" || return 0
  if ! nsd_netns_ours "$1"; then
    printf 'lab.sh: leaving namespace %s alone: it carries another tag than %s\\n' "$1" "$NSD_TAG" >&2
    return 0
  fi
  # A process left inside keeps the namespace (and its veths) alive after "ip netns del".
  local pids=''
  if ((NSD_NETNS_HALF == 0)); then pids=$(ip netns pids "$1" | tr '\\n' ' '); fi
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

# Services: each runs as "bash -c COMMAND" in its namespace, under a wrapper that is the leader
# of its own session and process group (setsid), with its files in $NSD_STATE/services/NETNS/:
# ID.pid (the wrapper's pid, written by the wrapper itself, so a service never runs unnamed),
# ID.log (its output), ID.exit (its exit status, once it ends on its own) and ID/, the directory
# it runs in.
nsd_service_base() { # NETNS ID
  printf '%s/services/%s/%s' "$NSD_STATE" "$1" "$2"
}

# Prints the pid of the service's wrapper while it runs (the pid file is checked against the
# process's command line, so a reused pid is never taken for it).
nsd_service_pid() { # NETNS ID
  local base pid cmdline
  base=$(nsd_service_base "$1" "$2")
  [[ -r $base.pid ]] || return 1
  pid=$(<"$base.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  cmdline=$(tr '\\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *" nsd-service $base "* ]] || return 1
  printf '%s' "$pid"
}

# True when up need not start the service: it runs, or it ended on its own (its exit status is
# kept for status). One killed from outside, or never started, is started again.
nsd_service_started() { # NETNS ID
  nsd_service_pid "$1" "$2" >/dev/null || [[ -e $(nsd_service_base "$1" "$2").exit ]]
}

nsd_service_start() { # NETNS ID COMMAND (the record names it already)
  local base tries=0
  base=$(nsd_service_base "$1" "$2")
  nsd_service_stop "$1" "$2"
  mkdir -p "$base"
  (
    cd "$base"
    # Only the standard streams go along: an inherited lock would keep the lab busy while the service runs.
    for fd in "/proc/$BASHPID/fd/"*; do
      fd=\${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-"; fi
    done
    # shellcheck disable=SC2016
    # The bash running this script (not whichever "bash" comes first in PATH) is the wrapper.
    exec ip netns exec "$1" setsid -f "$BASH" -c 'echo "$$" >"$1.pid.new" && mv -f "$1.pid.new" "$1.pid"; "$BASH" -c "$2"; echo "$?" >"$1.exit"' nsd-service "$base" "$3" </dev/null >"$base.log" 2>&1
  )
  while [[ ! -e $base.pid ]] && ((tries < 100)); do
    sleep 0.02
    tries=$((tries + 1))
  done
  [[ -e $base.pid ]] || nsd_die "service $2 in $1 did not start; its output is in $base.log"
}

# Stops a service: SIGTERM to its process group, SIGKILL to what is left after 2 s; then its files go.
nsd_service_stop() { # NETNS ID
  local base pid cmdline tries=0
  base=$(nsd_service_base "$1" "$2")
  if [[ -r $base.pid ]]; then
    pid=$(<"$base.pid")
    # The group is the service's while its leader is the wrapper, or gone (a group id is not
    # reused while the group has members); a leader with another command line is someone else.
    cmdline=$(tr '\\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || cmdline=''
    if [[ $pid =~ ^[0-9]+$ && ($cmdline == *" nsd-service $base "* || -z $cmdline) ]] && kill -TERM -- "-$pid" 2>/dev/null; then
      while kill -0 -- "-$pid" 2>/dev/null && ((tries < 20)); do
        sleep 0.1
        tries=$((tries + 1))
      done
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$base.pid" "$base.pid.new" "$base.exit" "$base.log" "$base"
  rmdir "\${base%/*}" "\${base%/*/*}" 2>/dev/null || true
}

# A service as status and inspect tell it: NSD_SERVICE_STATE running (NSD_SERVICE_PID), exited
# (NSD_SERVICE_EXIT) or missing, and NSD_SERVICE_TAIL, the last lines of its output.
nsd_service_read() { # NETNS ID
  local base
  base=$(nsd_service_base "$1" "$2")
  NSD_SERVICE_PID='' NSD_SERVICE_EXIT='' NSD_SERVICE_TAIL=''
  if NSD_SERVICE_PID=$(nsd_service_pid "$1" "$2"); then
    NSD_SERVICE_STATE=running
  elif [[ -r $base.exit ]]; then
    NSD_SERVICE_STATE=exited NSD_SERVICE_EXIT=$(<"$base.exit")
  else
    NSD_SERVICE_STATE=missing
  fi
  if [[ -r $base.log ]]; then NSD_SERVICE_TAIL=$(tail -n "\${NSD_TAIL_LINES:-5}" "$base.log" | tr -d '\\000-\\010\\013-\\037'); fi
}

nsd_jump_remove() { # IPTABLES TABLE PARENT CHAIN: the lab's tagged jump, however often it is there
  local ipt=$1 table=$2 parent=$3 chain=$4
  command -v "$ipt" >/dev/null || return 0
  while "$ipt" -t "$table" -C "$parent" -m comment --comment "$NSD_TAG" -j "$chain" 2>/dev/null; do
    "$ipt" -t "$table" -D "$parent" -m comment --comment "$NSD_TAG" -j "$chain"
  done
}

nsd_chain_remove() { # IPTABLES TABLE CHAIN (its jumps are gone already)
  local ipt=$1 table=$2 chain=$3
  command -v "$ipt" >/dev/null || return 0
  if "$ipt" -t "$table" -n -L "$chain" >/dev/null 2>&1; then
    "$ipt" -t "$table" -F "$chain" || nsd_on_error $? "$ipt -t $table -F $chain"
    # Refused while a rule from elsewhere still jumps to it.
    "$ipt" -t "$table" -X "$chain" || nsd_on_error $? "$ipt -t $table -X $chain"
  fi
}

nsd_host_link_remove() { # IFNAME (after nsd_read_host_links): only when it is this lab's
  nsd_host_has_link "$1" || return 0
  if nsd_host_link_ours "$1"; then
    # Deleting one end of a veth pair deletes the other, which may be next in the list.
    ip link del dev "$1" 2>/dev/null || ! ip link show dev "$1" >/dev/null 2>&1 || ip link del dev "$1"
  else
    printf 'lab.sh: leaving interface %s alone: it carries another tag than %s\\n' "$1" "$NSD_TAG" >&2
  fi
}

# Down: the lab's tagged jumps, then its chains with their rules, in each iptables the record
# names, removed with one iptables-restore --noflush, where a check and a removal each took a dozen
# processes. First as the record names them, without reading the host's rules (a host with Docker
# or Kubernetes has thousands): the restore deletes exactly the tagged jumps up made and the lab's
# chains, or refuses. Refused (a jump gone already or there twice, a rule from elsewhere still
# jumping to a chain), the jumps iptables-save shows are deleted instead; refused again, they go
# one by one, and the failing command is named.
nsd_undo_iptables() {
  local ipt line table parent chain name saved input tables key
  local -A jumps=() chains=() binaries=() del_lines=() flush_lines=() recorded_dels=() recorded_flushes=() recorded_tables=()
  nsd_lines_of jump
  for line in "\${NSD_LINES[@]}"; do
    nsd_words "$line"
    ipt=\${NSD_WORDS[0]} table=\${NSD_WORDS[1]} parent=\${NSD_WORDS[2]} chain=\${NSD_WORDS[3]}
    binaries[$ipt]=1
    # As iptables-save writes the jump, with the comment quoted or not.
    jumps["$ipt $table -A $parent -m comment --comment \\"$NSD_TAG\\" -j $chain"]=1
    jumps["$ipt $table -A $parent -m comment --comment $NSD_TAG -j $chain"]=1
    # As up made it (chainHooks).
    recorded_dels["$ipt $table"]+="-D $parent -m comment --comment \\"$NSD_TAG\\" -j $chain"$'\\n'
    recorded_tables["$ipt $table"]=1
  done
  nsd_lines_of chain
  for line in "\${NSD_LINES[@]}"; do
    binaries[\${line%% *}]=1
    chains[$line]=1
    key=\${line% *} chain=\${line##* }
    recorded_flushes[$key]+="-F $chain"$'\\n'"-X $chain"$'\\n'
    recorded_tables[$key]=1
  done
  for ipt in "\${!binaries[@]}"; do
    command -v "$ipt" >/dev/null || continue
    if command -v "$ipt-restore" >/dev/null; then
      input=''
      for key in "\${!recorded_tables[@]}"; do
        [[ $key == "$ipt "* ]] || continue
        input+="*\${key#"$ipt "}"$'\\n'"\${recorded_dels[$key]-}\${recorded_flushes[$key]-}COMMIT"$'\\n'
      done
      if "$ipt-restore" --noflush <<<"$input" 2>/dev/null; then continue; fi
    fi
    input=''
    if command -v "$ipt-save" >/dev/null && command -v "$ipt-restore" >/dev/null && saved=$("$ipt-save" 2>/dev/null); then
      del_lines=() flush_lines=() tables=()
      nsd_words "$saved" $'\\n'
      for line in "\${NSD_WORDS[@]}"; do
        case $line in
          '*'*)
            table=\${line#'*'}
            tables+=("$table")
            ;;
          :*)
            name=\${line%% *} name=\${name#:}
            if [[ -n \${chains["$ipt $table $name"]-} ]]; then flush_lines[$table]+="-F $name"$'\\n'"-X $name"$'\\n'; fi
            ;;
          -A*) if [[ -n \${jumps["$ipt $table $line"]-} ]]; then del_lines[$table]+="-D \${line#-A }"$'\\n'; fi ;;
        esac
      done
      for table in "\${tables[@]}"; do
        if [[ -n \${del_lines[$table]-}\${flush_lines[$table]-} ]]; then input+="*$table"$'\\n'"\${del_lines[$table]-}\${flush_lines[$table]-}COMMIT"$'\\n'; fi
      done
    fi
    # Found nothing of the record's (gone already, or another iptables than the one that saved):
    # the checks one by one tell.
    if [[ -n $input ]] && "$ipt-restore" --noflush <<<"$input" 2>/dev/null; then continue; fi
    nsd_undo jump "$ipt"
    nsd_undo chain "$ipt"
  done
}

# Removes the object one record line names, if it is still there and this lab's. For down
# (MODE down) what goes with a namespace or a chain anyway is skipped; apply (MODE apply)
# removes it too, because the namespace or the chain stays.
nsd_remove() { # MODE KIND WORD...
  local mode=$1 kind=$2
  shift 2
  case $kind in
    jump) nsd_jump_remove "$@" ;;
    chain) nsd_chain_remove "$@" ;;
    route) # WHERE [-6] ROUTE...: down asks only for the host's (a namespace's routes go with it)
      local in=()
      if [[ $1 != - ]]; then in=(-n "$1"); fi
      if [[ $2 == -6 ]]; then nsd_quietly ip "\${in[@]}" -6 route del "\${@:3}"; else nsd_quietly ip "\${in[@]}" route del "\${@:2}"; fi
      ;;
    addr)
      if [[ $mode == apply ]]; then
        if [[ $1 == - ]]; then nsd_quietly ip addr del "$3" dev "$2"; else nsd_quietly ip -n "$1" addr del "$3" dev "$2"; fi
      fi
      ;;
    sysctl)
      if [[ $1 == - ]]; then
        nsd_sysctl_release "$2" "$mode"
      elif [[ $mode == apply ]] && nsd_has_netns "$1"; then
        nsd_quietly nsenter --net="/run/netns/$1" sysctl -qw "$2=0"
      fi
      ;;
    veth) # FIRST WHERE MASTER SECOND WHERE MASTER MTU: the pair changed; up makes it anew
      if [[ $mode == apply ]]; then
        if [[ $2 == - ]]; then nsd_host_link_remove "$1"; else nsd_quietly ip -n "$2" link del dev "$1"; fi
        nsd_read_host_links
        if [[ $5 == - ]]; then nsd_host_link_remove "$4"; else nsd_quietly ip -n "$5" link del dev "$4"; fi
        nsd_read_host_links
      fi
      ;;
    bridge) if [[ $mode == apply ]]; then nsd_host_link_remove "$1" && nsd_read_host_links; fi ;;
    qdisc) # WHERE DEV WORDS...: goes with its interface at down; apply removes it (a changed one is made anew)
      if [[ $mode == apply ]]; then
        if [[ $1 == - ]]; then nsd_quietly tc qdisc del dev "$2" root; else nsd_quietly tc -n "$1" qdisc del dev "$2" root; fi
      fi
      ;;
    link) nsd_host_link_remove "$1" ;;
    netns) nsd_netns_remove "$1" ;;
    dns)
      nsd_rm "/etc/netns/$1/resolv.conf" -- "/etc/netns/$1"
      ;;
    dir) if [[ $mode == down ]]; then rmdir "$1" 2>/dev/null || true; fi ;;
    service) nsd_service_stop "$1" "$2" ;;
  esac
}

# Splits TEXT into NSD_WORDS at blanks, or at SEPARATORS (no globbing; empty pieces go): a record
# line into its words, or with $'\\n' a command's output, read with $(...), into its lines. read
# and mapfile take a pipe (and a here-string) a byte at a time, a system call each: 0.3 s for the
# links of a 300-namespace lab, 72 µs for one short line.
nsd_words() { # TEXT [SEPARATORS]
  local IFS=\${2-$' \\t\\n'}
  set -f
  # shellcheck disable=SC2206
  NSD_WORDS=($1)
  set +f
}

# Removes every object of KIND that the record names and that is still this lab's, newest
# first, whatever the drawing says now; what is already gone is skipped. Namespaces, host links
# and DNS files go all at once (a big lab has thousands), and so do the jumps with the chains
# (KIND "jump chain"). WORD limits them to the lines whose second word it is.
nsd_undo() { # KIND [WORD]
  local i line at
  case $* in
    netns) nsd_undo_netns ;;
    link) nsd_undo_links ;;
    dns) nsd_undo_dns ;;
    'jump chain') nsd_undo_iptables ;;
    *)
      # The host's routes only (where: -): a namespace's routes go with it, and are not split
      # into words here for nothing (300 of them took 12 ms of a down of 300).
      if [[ $* == route ]]; then set -- route -; fi
      # shellcheck disable=SC2206 # numbers only
      at=(\${NSD_RECORD_AT[$1]-})
      for ((i = \${#at[@]} - 1; i >= 0; i--)); do
        line=\${NSD_RECORD_LINES[at[i]]}
        # A line apply removed is blank.
        [[ $line == "$1 \${2:+$2 }"* ]] || continue
        nsd_words "$line"
        nsd_remove down "\${NSD_WORDS[@]}"
      done
      ;;
  esac
}

# The record's lines of KIND, newest first, without the kind: NSD_LINES.
nsd_lines_of() { # KIND
  local i line at
  NSD_LINES=()
  # shellcheck disable=SC2206 # numbers only
  at=(\${NSD_RECORD_AT[$1]-})
  for ((i = \${#at[@]} - 1; i >= 0; i--)); do
    line=\${NSD_RECORD_LINES[at[i]]}
    if [[ $line == "$1 "* ]]; then NSD_LINES+=("\${line#"$1 "}"); fi
  done
}

# Up writes the identity (device:inode) of each namespace it made to $NSD_STATE/netns, once they
# exist; a namespace that still has it is the one this lab made, and down need not start a process
# in each namespace to read its tag.
nsd_netns_ids_save() {
  local name paths=()
  for name in "\${NSD_NAMESPACES[@]}"; do
    if nsd_has_netns "$name"; then paths+=("/run/netns/$name"); fi
  done
  if ((\${#paths[@]} == 0)); then
    rm -f "$NSD_STATE/netns"
    return 0
  fi
  stat -L -c '%d:%i %n' "\${paths[@]}" >"$NSD_STATE/netns.new" 2>/dev/null || true
  mv -f "$NSD_STATE/netns.new" "$NSD_STATE/netns"
}

# One stat for the namespaces NAME... and every process's network namespace: NSD_NETNS_ID[NAME],
# NSD_NETNS_MADE[NAME] (what up saved) and NSD_PIDS_IN[ID] (the pids in it), instead of an
# "ip netns pids" per namespace.
nsd_netns_scan() { # [--pids] NAME...
  local id path pid name out line lines paths=() procs=()
  declare -gA NSD_NETNS_ID=() NSD_NETNS_MADE=() NSD_PIDS_IN=()
  if [[ \${1-} == --pids ]]; then
    procs=(/proc/[0-9]*/ns/net)
    shift
  fi
  for name in "$@"; do paths+=("/run/netns/$name"); done
  if [[ -r $NSD_STATE/netns ]]; then
    # Lines of ID /run/netns/NAME; one mapfile of the file (a read per line took twice as long).
    mapfile -t lines <"$NSD_STATE/netns"
    for line in "\${lines[@]}"; do NSD_NETNS_MADE[\${line##*/}]=\${line%% *}; done
  fi
  out=$(stat -L -c '%d:%i %n' "\${paths[@]}" "\${procs[@]}" 2>/dev/null) || true
  nsd_words "$out" $'\\n'
  for line in "\${NSD_WORDS[@]}"; do
    id=\${line%% *} path=\${line#* }
    if [[ $path == /proc/* ]]; then
      pid=\${path#/proc/} pid=\${pid%%/*}
      if ((pid != $$ && pid != BASHPID)); then NSD_PIDS_IN[$id]+="$pid "; fi
    else
      NSD_NETNS_ID[\${path#/run/netns/}]=$id
    fi
  done
}

# After nsd_netns_scan, the namespaces of NAME... that exist, sorted: NSD_OURS are this lab's
# (NSD_HALF those of them half made by an interrupted run), NSD_THEIRS someone else's. One that is
# still the one up made and recorded (the record's line is the key, as nsd_recorded reads it) needs
# nothing more; nsd_netns_ours answers for the others. One call for all: two function calls per
# namespace took 20 to 35 ms of a down of 300.
nsd_netns_sort() { # NAME...
  local name id
  NSD_OURS=() NSD_HALF=() NSD_THEIRS=()
  for name in "$@"; do
    id=\${NSD_NETNS_ID[$name]-}
    if [[ -n $id && $id == "\${NSD_NETNS_MADE[$name]-}" && -n \${NSD_RECORDED["netns $name"]-} ]]; then
      NSD_OURS+=("$name")
    elif ! nsd_has_netns "$name"; then
      continue
    elif nsd_netns_ours "$name"; then
      NSD_OURS+=("$name")
      if ((NSD_NETNS_HALF)); then NSD_HALF+=("$name"); fi
    else
      NSD_THEIRS+=("$name")
    fi
  done
}

# Stops processes: TERM, up to 2 s for them to leave their namespaces, then KILL.
nsd_stop_pids() { # PID...
  local pid tries=0 left
  kill "$@" 2>/dev/null || true
  while ((tries < 20)); do
    left=()
    # A process that has ended (a zombie too) no longer holds its namespace.
    for pid in "$@"; do if [[ -e /proc/$pid/ns/net ]]; then left+=("$pid"); fi; done
    ((\${#left[@]} > 0)) || return 0
    set -- "\${left[@]}"
    sleep 0.1
    tries=$((tries + 1))
  done
  kill -9 "$@" 2>/dev/null || true
}

# Down: the processes in the lab's namespaces stopped (a process left inside keeps a namespace and
# its veths alive), then every namespace of the lab deleted in one ip -batch. NSD_DELETED names them.
# The lab's bridges go at the end of the same batch: the kernel then unplugs their ports before it
# cleans up the namespaces, where a bridge deleted after that cleanup waited for it, then took
# some 40 ms of its own (nsd_undo_links removes what is left).
nsd_undo_netns() {
  local name id pids=() bridges=()
  declare -gA NSD_DELETED=()
  nsd_lines_of netns
  ((\${#NSD_LINES[@]} > 0)) || return 0
  nsd_netns_scan --pids "\${NSD_LINES[@]}"
  nsd_netns_sort "\${NSD_LINES[@]}"
  for name in "\${NSD_THEIRS[@]}"; do
    printf 'lab.sh: leaving namespace %s alone: it carries another tag than %s\\n' "$name" "$NSD_TAG" >&2
  done
  for name in "\${NSD_OURS[@]}"; do
    NSD_DELETED[$name]=1
    id=\${NSD_NETNS_ID[$name]-}
    if [[ -n $id && -n \${NSD_PIDS_IN[$id]-} ]]; then
      printf '         stopping processes in %s: %s\\n' "$name" "\${NSD_PIDS_IN[$id]}"
      # shellcheck disable=SC2206
      pids+=(\${NSD_PIDS_IN[$id]})
    fi
  done
  if ((\${#pids[@]} > 0)); then nsd_stop_pids "\${pids[@]}"; fi
  ((\${#NSD_OURS[@]} > 0)) || return 0
  nsd_lines_of bridge
  if ((\${#NSD_LINES[@]} > 0)); then
    nsd_read_host_links type bridge
    for name in "\${NSD_LINES[@]}"; do
      name=\${name%% *}
      if nsd_host_has_link "$name" && nsd_host_link_ours "$name"; then bridges+=("$name"); fi
    done
  fi
  {
    printf 'netns del %s\\n' "\${NSD_OURS[@]}"
    if ((\${#bridges[@]} > 0)); then printf 'link del dev %s\\n' "\${bridges[@]}"; fi
  } | ip -force -batch - 2>/dev/null || true
  for name in "\${NSD_OURS[@]}"; do
    if [[ -e /run/netns/$name ]]; then nsd_on_error 1 "ip netns del $name"; fi
  done
  # Their identities are stale now (emptied, not removed: no process; down forgets the file).
  : >"$NSD_STATE/netns"
}

# Down: the host's links that are this lab's, in one ip -batch. The host end of a veth pair whose
# other end was in a namespace deleted just now goes with it, a moment later (the kernel cleans
# namespaces up in the background): down waits for those, so that it leaves nothing behind.
nsd_undo_links() {
  local line name tries=0 waiting dels=()
  local -A going=() recorded=()
  # What to look for once the kernel is done, found while it works; then the loops below go over
  # what the host still has (a few links), not over what the lab had (thousands).
  nsd_lines_of link
  for name in "\${NSD_LINES[@]}"; do recorded[$name]=1; done
  nsd_lines_of veth
  for line in "\${NSD_LINES[@]}"; do
    nsd_words "$line"
    if [[ \${NSD_WORDS[4]} == - && -n \${NSD_DELETED[\${NSD_WORDS[1]}]-} ]]; then going[\${NSD_WORDS[3]}]=1; fi
    if [[ \${NSD_WORDS[1]} == - && -n \${NSD_DELETED[\${NSD_WORDS[4]}]-} ]]; then going[\${NSD_WORDS[0]}]=1; fi
  done
  while :; do
    nsd_read_host_links
    waiting=0
    for name in "\${!NSD_HOST_ALIAS[@]}"; do
      if [[ -n \${going[$name]-} ]]; then waiting=1 && break; fi
    done
    ((waiting && tries < 500)) || break
    sleep 0.01
    tries=$((tries + 1))
  done
  for name in "\${!NSD_HOST_ALIAS[@]}"; do
    [[ -n \${recorded[$name]-} ]] || continue
    if nsd_host_link_ours "$name"; then
      dels+=("$name")
    else
      printf 'lab.sh: leaving interface %s alone: it carries another tag than %s\\n' "$name" "$NSD_TAG" >&2
    fi
  done
  ((\${#dels[@]} > 0)) || return 0
  # Deleting one end of a veth pair deletes the other, which may come later in the list.
  local out
  out=$(printf 'link del dev %s\\n' "\${dels[@]}" | ip -force -batch - 2>&1) || true
  nsd_read_host_links
  for name in "\${dels[@]}"; do
    if nsd_host_has_link "$name"; then
      printf '%s\\n' "$out" >&2
      nsd_on_error 1 "ip link del dev $name"
    fi
  done
}

# Down: the lab's DNS files in /etc/netns, and their directories when empty.
nsd_undo_dns() {
  local name files=() dirs=()
  nsd_lines_of dns
  ((\${#NSD_LINES[@]} > 0)) || return 0
  for name in "\${NSD_LINES[@]}"; do
    files+=("/etc/netns/$name/resolv.conf")
    dirs+=("/etc/netns/$name")
  done
  nsd_rm "\${files[@]}" -- "\${dirs[@]}"
}

# What up records for this drawing: NSD_WANT, a line for each record, "LINE<tab>ELEMENT" as in the
# record ("lab" for the lab's own). They are the record lines of up's tables, read back from up
# itself (declare -f prints its here-documents as written), once: only apply on a running lab,
# plan and inspect need them, where a copy of them in the script made every run of a big lab
# parse it (half a second at 10,000 namespaces). Split at line breaks by bash: mapfile reads a
# here-string a byte at a time.
nsd_want_read() {
  ((NSD_WANT_READ == 0)) || return 0
  local IFS=$'\\n'
  set -f
  # shellcheck disable=SC2207 # lines, split at line breaks only, not globbed
  NSD_WANT=($(declare -f nsd_up | awk '
    /<<.${TABLE_END}.$/ { table = 1; next }
    $0 == "${TABLE_END}" { table = 0; next }
    table && /^step / { split($0, words, " "); element = words[2] == "-" ? "lab" : words[2]; next }
    table && /^record / { print substr($0, 8) "\\t" element }'))
  set +f
  NSD_WANT_READ=1
}

# Apply, when up runs where the lab is already up: first remove what the record has and this
# drawing does not (a removed or renamed element, an old address, route, DNS file, rule or
# setting), newest first, and forget it; the steps after it add what is new and leave the rest
# untouched. A chain whose rules changed is emptied and refilled in the drawing's order.
# With "plan" it only says what it would remove (-), refill (~) and add (+), and changes nothing.
nsd_apply() { # [plan]
  local plan=\${1-} item line i j at kind key n=0 added=0 refilled=0 changed=0 replugged=0
  # A fresh lab has nothing to remove (and a big one would pay for reading what it wants).
  if [[ -z $plan ]] && ((\${#NSD_RECORD_LINES[@]} == 0)); then return 0; fi
  local -A want=() have_rules=() want_rules=() refill=() gone=() want_qdisc=() have_qdisc=() want_veth=() have_veth=()
  nsd_want_read
  for item in "\${NSD_WANT[@]}"; do
    line=\${item%$'\\t'*}
    want[$line]=1
    # A qdisc is known by its interface (WHERE DEV): other figures on the same one are a change (~).
    if [[ $line == 'qdisc '* ]]; then
      nsd_words "$line"
      want_qdisc["\${NSD_WORDS[*]:1:2}"]=$line
    fi
    # A veth pair is known by its ends and MTU: other bridges for its ends are a change (~), re-plugged.
    if [[ $line == 'veth '* ]]; then
      nsd_words "$line"
      nsd_veth_key
      want_veth[$NSD_KEY]=$line
    fi
    if [[ $line == 'rule '* ]]; then
      nsd_words "$line"
      key="\${NSD_WORDS[*]:1:3}"
      want_rules[$key]+="$line"$'\\n'
    fi
  done
  for line in "\${NSD_RECORD_LINES[@]}"; do
    if [[ $line == 'rule '* ]]; then
      nsd_words "$line"
      key="\${NSD_WORDS[*]:1:3}"
      have_rules[$key]+="$line"$'\\n'
    elif [[ $line == 'qdisc '* ]]; then
      nsd_words "$line"
      have_qdisc["\${NSD_WORDS[*]:1:2}"]=$line
    elif [[ $line == 'veth '* ]]; then
      nsd_words "$line"
      nsd_veth_key
      have_veth[$NSD_KEY]=1
    fi
  done
  for key in "\${!have_rules[@]}"; do
    if [[ \${have_rules[$key]} != "\${want_rules[$key]-}" ]]; then refill[$key]=1; fi
  done
  if [[ -z $plan ]]; then nsd_read_host_links; fi
  for kind in service jump rule chain qdisc route addr sysctl veth bridge link netns dns; do
    # shellcheck disable=SC2206 # numbers only
    at=(\${NSD_RECORD_AT[$kind]-})
    for ((j = \${#at[@]} - 1; j >= 0; j--)); do
      i=\${at[j]} line=\${NSD_RECORD_LINES[i]}
      [[ $line == "$kind "* ]] || continue
      nsd_words "$line"
      if [[ $kind == rule ]]; then
        key="\${NSD_WORDS[*]:1:3}"
        [[ -n \${refill[$key]-} ]] || continue
        if [[ -z \${gone[$key]-} ]]; then
          gone[$key]=1
          refilled=$((refilled + 1))
          if [[ -n $plan ]]; then
            printf '~ %s %s chain %s: its rules change (refilled in order)\\n' "\${NSD_WORDS[@]:1:3}"
            continue
          fi
          printf '         ~ %s %s chain %s: its rules changed, refilled in order\\n' "\${NSD_WORDS[@]:1:3}"
          if "\${NSD_WORDS[1]}" -t "\${NSD_WORDS[2]}" -n -L "\${NSD_WORDS[3]}" >/dev/null 2>&1; then "\${NSD_WORDS[1]}" -t "\${NSD_WORDS[2]}" -F "\${NSD_WORDS[3]}"; fi
        fi
      elif [[ -n \${want[$line]-} ]]; then
        continue
      elif [[ $kind == qdisc && -n \${want_qdisc["\${NSD_WORDS[*]:1:2}"]-} ]]; then
        # Other figures on the same interface: only the qdisc changes (removed here, made anew by its step).
        key="\${NSD_WORDS[*]:1:2}"
        changed=$((changed + 1))
        if [[ -n $plan ]]; then
          printf '~ qdisc %s: %s -> %s  [%s]\\n' "$key" "\${NSD_WORDS[*]:3}" "\${want_qdisc[$key]#qdisc "$key" }" "\${NSD_RECORD_OF[i]/#-/lab}"
          continue
        fi
        printf '         ~ qdisc %s: %s -> %s  [%s]\\n' "$key" "\${NSD_WORDS[*]:3}" "\${want_qdisc[$key]#qdisc "$key" }" "\${NSD_RECORD_OF[i]/#-/lab}"
        nsd_remove apply "\${NSD_WORDS[@]}"
      elif [[ $kind == veth ]] && nsd_veth_key && [[ -n \${want_veth[$NSD_KEY]-} ]]; then
        # The same pair plugged elsewhere: the pair stays (its namespace end keeps its addresses
        # and routes); an end that leaves its bridge for none is unplugged here, one that goes to
        # another bridge is plugged there by its step.
        replugged=$((replugged + 1))
        nsd_veth_replug "$plan" "\${want_veth[$NSD_KEY]}" "\${NSD_RECORD_OF[i]/#-/lab}"
        [[ -z $plan ]] || continue
        # Its line stays, as the drawing has it now: an interruption before its step still leaves the pair named.
        NSD_RECORD_LINES[i]=\${want_veth[$NSD_KEY]}
        continue
      elif [[ -n $plan ]]; then
        printf -- '- %s  [%s]\\n' "$line" "\${NSD_RECORD_OF[i]/#-/lab}"
        n=$((n + 1))
        continue
      else
        printf '         - %s  [%s]\\n' "$line" "\${NSD_RECORD_OF[i]/#-/lab}"
        nsd_remove apply "\${NSD_WORDS[@]}"
      fi
      [[ -z $plan ]] || continue
      NSD_RECORD_LINES[i]=''
      n=$((n + 1))
    done
  done
  if [[ -n $plan ]]; then
    for item in "\${NSD_WANT[@]}"; do
      line=\${item%$'\\t'*}
      nsd_recorded "$line" && continue
      if [[ $line == 'rule '* ]]; then
        nsd_words "$line"
        key="\${NSD_WORDS[*]:1:3}"
        [[ -z \${refill[$key]-} ]] || continue
      elif [[ $line == 'qdisc '* ]]; then
        nsd_words "$line"
        [[ -z \${have_qdisc["\${NSD_WORDS[*]:1:2}"]-} ]] || continue
      elif [[ $line == 'veth '* ]]; then
        nsd_words "$line"
        nsd_veth_key
        [[ -z \${have_veth[$NSD_KEY]-} ]] || continue
      fi
      printf '+ %s  [%s]\\n' "$line" "\${item##*$'\\t'}"
      added=$((added + 1))
    done
    printf 'plan for lab %s: %d to add, %d to remove, %d chain(s) to refill%s%s; the rest stays as it is\\n' "$NSD_LAB" "$added" "$n" "$refilled" \\
      "$( ((changed == 0)) || printf ', %d qdisc(s) to change' "$changed")" "$( ((replugged == 0)) || printf ', %d veth pair(s) to re-plug' "$replugged")"
    return 0
  fi
  ((n + changed + replugged > 0)) || return 0
  # The record without what is gone, replaced in one rename; lines added from here on go to the new file.
  nsd_record_rewrite
}

# NSD_KEY: the words of a veth record line (in NSD_WORDS) that make the pair, its ends, where they
# are and its MTU, without the bridges they are plugged into.
nsd_veth_key() {
  NSD_KEY="\${NSD_WORDS[1]} \${NSD_WORDS[2]} \${NSD_WORDS[4]} \${NSD_WORDS[5]} \${NSD_WORDS[7]}"
}

# A veth pair of the record (NSD_WORDS) that the drawing plugs into other bridges (LINE, its record
# line now): says so (~), and unless planning unplugs each end that goes to no bridge.
nsd_veth_replug() { # PLAN LINE ELEMENT
  local was=("\${NSD_WORDS[@]}") now end notes='' lead='         '
  nsd_words "$2"
  now=("\${NSD_WORDS[@]}")
  for end in 1 4; do
    [[ \${was[end + 2]} != "\${now[end + 2]}" ]] || continue
    notes+="\${notes:+; }\${was[end]}: \${was[end + 2]/#-/no bridge} -> \${now[end + 2]/#-/no bridge}"
    # A bridge is in the host: so is every end plugged into one.
    if [[ -z $1 && \${now[end + 2]} == - ]]; then nsd_quietly ip link set dev "\${was[end]}" nomaster; fi
  done
  if [[ -n $1 ]]; then lead=''; fi
  printf '%s~ veth %s <-> %s: re-plugged (%s)  [%s]\\n' "$lead" "\${was[1]}" "\${was[4]}" "$notes" "$3"
}

# Forgets the lab: its record, its about file (and the .new of either that a run killed between
# writing and renaming left) and, last, its lock (a run waiting for it then locks a fresh file;
# see nsd_flock).
nsd_state_remove() {
  # The services were stopped, and their namespaces (with anything left in them) are gone.
  if [[ -d $NSD_STATE/services ]]; then rm -rf "$NSD_STATE/services"; fi
  # Then the state directory of the lab, and the one of all labs when it was the last.
  local forget=("$NSD_STATE/record" "$NSD_STATE/record.new" "$NSD_STATE/about" "$NSD_STATE/about.new" "$NSD_STATE/batch.err" "$NSD_STATE/netns" "$NSD_STATE/netns.new" "$NSD_STATE/holder" "$NSD_STATE/lock")
  # With the host settings' files when down put any back (it holds their lock until now).
  if [[ -n \${NSD_SHARED_FD-} ]]; then
    nsd_shared_unlock "\${forget[@]}" -- "$NSD_STATE" "\${NSD_STATE%/*}"
  else
    nsd_rm "\${forget[@]}" -- "$NSD_STATE" "\${NSD_STATE%/*}"
  fi
}

nsd_preflight() { # ACTION
  local missing=() tool conflicts=() name
  # bash's own EUID: the effective user id (what id -u prints), without a process for it.
  if ((EUID != 0)); then nsd_die "$1 needs root: $(nsd_again "$1" --sudo)"; fi
  local tools=(ip sysctl)
  if [[ $1 != status ]] && ((NSD_NEEDS_IPTABLES)); then tools+=("\${NSD_IPTABLES[@]}"); fi
  if [[ $1 == up ]]; then tools+=(nsenter); fi
  # nsd_want_read, for apply, plan and inspect.
  if [[ $1 == up || $1 == plan || $1 == inspect ]]; then tools+=(awk); fi
  if [[ $1 == verify ]]; then tools+=(ping timeout nsenter flock mkfifo); fi
  if [[ $1 == up ]] && ((\${#NSD_SERVICES[@]} > 0)); then tools+=(setsid); fi
  if [[ $1 == up ]] && ((\${#NSD_NETEM[@]} > 0)); then tools+=(tc unshare); fi
  for tool in "\${tools[@]}"; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if ((\${#missing[@]} > 0)); then
    nsd_die "missing tools: \${missing[*]} (on Debian or Ubuntu: apt-get install iproute2 procps iptables iputils-ping util-linux mawk)"
  fi
  # Not for down, which makes no namespace and checks that each one it deletes is gone: this lists
  # every namespace on the host (10 ms at 300).
  if [[ $1 != down ]]; then
    ip netns list >/dev/null 2>&1 || nsd_die "ip netns does not work here: this kernel or iproute2 lacks network namespace support"
  fi
  if [[ $1 == up ]] && ((\${#NSD_NETEM[@]} > 0)); then nsd_netem_check; fi
  [[ $1 == up || $1 == down ]] || return 0
  command -v flock >/dev/null || nsd_die "missing tools: flock (on Debian or Ubuntu: apt-get install util-linux)"
  nsd_lock "$1"
  nsd_record_open
  [[ $1 == up ]] || return 0

  # A name the record holds is this lab's even untagged: an earlier run was interrupted between
  # making it and tagging it.
  nsd_netns_scan "\${NSD_NAMESPACES[@]}"
  nsd_netns_sort "\${NSD_NAMESPACES[@]}"
  for name in "\${NSD_THEIRS[@]}"; do
    conflicts+=("namespace $name exists and was not made by this lab (ip netns del $name, or rename it in the drawing)")
  done
  # Half made by an interrupted run: up makes them again.
  for name in "\${NSD_HALF[@]}"; do ip netns del "$name"; done
  for name in "\${NSD_DNS[@]%% *}"; do
    if [[ -e /etc/netns/$name/resolv.conf ]] && ! nsd_recorded dns "$name"; then
      conflicts+=("/etc/netns/$name/resolv.conf exists and was not made by this lab (rm -r /etc/netns/$name, or rename namespace $name in the drawing)")
    fi
  done
  nsd_read_host_links
  for name in "\${NSD_HOST_LINKS[@]}"; do
    if nsd_host_has_link "$name" && ! nsd_host_link_ours "$name"; then
      conflicts+=("interface $name exists in the host and was not made by this lab (ip link del $name, or rename it in the drawing)")
    fi
  done
  for name in "\${NSD_TRANSIT_LINKS[@]}"; do
    if nsd_host_has_link "$name"; then
      if nsd_host_link_ours "$name"; then
        ip link del dev "$name" # left in the host by an interrupted run
      else
        conflicts+=("interface $name exists in the host; the lab needs that name there while it creates a veth pair")
      fi
    fi
  done
  if [[ -n $NSD_UPLINK ]] && ! nsd_host_has_link "$NSD_UPLINK"; then
    conflicts+=("the uplink $NSD_UPLINK does not exist; set the host's uplink in the drawing to one of: \${!NSD_HOST_ALIAS[*]}")
  fi
  nsd_limits_check
  if ((\${#conflicts[@]} > 0)); then
    printf 'lab.sh: cannot build lab %s:\\n' "$NSD_LAB" >&2
    printf '  - %s\\n' "\${conflicts[@]}" >&2
    # Refused before making anything: a lab that did not exist leaves no state behind either.
    if ((\${#NSD_RECORD_LINES[@]} == 0)); then nsd_state_remove; fi
    exit 1
  fi
  if ((NSD_NEEDS_IPTABLES)) && iptables -S FORWARD 2>/dev/null | grep -qx -- '-P FORWARD DROP'; then
    nsd_note "the FORWARD policy is DROP (Docker does this); the lab accepts its own traffic in chain $NSD_FORWARD_CHAIN"
  fi
  nsd_neigh_check
  if [[ -d /proc/sys/net/bridge ]]; then
    nsd_note "br_netfilter is loaded: bridged frames pass through iptables; the lab's FORWARD rules let them through"
  fi
  nsd_about building
}

# Before up changes anything: the host's limits leave room for the namespaces this run makes
# (those of the drawing that do not exist yet). Each problem is added to the caller's conflicts,
# with the fix: the kernel's cap on network namespaces (user.max_net_namespaces, counted per user;
# the namespaces in use are those that processes or /run/netns hold), the mount table (each
# namespace is a mount on /run/netns/NAME, fs.mount-max per mount namespace), and kernel memory
# (about ${NAMESPACE_MEMORY_KB} KB per namespace with its link, against MemAvailable).
nsd_limits_check() {
  local name new=0 max used mounts avail need rest
  for name in "\${NSD_NAMESPACES[@]}"; do nsd_has_netns "$name" || new=$((new + 1)); done
  ((new > 0)) || return 0
  max=$(sysctl -n user.max_net_namespaces 2>/dev/null) || max=''
  if [[ $max =~ ^[0-9]+$ ]]; then
    shopt -s nullglob
    used=$(stat -L -c %i /proc/[0-9]*/ns/net /run/netns/* 2>/dev/null | sort -u | wc -l) || true
    shopt -u nullglob
    if ((used + new > max)); then
      conflicts+=("the lab makes $new network namespace(s) and this host allows $max (user.max_net_namespaces, per user), $used in use already: sysctl -w user.max_net_namespaces=$(((used + new + 1023) / 1024 * 1024)), or draw fewer namespaces")
    fi
  fi
  max=$(sysctl -n fs.mount-max 2>/dev/null) || max=''
  if [[ $max =~ ^[0-9]+$ ]]; then
    mounts=$(wc -l </proc/self/mountinfo)
    if ((mounts + new > max)); then
      conflicts+=("the lab mounts $new namespace(s) on /run/netns and this host allows $max mounts (fs.mount-max), $mounts in use already: sysctl -w fs.mount-max=$(((mounts + new + 1023) / 1024 * 1024)), or draw fewer namespaces")
    fi
  fi
  avail=''
  while read -r name rest; do
    if [[ $name == MemAvailable: ]]; then avail=\${rest%% *}; fi
  done </proc/meminfo
  need=$((new * ${NAMESPACE_MEMORY_KB}))
  if [[ $avail =~ ^[0-9]+$ ]] && ((need > avail)); then
    conflicts+=("the lab's $new new namespace(s) need about $(((need + 1023) / 1024)) MB of kernel memory (about ${NAMESPACE_MEMORY_KB} KB each with its link) and this host has $((avail / 1024)) MB available (MemAvailable in /proc/meminfo): free memory or give the host more, or draw fewer namespaces")
  elif nsd_cgroup_room && ((need > NSD_CGROUP_ROOM)); then
    conflicts+=("the lab's $new new namespace(s) need about $(((need + 1023) / 1024)) MB of kernel memory (about ${NAMESPACE_MEMORY_KB} KB each with its link) and the memory cgroup lab.sh runs in allows $((NSD_CGROUP_ROOM / 1024)) MB more ($NSD_CGROUP_LIMIT, kernel memory counts against it): raise that limit (a container's or a systemd slice's memory limit), or draw fewer namespaces")
  fi
}

# The memory cgroups lab.sh runs in (a container, a systemd slice) cap the kernel memory of what it
# makes too. Sets NSD_CGROUP_ROOM (KB the tightest limit on the way up to the root still allows)
# and NSD_CGROUP_LIMIT (that limit's file); fails when no limit applies. cgroup v2 (memory.max,
# memory.current) or v1's memory controller (memory.limit_in_bytes, memory.usage_in_bytes).
nsd_cgroup_room() {
  local ctl path root='' max_file cur_file dir max cur room
  NSD_CGROUP_ROOM='' NSD_CGROUP_LIMIT=''
  while IFS=: read -r _ ctl path; do
    if [[ -z $ctl && -e /sys/fs/cgroup/cgroup.controllers ]]; then
      root=/sys/fs/cgroup max_file=memory.max cur_file=memory.current
    elif [[ ,$ctl, == *,memory,* && -d /sys/fs/cgroup/memory ]]; then
      root=/sys/fs/cgroup/memory max_file=memory.limit_in_bytes cur_file=memory.usage_in_bytes
    else
      continue
    fi
    dir=$root\${path%/}
    while :; do
      max='' cur=''
      if [[ -r $dir/$max_file && -r $dir/$cur_file ]]; then
        read -r max <"$dir/$max_file" || max=''
        read -r cur <"$dir/$cur_file" || cur=''
      fi
      # "max" (v2) or a number near 2^63 (v1) is no limit.
      if [[ $max =~ ^[0-9]{1,18}$ && $cur =~ ^[0-9]{1,18}$ ]]; then
        room=$(((max - cur) / 1024))
        if ((room < 0)); then room=0; fi
        if [[ -z $NSD_CGROUP_ROOM ]] || ((room < NSD_CGROUP_ROOM)); then NSD_CGROUP_ROOM=$room NSD_CGROUP_LIMIT=$dir/$max_file; fi
      fi
      [[ $dir != "$root" && $dir == */* ]] || break
      dir=\${dir%/*}
    done
  done </proc/self/cgroup
  [[ -n $NSD_CGROUP_ROOM ]]
}

# Before up changes anything, when links have impairments: the kernel has the netem qdisc. The
# probe puts one on lo of a throwaway network namespace, which also loads sch_netem where it can.
nsd_netem_check() {
  local out
  if out=$(unshare --net tc qdisc add dev lo root netem delay 1ms 2>&1); then return 0; fi
  nsd_die "cannot build lab $NSD_LAB: link(s) \${NSD_NETEM[*]} have impairments (netem), and this kernel ($(uname -r)) has no netem qdisc (sch_netem): \${out//$'\\n'/ }. Fix: ${NETEM_FIX}; or remove the impairments from the drawing. Nothing was changed."
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
  local where dev out
  for name in "\${NSD_QDISCS[@]}"; do
    IFS=: read -r where dev <<<"$name"
    total=$((total + 1))
    out=''
    if command -v tc >/dev/null; then
      if [[ $where == - ]]; then out=$(tc qdisc show dev "$dev" root 2>/dev/null) || true; else out=$(tc -n "$where" qdisc show dev "$dev" root 2>/dev/null) || true; fi
    fi
    if [[ $out == 'qdisc netem '* ]]; then present=$((present + 1)) state=present; else state=missing; fi
    if [[ $where != - ]]; then dev+=" in $where"; fi
    printf '%-10s %-24s %s\\n' qdisc "netem on $dev" "$state"
  done
  # Forwarding may have been on before the lab; only the lab's own parts decide whether it is down.
  local owned=$present
  for name in "\${NSD_SYSCTLS[@]}"; do
    total=$((total + 1))
    if [[ $(sysctl -n "$name" 2>/dev/null) == 1 ]]; then present=$((present + 1)) state=present; else state=missing; fi
    printf '%-10s %-24s %s\\n' sysctl "$name=1" "$state"
  done
  # Services do not count as parts: one that ended is what its command did, not a missing lab.
  local svc ns id
  for svc in "\${NSD_SERVICES[@]}"; do
    ns=\${svc%%/*} id=\${svc#*/}
    nsd_service_read "$ns" "$id"
    case $NSD_SERVICE_STATE in
      running) state="running (pid $NSD_SERVICE_PID)" ;;
      exited)
        state="exited $NSD_SERVICE_EXIT"
        if [[ $NSD_SERVICE_EXIT == 127 ]]; then state+=' (a program of its command was not found on the host)'; fi
        ;;
      *) state='not running' ;;
    esac
    printf '%-10s %-24s %s\\n' service "$svc" "$state"
    if [[ $NSD_SERVICE_STATE != running && -n $NSD_SERVICE_TAIL ]]; then printf '           | %s\\n' "\${NSD_SERVICE_TAIL//$'\\n'/$'\\n'           | }"; fi
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

# Every lab on this host that has a record, from its about file: what nsd labs shows.
nsd_labs() {
  local dir key value name state parts lines=() any=0
  local -A info
  printf '%-20s %-12s %-8s %-26s %-24s %s\n' LAB STATE RECORDED UPDATED DRAWING TITLE
  for dir in "\${NSD_STATE%/*}"/*/; do
    dir=\${dir%/}
    [[ -e $dir/record || -e $dir/about ]] || continue
    any=1
    info=([lab]=\${dir##*/} [state]=unknown [updated]=- [source]=- [title]=-)
    if [[ -r $dir/about ]]; then
      while IFS='=' read -r key value; do info[$key]=$value; done <"$dir/about"
    fi
    parts=0
    if [[ -r $dir/record ]]; then
      mapfile -t lines <"$dir/record"
      parts=\${#lines[@]}
    fi
    state=\${info[state]}
    # A run that holds the lock is still going; a build nobody holds any more was interrupted.
    if [[ -e $dir/lock ]] && ! flock -n "$dir/lock" true 2>/dev/null; then
      state=busy
    elif [[ $state == building ]]; then
      state=interrupted
    fi
    name=\${info[lab]}
    printf '%-20s %-12s %-8s %-26s %-24s %s\n' "$name" "$state" "$parts" "\${info[updated]}" "\${info[source]}" "\${info[title]}"
  done
  if ((any == 0)); then printf 'no lab on this host has a record in %s\n' "\${NSD_STATE%/*}"; fi
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
  # A service of the namespace may be the real server, still starting: it gets a few seconds.
  local svc tries=0
  for svc in "\${NSD_SERVICES[@]}"; do
    [[ \${svc%%/*} == "$1" ]] || continue
    while [[ -z $(ip netns exec "$1" ss -Hltn "sport = :$3") ]] && ((tries < 50)); do
      sleep 0.1
      tries=$((tries + 1))
    done
    break
  done
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
  tries=0
  while [[ -z $(ip netns exec "$1" ss -Hltn "sport = :$3") ]] && ((tries < 50)); do
    sleep 0.05
    tries=$((tries + 1))
  done
}

# The kernel's neighbour (ARP and NDP) tables are shared by every namespace on the machine and
# capped by gc_thresh3 (1024 by default), which only the initial namespace can read or change.
# An entry stays pinned for about 30 s after use, so a big lab's probes would fill the tables and
# fail although the lab is right. Probes therefore run in waves that fit in what is free, at most
# 64 at a time, and after each wave the entries it made are flushed: in the namespaces it touched
# and on the lab's own host interfaces (NSD_NEIGH_DEVS), nowhere else.

# Reads the tables the probes use (NSD_NEIGH_TABLES: arp_cache, ndisc_cache; ip ntable works in
# any namespace): NSD_NEIGH_LIMIT (gc_thresh3), NSD_NEIGH_USED, NSD_NEIGH_ROOM (entries free below
# the limit, less NSD_NEIGH_MARGIN for everything else on the machine; the smallest of the tables)
# and NSD_NEIGH_FULLS (how often the kernel has found one of them full, -1 when unknown).
nsd_neigh_read() {
  local out limit used fulls
  # shellcheck disable=SC2086 # the table names are words
  if ((\${NSD_PY:-0})) && nsd_py read $NSD_NEIGH_TABLES && [[ \${NSD_PY_ANSWER[0]-none} != none ]]; then
    # python3 reads the tables' own lines, without a line for each of the host's interfaces.
    out=\${NSD_PY_ANSWER[0]}
  else
    out=$(ip -s ntable show 2>/dev/null | awk -v tables=" $NSD_NEIGH_TABLES " '
    $1 == "inet" || $1 == "inet6" { t = index(tables, " " $2 " ") ? $2 : "" }
    t != "" { for (i = 1; i < NF; i++) {
        if ($i == "thresh3") limit[t] = $(i + 1)
        if ($i == "entries") used[t] = $(i + 1)
        if ($i == "table_fulls") { fulls += $(i + 1); seen = 1 }
      } }
    END {
      room = -1
      for (t in limit) if (room < 0 || limit[t] - used[t] < room) { room = limit[t] - used[t]; lim = limit[t]; u = used[t] }
      if (room >= 0) print lim, u, (seen ? fulls : -1)
    }') || out=''
  fi
  read -r limit used fulls <<<"$out" || true
  if [[ -z $limit ]]; then
    limit=1024 used=0 fulls=-1
    if [[ -r /proc/sys/net/ipv4/neigh/default/gc_thresh3 ]]; then limit=$(</proc/sys/net/ipv4/neigh/default/gc_thresh3); fi
  fi
  NSD_NEIGH_LIMIT=$limit NSD_NEIGH_USED=$used NSD_NEIGH_FULLS=$fulls
  NSD_NEIGH_ROOM=$((limit - used - NSD_NEIGH_MARGIN))
}

# Flushes the neighbour entries in the given namespaces ("-": the lab's host interfaces), a few at
# a time; "resolved" spares entries still being resolved, which probes still running wait on.
nsd_neigh_flush() { # all|resolved NETNS...
  local ns dev devs running=0 nud=''
  if ((NSD_PY)); then
    printf -v devs '%s,' "\${NSD_NEIGH_DEVS[@]}"
    if nsd_py flush "$1" "$devs" "\${@:2}"; then return 0; fi
  fi
  if [[ $1 == resolved ]]; then nud='nud reachable nud stale nud delay nud probe nud failed'; fi
  shift
  for ns in "$@"; do
    if [[ $ns == - ]]; then
      ((\${#NSD_NEIGH_DEVS[@]} > 0)) || continue
      for dev in "\${NSD_NEIGH_DEVS[@]}"; do printf 'neigh flush dev %s %s\\n' "$dev" "$nud"; done | ip -force -batch - >/dev/null 2>&1 &
    else
      # nsenter, not "ip -n": that copies the host's whole mount table (a mount per namespace) first.
      # shellcheck disable=SC2086 # nud is words
      nsenter --net="/run/netns/$ns" ip neigh flush all $nud >/dev/null 2>&1 &
    fi
    NSD_FLUSHES+=("$!")
    running=$((running + 1))
    if ((running >= 16)); then
      wait "\${NSD_FLUSHES[@]}" || true
      NSD_FLUSHES=() running=0
    fi
  done
  if ((running > 0)); then wait "\${NSD_FLUSHES[@]}" || true; fi
  NSD_FLUSHES=()
}

# Starts verify's waves: with too little room left, first flushes the lab's own entries. The
# probes write their results to DIR, what their commands said to DIR/out.
nsd_waves_begin() { # DIR
  mkdir -p "$1/out"
  # A pipe nobody writes to: read -t on it waits without starting a process.
  mkfifo "$1/tick"
  exec {NSD_TICK}<>"$1/tick"
  NSD_PROBE_DIR=$1 NSD_WAVE=() NSD_PID=() NSD_PING=() NSD_COST=() NSD_TOUCH=() NSD_WAVE_COST=0 NSD_QUEUED=() NSD_FULL=() NSD_RUNNING=0
  NSD_PY=0 NSD_PY_WAVE=() NSD_PY_PROBE=()
  if [[ \${NSD_PYTHON_PROBES-1} != 0 ]] && command -v python3 >/dev/null; then
    nsd_py_start
    NSD_PY=1
  fi
  declare -gA NSD_WAVE_NS=()
  nsd_neigh_read
  if ((NSD_NEIGH_ROOM < NSD_NEIGH_WANT)); then
    nsd_neigh_flush all - "\${NSD_NAMESPACES[@]}"
    nsd_neigh_read
  fi
  if ((NSD_NEIGH_ROOM < NSD_NEIGH_WANT)); then
    nsd_note "the kernel's neighbour tables are nearly full ($NSD_NEIGH_USED of $NSD_NEIGH_LIMIT entries, net.ipv4.neigh.default.gc_thresh3, shared by every namespace): probes run in small waves; one that meets a full table is tried again, then skipped, saying so"
  fi
}

# Queues the probes of verify's table, one line of shell words each (the arguments of nsd_queue).
nsd_queue_table() {
  local lines line
  mapfile -t lines
  for line in "\${lines[@]}"; do nsd_queue "$line"; done
}

# Makes verify's result directory in TMP (NSD_VERIFY_DIR) and holds a lock on it while verify and
# the probes it started run. First removes what verifies killed outright (kill -9, a crash) left
# behind: result directories older than a minute whose lock nobody holds.
nsd_verify_dir() { # TMP
  local old
  while IFS= read -r -d '' old; do
    if flock -n "$old" true 2>/dev/null; then rm -rf "$old"; fi
  done < <(find "$1" -maxdepth 1 -type d -name 'nsd-verify.*' -mmin +1 -print0 2>/dev/null)
  NSD_VERIFY_DIR=$(mktemp -d -p "$1" nsd-verify.XXXXXX)
  exec {NSD_VERIFY_LOCK}<"$NSD_VERIFY_DIR"
  flock -n "$NSD_VERIFY_LOCK"
}

# Ends verify, also when it is interrupted (its EXIT trap): stops the listeners it started and
# removes its result files.
nsd_verify_done() {
  if ((\${#NSD_LISTENERS[@]} > 0)); then kill "\${NSD_LISTENERS[@]}" 2>/dev/null || true; fi
  NSD_LISTENERS=()
  if [[ -n \${NSD_VERIFY_DIR-} ]]; then rm -rf "$NSD_VERIFY_DIR"; fi
  NSD_VERIFY_DIR=
  if [[ -n \${NSD_VERIFY_LOCK-} ]]; then exec {NSD_VERIFY_LOCK}<&-; fi
  NSD_VERIFY_LOCK=
  if [[ -n \${NSD_TICK-} ]]; then exec {NSD_TICK}<&-; fi
  NSD_TICK=
  if [[ -n \${NSD_PY_PID-} ]]; then kill "$NSD_PY_PID" 2>/dev/null || true; fi
  NSD_PY_PID=
}

# Queues a probe: it starts now, unless its entries would not fit beside the running wave's;
# then that wave ends first. COST and NAMESPACES are the probe's footprint (PlannedProbe).
nsd_queue() { # LINE: the shell words COST NAMESPACES N ID NETNS FROM TO KIND ADDRESS PORT EXPECT REASON ...
  local line=$1 ns names
  eval "set -- $line"
  if ((NSD_WAVE_COST > 0 && NSD_WAVE_COST + $1 > NSD_NEIGH_ROOM)); then nsd_wave_end; fi
  NSD_WAVE_COST=$((NSD_WAVE_COST + $1))
  # shellcheck disable=SC2206 # namespace names are plain words (the strict name rule)
  names=($2)
  for ns in "\${names[@]}"; do NSD_WAVE_NS[$ns]=1; done
  NSD_QUEUED[$3]=$line
  NSD_WAVE+=("$3")
  NSD_COST[$3]=$1 NSD_TOUCH[$3]=$2
  nsd_probe_start "$NSD_PROBE_DIR" "\${@:3}"
  # A ping given to python3 starts with the others of its wave, at its end (nsd_py_wave).
  [[ -z \${NSD_PY_PROBE[$3]-} ]] || return 0
  NSD_PID[$3]=$!
  NSD_RUNNING=$((NSD_RUNNING + 1))
  if ((NSD_RUNNING >= 64)); then
    wait -n || true
    NSD_RUNNING=$((NSD_RUNNING - 1))
  fi
}

# Ends a wave: waits for its probes, flushes the entries the wave made where its probes went, and
# marks its probes when the kernel found a table full meanwhile (their "unreachable" proves
# nothing). One read of the tables after the flush tells both the room left and whether a table was
# full (a flush never finds one full; the read lists every interface, thousands of lines in a big
# lab). A probe still running 0.15 s after the others (its ARP request was lost, and it waits a
# second to send the next) does not hold up the next wave: it goes on as part of it, the flush
# spares the entries still being resolved, and its cost counts in the next wave. With "all" (the
# last wave) it waits for every probe and flushes everything.
nsd_wave_end() { # [all]
  local n ns fulls=$NSD_NEIGH_FULLS wave=("\${NSD_WAVE[@]}") running=() still cost=0 mode=resolved
  ((\${#wave[@]} > 0)) || return 0
  nsd_py_wave
  if [[ \${1-} == all ]]; then
    mode=all
    for n in "\${wave[@]}"; do wait "\${NSD_PID[n]-}" 2>/dev/null || true; done
  else
    running=("\${wave[@]}")
    local until=$((\${EPOCHREALTIME/./} + 150000))
    while :; do
      still=()
      for n in "\${running[@]}"; do
        if kill -0 "\${NSD_PID[n]-}" 2>/dev/null; then still+=("$n"); fi
      done
      running=("\${still[@]}")
      ((\${#running[@]} > 0 && \${EPOCHREALTIME/./} < until)) || break
      read -rt 0.02 -u "$NSD_TICK" _ || true
    done
  fi
  for n in "\${wave[@]}"; do
    [[ -n \${NSD_PING[n]-} ]] || continue
    if ((\${#running[@]} > 0)) && kill -0 "\${NSD_PID[n]-}" 2>/dev/null; then continue; fi
    nsd_ping_end "$n"
    unset 'NSD_PING[n]'
  done
  nsd_neigh_flush "$mode" "\${!NSD_WAVE_NS[@]}"
  nsd_neigh_read
  if ((fulls >= 0 && NSD_NEIGH_FULLS > fulls)); then
    for n in "\${wave[@]}"; do NSD_FULL[n]=1; done
  fi
  NSD_WAVE=("\${running[@]}") NSD_RUNNING=\${#running[@]}
  NSD_WAVE_NS=()
  for n in "\${running[@]}"; do
    cost=$((cost + NSD_COST[n]))
    nsd_words "\${NSD_TOUCH[n]}"
    for ns in "\${NSD_WORDS[@]}"; do NSD_WAVE_NS[$ns]=1; done
  done
  NSD_WAVE_COST=$cost
}

# Ends the last wave, then tries once more every probe that saw no answer where one was expected
# (a lost ARP reply under load) or while a neighbour table was full; one that meets a full table
# again is skipped, saying why, instead of blaming the lab.
nsd_waves_end() {
  local n id from to kind address expect observed result ms reason retry=()
  nsd_wave_end all
  for n in "\${!NSD_QUEUED[@]}"; do
    IFS=$'\\t' read -r id from to kind address expect observed result ms reason <"$NSD_PROBE_DIR/$n" || continue
    if [[ $observed == unreachable && ($expect == reachable || -n \${NSD_FULL[n]-}) ]]; then retry+=("$n"); fi
  done
  ((\${#retry[@]} > 0)) || return 0
  nsd_note "trying \${#retry[@]} probe(s) again that saw no answer$( ((\${#NSD_FULL[@]} > 0)) && printf ' (%d ran while the kernel found a neighbour table full)' "\${#NSD_FULL[@]}")"
  NSD_FULL=()
  for n in "\${retry[@]}"; do nsd_queue "\${NSD_QUEUED[n]}"; done
  nsd_wave_end all
  for n in "\${retry[@]}"; do
    [[ -n \${NSD_FULL[n]-} ]] || continue
    IFS=$'\\t' read -r id from to kind address expect observed result ms reason <"$NSD_PROBE_DIR/$n" || continue
    [[ $observed == unreachable ]] || continue
    reason="the kernel's neighbour table was full while it ran ($NSD_NEIGH_LIMIT entries, shared by every namespace): raise it on the host (sysctl -w net.ipv4.neigh.default.gc_thresh3=$((NSD_NEIGH_LIMIT * 2))) and verify again"
    printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$id" "$from" "$to" "$kind" "$address" "$expect" unknown skip - "$reason" >"$NSD_PROBE_DIR/$n"
  done
}

# Where the host has python3 (NSD_PY=1, unless NSD_PYTHON_PROBES=0), verify's plain pings and its
# neighbour flushes run in one python3 process, started once (nsd_py_start), instead of a ping
# per probe and an ip per namespace: on a slow machine each process costs more than the probe it
# runs, and a big lab's verify starts thousands. The program, below, does what ping and ip do.
nsd_py_start() {
  local source
  IFS= read -r -d '' source <<'NSD_PY' || true
# verify's pings and neighbour flushes, in one python3 process for the whole verify (nsd_py_start):
# it reads requests, one a line, and answers each with lines ending in one that says "end".
#   ping WAIT N NETNS ADDRESS [N NETNS ADDRESS ...]   ("-": the host) answers "N reachable MS" or
#       "N unreachable -" for each: an ICMP echo request sent again each second until an answer
#       comes or 2 + WAIT seconds pass, as ping -c 1 -w (2 + WAIT) does; "N ping -" where it could
#       not open a socket in NETNS (lab.sh then runs ping itself)
#   read TABLE...   answers "LIMIT USED FULLS" of the neighbour tables named (arp_cache,
#       ndisc_cache) as nsd_neigh_read reads them from ip -s ntable, or "none"
#   flush all|resolved DEVS NETNS...   ip neigh flush all [nud ...] in each namespace ("-": the
#       host, on the interfaces DEVS only, a comma between them); resolved spares entries still
#       being resolved, as the nud states nsd_neigh_flush names
# It enters a namespace with setns(2), as nsenter does, only to open a socket there: a socket stays
# in the namespace it was opened in.
import ctypes, os, resource, select, socket, struct, sys, time

libc = ctypes.CDLL(None, use_errno=True)
# A socket for each namespace a wave pings from: thousands where the host lets a wave be that big.
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
except (ValueError, OSError):
    pass
HOME = os.open('/proc/self/ns/net', os.O_RDONLY)
CLONE_NEWNET = 0x40000000


def enter(netns):
    fd = HOME if netns == '-' else os.open('/run/netns/' + netns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), 'setns ' + netns)
    finally:
        if fd != HOME:
            os.close(fd)


def socket_in(netns, family, kind, proto):
    """A socket opened in NETNS, or None where it cannot be (a namespace gone)."""
    try:
        enter(netns)
        return socket.socket(family, kind, proto)
    except OSError:
        return None
    finally:
        enter('-')


def checksum(data):
    if len(data) % 2:
        data += bytes(1)
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


class Probe:
    def __init__(self, n, sock, six, address, seq):
        self.n, self.sock, self.six, self.address, self.seq = n, sock, six, address, seq
        self.family = socket.AF_INET6 if six else socket.AF_INET
        self.raw = socket.inet_pton(self.family, address)
        self.next = 0.0
        self.ms = None
        self.done = sock is None


def ping(lines, wait):
    ident = os.getpid() & 0xFFFF
    socks = {}
    probes = []
    for seq, line in enumerate(lines):
        n, netns, address = line.split()
        six = ':' in address
        if (netns, six) not in socks:
            # Raw sockets, as ping opens: every echo reply in the namespace reaches each, told apart by id and sequence.
            socks[(netns, six)] = socket_in(netns, socket.AF_INET6 if six else socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMPV6 if six else socket.IPPROTO_ICMP)
        probes.append(Probe(n, socks[(netns, six)], six, address, seq & 0xFFFF))
    by_fd = {}
    for p in probes:
        if p.sock is not None:
            by_fd.setdefault(p.sock.fileno(), []).append(p)
    # poll, not select: select takes no descriptor above 1023.
    poller = select.poll()
    for fd in by_fd:
        poller.register(fd, select.POLLIN)
    deadline = time.monotonic() + 2 + wait
    while True:
        now = time.monotonic()
        waiting = [p for p in probes if not p.done]
        if not waiting or now >= deadline:
            break
        for p in waiting:
            if now < p.next:
                continue
            body = struct.pack('!d', now)
            if p.six:
                # The kernel fills in an ICMPv6 checksum itself.
                packet = struct.pack('!BBHHH', 128, 0, 0, ident, p.seq) + body
            else:
                packet = struct.pack('!BBHHH', 8, 0, checksum(struct.pack('!BBHHH', 8, 0, 0, ident, p.seq) + body), ident, p.seq) + body
            try:
                p.sock.sendto(packet, (p.address, 0))
            except OSError:
                # No route, or the like: ping gives up at once too.
                p.done = True
                continue
            p.next = now + 1
        timeout = min([deadline] + [p.next for p in probes if not p.done]) - time.monotonic()
        for fd, _ in poller.poll(max(0, int(timeout * 1000) + 1)):
            group = by_fd[fd]
            sock = group[0].sock
            six = group[0].six
            while True:
                try:
                    data, peer = sock.recvfrom(2048, socket.MSG_DONTWAIT)
                except OSError:
                    break
                # An IPv4 raw socket hands over the IP header too; an ICMPv6 one does not.
                at = 0 if six else (data[0] & 0x0F) * 4
                if len(data) < at + 16:
                    continue
                kind, _, _, rid, rseq = struct.unpack('!BBHHH', data[at:at + 8])
                if rid != ident or kind != (129 if six else 0):
                    continue
                source = socket.inet_pton(group[0].family, peer[0].split('%')[0])
                for p in group:
                    if not p.done and p.seq == rseq and p.raw == source:
                        p.ms = (time.monotonic() - struct.unpack('!d', data[at + 8:at + 16])[0]) * 1000
                        p.done = True
    for s in socks.values():
        if s is not None:
            s.close()
    # A probe whose socket could not be opened is ping's to run: python3 saw nothing either way.
    return ['%s reachable %.3f' % (p.n, p.ms) if p.ms is not None else '%s %s -' % (p.n, 'unreachable' if p.sock is not None else 'ping') for p in probes]


# Neighbour states (NUD_*): what ip neigh flush never removes, and what "resolved" means.
PERMANENT_OR_NOARP = 0x80 | 0x40
RESOLVED = 0x02 | 0x04 | 0x08 | 0x10 | 0x20
RTM_DELNEIGH, RTM_GETNEIGH, NDA_DST = 29, 30, 1


def dump(sock, kind, body, seq=1):
    """The messages a netlink dump request answers with, each as (data, at, size): it starts at data[at]."""
    sock.send(struct.pack('=IHHII', 16 + len(body), kind, 0x301, seq, 0) + body)
    while True:
        data = sock.recv(1 << 20)
        at = 0
        while at + 16 <= len(data):
            size, kind = struct.unpack_from('=IH', data, at)
            # NLMSG_ERROR or NLMSG_DONE: the end of the dump.
            if kind in (2, 3) or size < 16:
                return
            yield data, at, size
            at += (size + 3) & ~3


def attributes(data, start, end):
    """The netlink attributes in data[start:end], as (type, value)."""
    while start + 4 <= end:
        length, attr = struct.unpack_from('=HH', data, start)
        if length < 4:
            return
        yield attr, data[start + 4:start + length]
        start += (length + 3) & ~3


def flush(netns, mode, devs):
    sock = socket_in(netns, socket.AF_NETLINK, socket.SOCK_RAW, 0)
    if sock is None:
        return
    try:
        only = None
        if netns == '-':
            only = set()
            for dev in devs:
                try:
                    only.add(socket.if_nametoindex(dev))
                except OSError:
                    pass
        # As ip neigh flush: list, delete what matches, and again until nothing matches (at most ten rounds).
        for seq in range(1, 11):
            deletes = []
            for data, at, size in dump(sock, RTM_GETNEIGH, struct.pack('=BxxxiHBB', 0, 0, 0, 0, 0), seq):
                family, ifindex, state = struct.unpack_from('=BxxxiH', data, at + 16)
                if state & PERMANENT_OR_NOARP or (mode == 'resolved' and not state & RESOLVED) or (only is not None and ifindex not in only):
                    continue
                for attr, value in attributes(data, at + 28, at + size):
                    if attr == NDA_DST:
                        body = struct.pack('=BxxxiHBB', family, ifindex, 0, 0, 0) + struct.pack('=HH', 4 + len(value), NDA_DST) + value
                        body += bytes(-len(body) % 4)
                        deletes.append(struct.pack('=IHHII', 16 + len(body), RTM_DELNEIGH, 1, seq, 0) + body)
            if not deletes:
                return
            for message in deletes:
                try:
                    sock.send(message)
                except OSError:
                    pass
    finally:
        sock.close()


RTM_GETNEIGHTBL, NDTA_NAME, NDTA_THRESH3, NDTA_CONFIG, NDTA_STATS = 66, 1, 4, 5, 7


def tables(names):
    """Of the neighbour tables NAMES, the one with the least room: its limit (gc_thresh3), its
    entries and the kernel's count of times it found a table full, summed over NAMES (as
    nsd_neigh_read reads them from ip -s ntable)."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    found = {}
    fulls = 0
    try:
        for data, at, size in dump(sock, RTM_GETNEIGHTBL, bytes(4)):
            name, limit, used, full = None, None, None, None
            for attr, value in attributes(data, at + 20, at + size):
                if attr == NDTA_NAME:
                    name = value.split(bytes(1))[0].decode()
                elif attr == NDTA_THRESH3:
                    limit = struct.unpack_from('=I', value)[0]
                elif attr == NDTA_CONFIG:
                    used = struct.unpack_from('=I', value, 4)[0]
                elif attr == NDTA_STATS:
                    full = struct.unpack_from('=Q', value, 80)[0]
            # The table's own message has its limit; those of its interfaces do not.
            if name in names and limit is not None:
                found[name] = (limit, used or 0)
                fulls += full or 0
    finally:
        sock.close()
    if not found:
        return 'none'
    limit, used = min(found.values(), key=lambda t: t[0] - t[1])
    return '%d %d %d' % (limit, used, fulls)


for request in sys.stdin:
    words = request.split()
    if words and words[0] == 'read':
        print(tables(words[1:]))
    elif words and words[0] == 'ping':
        for line in ping([' '.join(words[i:i + 3]) for i in range(2, len(words) - 2, 3)], float(words[1])):
            print(line)
    elif words and words[0] == 'flush':
        for netns in words[3:]:
            flush(netns, words[1], [d for d in words[2].split(',') if d])
    print('end', flush=True)
NSD_PY
  coproc NSD_PY_PROCESS { exec python3 -c "$source"; }
  NSD_PY_PID=$NSD_PY_PROCESS_PID NSD_PY_OUT=\${NSD_PY_PROCESS[0]} NSD_PY_IN=\${NSD_PY_PROCESS[1]}
}

# Sends a request (its words) to verify's python3 process and puts the lines of its answer in
# NSD_PY_ANSWER. Fails, and verify goes on without python3 (NSD_PY=0), when the process is gone.
nsd_py() {
  local line
  NSD_PY_ANSWER=()
  if kill -0 "$NSD_PY_PID" 2>/dev/null && printf '%s\\n' "$*" 2>/dev/null 1>&"$NSD_PY_IN"; then
    while IFS= read -r -u "$NSD_PY_OUT" line; do
      if [[ $line == end ]]; then return 0; fi
      NSD_PY_ANSWER+=("$line")
    done
  fi
  NSD_PY=0
  nsd_note "python3 stopped answering verify's $1 requests: verify goes on with ping and ip"
  return 1
}

# Runs the pings of the wave that nsd_probe_start gave to python3 (NSD_PY_WAVE), all at once, and
# writes their results. Where python3 fails, verify goes on without it: the probes it did not
# answer (or could not send, "ping") start as pings of their own (nsd_ping_alone).
nsd_py_wave() {
  ((\${#NSD_PY_WAVE[@]} > 0)) || return 0
  local n observed ms line
  nsd_py ping 0 "\${NSD_PY_WAVE[@]}" || true
  NSD_PY_WAVE=()
  for line in "\${NSD_PY_ANSWER[@]}"; do
    nsd_words "$line"
    n=\${NSD_WORDS[0]} observed=\${NSD_WORDS[1]-} ms=\${NSD_WORDS[2]-}
    [[ -n \${NSD_PY_PROBE[n]-} && $observed != ping ]] || continue
    unset 'NSD_PY_PROBE[n]'
    nsd_ping_end "$n" "$observed" "$ms"
  done
  for n in "\${!NSD_PY_PROBE[@]}"; do nsd_ping_alone "$n"; done
  NSD_PY_PROBE=()
}

# Starts ping probe N that python3 did not answer as a ping of its own, which nsd_ping_end reads
# when the wave ends.
nsd_ping_alone() { # N
  eval "set -- \${NSD_QUEUED[$1]}"
  nsd_ping "$5" "$9" 0 "$NSD_PROBE_DIR/out/$3"
  NSD_PING[$3]=1 NSD_PID[$3]=$!
}

# Starts probe N of a wave in the background ($! is its process). A ping on a path without
# impairments goes to python3 with the rest of its wave (nsd_py_wave) where verify has it, or else
# runs as the ping itself, and nsd_ping_end reads its output when the wave ends: a subshell around
# each probe would copy this whole script once more, thousands of times in a big lab. Any other
# probe runs nsd_probe.
nsd_probe_start() { # DIR N ID NETNS FROM TO KIND ADDRESS PORT EXPECT REASON [TRIES WAIT IMPAIRED]
  if [[ $7 != ping || $# -gt 11 || $8 == @* ]]; then
    nsd_probe "$@" &
  elif ((NSD_PY)); then
    NSD_PY_WAVE+=("$2 $4 $8")
    NSD_PY_PROBE[$2]=1
  else
    nsd_ping "$4" "$8" 0 "$1/out/$2"
    NSD_PING[$2]=1
  fi
}

# Starts one ping of ADDRESS from NETNS ("-": the host) in the background, its output to OUT; it
# waits 2 + WAIT seconds for the answer. It spells out nsd_in's nsenter rather than calling it: a
# function started in the background is a copy of this bash around the ping, one more process per probe.
nsd_ping() { # NETNS ADDRESS WAIT OUT
  if [[ $1 == - ]]; then
    ping -n -c 1 -w $((2 + $3)) "$2" >"$4" 2>&1 &
  else
    nsenter --net="/run/netns/$1" ping -n -c 1 -w $((2 + $3)) "$2" >"$4" 2>&1 &
  fi
}

# What a ping's output (in FILE) says: NSD_OBSERVED reachable when an answer came
# back ("1 received", or "1 packets received" from busybox), with NSD_MS its round trip.
nsd_ping_read() { # FILE
  local out='' received='[1-9][0-9]* (packets )?received' rtt='(rtt|round-trip)[^=]*= [0-9.]+/([0-9.]+)/'
  IFS= read -r -d '' out <"$1" || true
  NSD_OBSERVED=unreachable NSD_MS=-
  if [[ $out =~ $received ]]; then NSD_OBSERVED=reachable; fi
  if [[ $NSD_OBSERVED == reachable && $out =~ $rtt ]]; then NSD_MS=\${BASH_REMATCH[2]}; fi
}

# Writes the result of ping probe N, once its wave has ended (see nsd_probe_start): what python3
# answered (OBSERVED, MS), or else what its ping wrote.
nsd_ping_end() { # N [OBSERVED MS]
  local answered=$#
  if ((answered == 3)); then NSD_OBSERVED=$2 NSD_MS=$3; fi
  eval "set -- \${NSD_QUEUED[$1]}"
  if ((answered != 3)); then nsd_ping_read "$NSD_PROBE_DIR/out/$3"; fi
  nsd_probe_write "$NSD_PROBE_DIR" "$3" "$4" "$6" "$7" ping "$9" '' "\${11}" "\${12}" "$NSD_OBSERVED" "$NSD_MS"
}

# One probe; writes its result line to DIR/N (nsd_probe_write). On an impaired path (netem) it waits
# WAIT seconds longer and tries up to TRIES times before it calls the other end unreachable; the
# note says how it went and what the path does (IMPAIRED).
nsd_probe() { # DIR N ID NETNS FROM TO KIND ADDRESS PORT EXPECT REASON [TRIES WAIT IMPAIRED]
  local dir=$1 n=$2 id=$3 netns=$4 from=$5 to=$6 kind=$7 address=$8 port=$9 expect=\${10} reason=\${11}
  local tries=\${12:-1} wait=\${13:-0} impaired=\${14-} try=0
  local observed=unreachable ms=- family=IPv4
  if [[ $address == @uplink ]]; then address=$NSD_UPLINK_ADDRESS; fi
  if [[ $address == @uplink6 ]]; then address=$NSD_UPLINK_ADDRESS6 family=IPv6; fi
  if [[ -z $address ]]; then
    observed=unknown reason="the uplink $NSD_UPLINK has no $family address"
  elif [[ $kind == ping ]]; then
    while ((try < tries)) && [[ $observed == unreachable ]]; do
      try=$((try + 1))
      nsd_ping "$netns" "$address" "$wait" "$dir/out/$n"
      wait "$!" || true
      nsd_ping_read "$dir/out/$n"
      observed=$NSD_OBSERVED ms=$NSD_MS
    done
  else
    while ((try < tries)) && [[ $observed == unreachable ]]; do
      try=$((try + 1))
      local start=\${EPOCHREALTIME/./}
      # shellcheck disable=SC2016
      if nsd_in "$netns" timeout $((3 + wait)) bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$address" "$port" 2>/dev/null; then
        observed=reachable
        local us=$((\${EPOCHREALTIME/./} - start))
        printf -v ms '%d.%03d' $((us / 1000)) $((us % 1000))
      fi
    done
  fi
  nsd_probe_write "$dir" "$n" "$id" "$from" "$to" "$kind" "$address" "$port" "$expect" "$reason" "$observed" "$ms" "$try" "$tries" "$impaired"
}

# A probe's result line in DIR/N: id, from, to, kind, address, expect, observed, result, ms, reason,
# note (how an impaired path went, after TRY of TRIES tries).
nsd_probe_write() { # DIR N ID FROM TO KIND ADDRESS PORT EXPECT REASON OBSERVED MS [TRY TRIES IMPAIRED]
  local expect=$9 observed=\${11} try=\${13:-1} tries=\${14:-1} impaired=\${15-} note='' result=fail
  if [[ $observed == "$expect" ]]; then result=pass; fi
  if [[ $observed == unknown ]]; then result=skip; fi
  if [[ -n $impaired && $observed == reachable ]]; then
    note="$([[ $result == pass ]] && echo passed || echo answered) on try $try of $tries; $impaired"
  elif [[ -n $impaired && $observed == unreachable ]]; then
    note="no answer in $try tries; $impaired"
  fi
  printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$3" "$4" "$5" "$6" "$7\${8:+:$8}" "$expect" "$observed" "$result" "\${12:--}" "\${10}" "$note" >"$1/$2"
}

nsd_verify_report() { # DIR
  local dir=$1 pass=0 fail=0 skip=0 n event events=()
  local id from to kind address expect observed result ms reason note
  printf '%-24s %-12s %-12s %-4s %-22s %-11s %-11s %-6s %s\\n' PROBE FROM TO KIND ADDRESS EXPECT OBSERVED RESULT MS
  # Each result file is read once: its table row now, its event line after the table.
  for n in $(find "$dir" -maxdepth 1 -type f -printf '%f\\n' | sort -n); do
    IFS=$'\\t' read -r id from to kind address expect observed result ms reason note <"$dir/$n"
    printf '%-24s %-12s %-12s %-4s %-22s %-11s %-11s %-6s %s\\n' "$id" "$from" "$to" "$kind" "$address" "$expect" "$observed" "$result" "$ms"
    if [[ -n $note ]]; then printf '    %s\\n' "$note"; fi
    case $result in
      pass) pass=$((pass + 1)) ;;
      skip) skip=$((skip + 1)) ;;
      *)
        fail=$((fail + 1))
        printf '    expected %s because %s\\n' "$expect" "$reason"
        ;;
    esac
    printf -v event '@nsd probe id=%s from=%s to=%s kind=%s address=%s expect=%s observed=%s result=%s ms=%s' \\
      "$id" "$from" "$to" "$kind" "$address" "$expect" "$observed" "$result" "$ms"
    # What the table says below a row goes last, words and all: how an impaired path went, or why a probe was skipped.
    if [[ $result == skip && -z $note ]]; then note=$reason; fi
    if [[ -n $note ]]; then event+=" note=$note"; fi
    events+=("$event")
  done
  if ((\${#events[@]} > 0)); then printf '%s\\n' "\${events[@]}"; fi
  printf 'verify: %d passed, %d failed, %d skipped\\n' "$pass" "$fail" "$skip"
  ((fail == 0))
}
`;
