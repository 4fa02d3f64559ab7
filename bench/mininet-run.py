"""
Mininet's column of bench/scale.ts: up and down of SingleSwitchTopo(N) with a Linux bridge and no
controller, through Mininet's Python API, run by the bench inside its sandbox lab host. Prints one
JSON line: build, start and stop times in seconds, and whether h1 pings hN in between (untimed).
"""
import json
import os
import signal
import sys
import time
from resource import RLIMIT_NOFILE, getrlimit, setrlimit

import mininet.net
from mininet.log import setLogLevel
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.topo import SingleSwitchTopo

n = int(sys.argv[1])
setLogLevel('error')
# Mininet.init() calls fixLimits(), which raises machine-wide settings where it can (kernel.pty.max,
# fs.file-max, the neighbour tables): the bench changes nothing outside its sandbox, so only this
# process's own open-file limit is raised (Mininet holds a pty and pipes for every node).
mininet.net.fixLimits = lambda: None
soft, hard = getrlimit(RLIMIT_NOFILE)
if soft < 16384 <= hard:
    setrlimit(RLIMIT_NOFILE, (16384, hard))

t0 = time.monotonic()
net = Mininet(topo=SingleSwitchTopo(n), switch=LinuxBridge, controller=None, build=False)
try:
    net.build()
    t1 = time.monotonic()
    net.start()
    t2 = time.monotonic()
    first, last = net.hosts[0], net.hosts[-1]
    ping = ' 0% packet loss' in first.cmd('ping', '-c1', '-W2', last.IP())
finally:
    t3 = time.monotonic()
    net.stop()
    t4 = time.monotonic()
    # A node's shell that outlived stop() is this process's own child: ended by pid, and counted.
    left = 0
    for node in net.hosts + net.switches:
        try:
            with open('/proc/%d/stat' % node.pid) as stat:
                if stat.read().rsplit(')', 1)[1].split()[0] == 'Z':
                    continue
            os.kill(node.pid, signal.SIGKILL)
            left += 1
        except (FileNotFoundError, ProcessLookupError):
            pass
print(json.dumps({'build': t1 - t0, 'start': t2 - t1, 'stop': t4 - t3, 'ping': ping, 'left': left, 'version': mininet.net.VERSION}))
