package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// clockTick is Linux's USER_HZ, the unit of /proc's CPU times: 100 on
// every architecture mitra runs on.
const clockTick = 10 * time.Millisecond

// procStat reads a process's parent and its CPU times from
// /proc/<pid>/stat: its own (user and system) and its reaped children's.
func procStat(pid string) (ppid string, own, reaped time.Duration, ok bool) {
	raw, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return "", 0, 0, false
	}
	// The command name is in parentheses and may hold spaces: the fields
	// after its closing one are what is read.
	end := bytes.LastIndexByte(raw, ')')
	if end < 0 {
		return "", 0, 0, false
	}
	f := bytes.Fields(raw[end+1:])
	// f[0] is the state (field 3); ppid is field 4; utime, stime,
	// cutime, cstime are fields 14 to 17.
	if len(f) < 15 {
		return "", 0, 0, false
	}
	tick := func(i int) time.Duration {
		n, _ := strconv.ParseInt(string(f[i]), 10, 64)
		return time.Duration(n) * clockTick
	}
	return string(f[1]), tick(11) + tick(12), tick(13) + tick(14), true
}

// clusterCPU is the CPU time a local PostgreSQL cluster has used: its
// postmaster (found as the parent of backend), the children alive, and
// those it has reaped. ok is false when the server is not on this
// machine (or /proc is not readable).
func clusterCPU(backend int) (time.Duration, bool) {
	postmaster, _, _, ok := procStat(strconv.Itoa(backend))
	if !ok {
		return 0, false
	}
	_, own, reaped, ok := procStat(postmaster)
	if !ok {
		return 0, false
	}
	total := own + reaped
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, false
	}
	for _, e := range entries {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		if ppid, own, _, ok := procStat(e.Name()); ok && ppid == postmaster {
			total += own
		}
	}
	return total, true
}
