/**
 * Preloaded (node --require) into the benchmark's child servers; inert unless the process has an IPC channel.
 * On request it forces a full garbage collection and answers with process.memoryUsage(), so that samples taken
 * during a long run compare live memory rather than garbage not yet collected. It leaves the IPC channel
 * unreferenced, so a child that is told to stop still exits as it would in production.
 */
if (process.send) {
  process.channel?.unref();
  process.on('message', (message: { type?: string }) => {
    if (message?.type !== 'sample-memory') return;
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    process.send?.({ type: 'memory', memory: { rss, heapUsed, heapTotal, external } });
  });
}
