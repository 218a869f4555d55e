import { setMaxListeners } from "node:events";

/**
 * SIGINT and SIGTERM stop long work cleanly: the first one aborts the
 * returned signal (uploads in flight are aborted, stored files finish,
 * manifests flush); a second one exits at once, which is still safe, as
 * the next run recovers whatever was left.
 */
export function stopOnSignals(onFirst: (signal: NodeJS.Signals) => void): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const controller = new AbortController();
  // Every request in flight listens to this one signal; hundreds is normal.
  setMaxListeners(0, controller.signal);
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(
        `givre: ${name} again, exiting now; the next run finishes what was left\n`,
      );
      process.exit(130);
    }
    onFirst(name);
    controller.abort(new Error(`stopped by ${name}`));
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
