// SIGINT / SIGTERM ask the running stage to checkpoint and stop at the next iteration; a
// second signal exits at once (the last checkpoint is still there to resume from).
export function stopOnSignals(log: (line: string) => void = (l) => console.error(l)): () => boolean {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    log(`[ugp] ${signal}: checkpointing and stopping (send again to exit now)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => stopping;
}
