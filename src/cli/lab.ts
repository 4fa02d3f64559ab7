/**
 * `nsd lab up|down|status`: runs lab-host.ts and prints what happened, human or JSON.
 */
import type { LabArgs } from './lab-args.js';
import { formatHealth, type LabHealthState } from '../main/lab/lab-health.js';
import { formatLabInfo } from '../main/lab/lab-info.js';
import { LabError, labDown, labOccupancy, labStatus, labUp } from '../main/lab/lab-host.js';
import { formatOccupancy } from '../main/lab/lab-occupancy.js';
import type { LabOccupancy } from '../shared/ipc/contract.js';
import { EXIT } from '../shared/exit-codes.js';

export interface LabIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
}

const STATUS_EXIT: Record<LabHealthState, number> = { healthy: EXIT.ok, partial: EXIT.partlyUp, down: EXIT.down, absent: EXIT.down };

/** Runs one `nsd lab` action; resolves to its exit code. LabErrors become messages; other errors propagate. */
export async function labCommand(args: LabArgs, io: LabIo): Promise<number> {
  try {
    switch (args.action) {
      case 'up': {
        const { info, created } = await labUp(args.name, io.env);
        if (args.json) io.stdout(`${JSON.stringify({ ...info, created }, null, 2)}\n`);
        else io.stdout(formatLabInfo(info, created));
        return EXIT.ok;
      }
      case 'down': {
        const { existed, dir } = await labDown(args.name, io.env);
        io.stdout(existed ? `Lab "${args.name}" is down; ${dir} removed.\n` : `Lab "${args.name}" does not exist; nothing to do.\n`);
        return EXIT.ok;
      }
      case 'status': {
        const status = await labStatus(args.name, io.env);
        // What is deployed in it, when it is up (a lab host others use on this machine may hold their labs).
        let occupancy: LabOccupancy | undefined;
        let unreadable: string | undefined;
        if (status.health.state === 'healthy') {
          try {
            occupancy = labOccupancy(args.name, io.env);
          } catch (e) {
            if (!(e instanceof LabError)) throw e;
            unreadable = e.message;
          }
        }
        if (args.json) {
          const { name, dir, probe, health, info } = status;
          const problems = unreadable !== undefined ? [...health.problems, unreadable] : health.problems;
          io.stdout(`${JSON.stringify({ name, dir, state: health.state, problems, processes: { holder: probe.holder, labHost: probe.labHost, sshd: probe.sshd, forwarder: probe.forwarder }, banner: probe.banner ?? null, lab: info ?? null, occupancy: occupancy ?? null }, null, 2)}\n`);
        } else {
          io.stdout(formatHealth(status.name, status.dir, status.probe, status.health));
          if (occupancy) io.stdout(formatOccupancy(occupancy));
          if (unreadable !== undefined) io.stdout(`  holds       unknown: ${unreadable}\n`);
        }
        return STATUS_EXIT[status.health.state];
      }
    }
  } catch (e) {
    if (!(e instanceof LabError)) throw e;
    io.stderr(`nsd lab ${args.action}: ${e.message}\n`);
    return e.exitCode;
  }
}
