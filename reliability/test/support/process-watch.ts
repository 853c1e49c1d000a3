/** Records uncaught exceptions and unhandled rejections while installed: a call that settles twice, or a client that throws from a socket handler, shows up here. */
export function watchProcess(): { readonly problems: unknown[]; stop(): void } {
  const problems: unknown[] = [];
  const record = (problem: unknown) => problems.push(problem);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  return {
    problems,
    stop() {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    },
  };
}
